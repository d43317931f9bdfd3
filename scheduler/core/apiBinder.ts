// Binding through the API: POST pods/<name>/binding with a core/v1 Binding. The API server
// sets spec.nodeName and the PodScheduled condition in one write, and refuses (409) a pod
// that is already bound or being deleted, so two schedulers can never both bind a pod.

import { resourceFor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import type { Binder } from '../framework/interfaces.js';
import type { Pod } from '../framework/types.js';

const pods = resourceFor('Pod');

/**
 * A binding this scheduler refused to send (status 0: not the leader). What the API server
 * refuses is thrown as the typed error of common/errors: NotFoundError (the pod is gone),
 * ConflictError (already bound or being deleted).
 */
export class BindError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'BindError';
  }
}

export class ApiBinder implements Binder {
  constructor(private readonly api: Api) {}

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    await this.api.createSubresource(pods, ns, name, 'binding', body);
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
