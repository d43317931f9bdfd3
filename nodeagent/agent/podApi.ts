// The agent's writes about pods: status as a merge patch against what it last saw (so other
// writers' fields survive), and the final delete of a gracefully terminated pod, guarded by
// the pod's uid so a new pod of the same name is never deleted by mistake.

import type { RestClient } from '../../common/client/restClient.js';
import type { Logger } from '../../common/logging.js';
import { mergePatch, withoutNulls } from './mergePatch.js';
import type { PodApi } from './podSync.js';
import type { NodePodSource } from './podSource.js';
import type { Pod, PodStatusApi } from './podTypes.js';

export class RestPodApi implements PodApi {
  /** What was last written per pod uid, to skip a write the informer has not caught up with yet. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly client: RestClient,
    private readonly source: NodePodSource,
    private readonly logger: Logger,
  ) {}

  byUid(uid: string): Pod | undefined {
    return this.source.byUid(uid);
  }

  async writeStatus(pod: Pod, wanted: PodStatusApi): Promise<void> {
    const uid = pod.metadata.uid;
    // Compare what the server will store: a null it drops would make every diff non-empty, forever.
    const status = withoutNulls(wanted);
    const patch = mergePatch(pod.status ?? {}, status);
    const text = JSON.stringify(status);
    if (patch === undefined) {
      this.written.set(uid, text);
      return;
    }
    if (this.written.get(uid) === text) return;
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`;
    const r = await this.client.request('PATCH', path, {
      body: { metadata: { uid }, status: patch },
      contentType: 'application/merge-patch+json',
    });
    if (r.status === 404 || r.status === 409) {
      this.logger.debug('pod status not written: the pod is gone or replaced', { pod: pod.metadata.name, status: r.status });
      return;
    }
    if (r.status !== 200) throw new Error(`writing status of ${pod.metadata.namespace}/${pod.metadata.name}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    this.written.set(uid, text);
  }

  async deletePod(pod: Pod): Promise<void> {
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
    const r = await this.client.request('DELETE', path, { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } } });
    this.written.delete(pod.metadata.uid);
    if (r.status === 200 || r.status === 202 || r.status === 404 || r.status === 409) return;
    throw new Error(`deleting ${pod.metadata.namespace}/${pod.metadata.name}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}
