// The agent's writes about pods: status as a merge patch against what it last saw (so other
// writers' fields survive), and the final delete of a gracefully terminated pod, guarded by
// the pod's uid so a new pod of the same name is never deleted by mistake.

import { builtinResources } from '../../common/api/resources.js';
import { ApiClient } from '../../common/client/apiClient.js';
import type { RestClient } from '../../common/client/restClient.js';
import { ConflictError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { mergePatch, withoutNulls } from './mergePatch.js';
import type { PodApi } from './podSync.js';
import type { NodePodSource } from './podSource.js';
import type { Pod, PodStatusApi } from './podTypes.js';

const pods = builtinResources.find((r) => r.kind === 'Pod')!;

/** The pod is gone (404) or replaced by a new one of the same name (the uid precondition's 409). */
function goneOrReplaced(e: unknown): boolean {
  return e instanceof NotFoundError || e instanceof ConflictError;
}

export class RestPodApi implements PodApi {
  /** What was last written per pod uid, to skip a write the informer has not caught up with yet. */
  private readonly written = new Map<string, string>();

  private readonly api: ApiClient;

  constructor(
    client: RestClient,
    private readonly source: NodePodSource,
    private readonly logger: Logger,
  ) {
    // No client-side limit: the pod workers write at most one status per pod at a time.
    this.api = new ApiClient({ client, qps: 0 });
  }

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
    try {
      await this.api.patch(pods, pod.metadata.namespace, pod.metadata.name, 'merge', { metadata: { uid }, status: patch }, { subresource: 'status' });
    } catch (e) {
      if (!goneOrReplaced(e)) throw e;
      this.logger.debug('pod status not written: the pod is gone or replaced', { pod: pod.metadata.name, reason: (e as NotFoundError).reason });
      return;
    }
    this.written.set(uid, text);
  }

  async deletePod(pod: Pod): Promise<void> {
    this.written.delete(pod.metadata.uid);
    try {
      await this.api.delete(pods, pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (!goneOrReplaced(e)) throw e;
    }
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}
