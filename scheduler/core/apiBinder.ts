// Binding through the API: POST pods/<name>/binding with a core/v1 Binding. The API server
// sets spec.nodeName and the PodScheduled condition in one write, and refuses (409) a pod
// that is already bound or being deleted, so two schedulers can never both bind a pod.

import type { RestClient } from '../../common/client/restClient.js';
import type { Binder } from '../framework/interfaces.js';
import type { Pod } from '../framework/types.js';

export class BindError extends Error {
  constructor(
    message: string,
    /** HTTP status (0: not sent). 404: the pod is gone; 409: already bound or being deleted. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'BindError';
  }
}

export class ApiBinder implements Binder {
  constructor(private readonly client: RestClient) {}

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    const r = await this.client.request<{ message?: string }>('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/binding`, { body });
    if (r.status !== 201 && r.status !== 200) throw new BindError(r.body?.message ?? `binding ${ns}/${name} to ${nodeName}: HTTP ${r.status}`, r.status);
  }
}

/** Binds only while `isLeader()` holds: a scheduler that lost its lease stops acting at once. */
export class LeaderFencedBinder implements Binder {
  constructor(
    private readonly inner: Binder,
    private readonly isLeader: () => boolean,
  ) {}

  async bind(pod: Pod, nodeName: string): Promise<void> {
    if (!this.isLeader()) throw new BindError('not the leader: binding refused', 0);
    await this.inner.bind(pod, nodeName);
  }
}
