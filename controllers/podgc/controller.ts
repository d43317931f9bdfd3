// PodGC: collects pods nobody else will: those bound to deleted nodes, terminating pods that
// a dead node can never confirm, and terminated pods beyond a threshold (Kubernetes' podgc
// controller). Keys are pods (namespaced) plus one cluster-wide key for the terminated-pod
// count. Deletions are forced (grace 0) with the pod's uid as precondition: the node that
// would finish a graceful deletion is gone.

import { disruptions, markDisruptionTarget, type DisruptionCause } from '../../common/api/disruptionTarget.js';
import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import { realClock, type Clock } from '../../common/clock.js';
import type { ControllerRegistration, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from '../../common/controller/types.js';
import { ConflictError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { nodesResource, podsResource, type Node, type Pod } from '../nodelifecycle/types.js';
import { excessTerminated, judgePod } from './decide.js';

export const podGcControllerName = 'podgc';
/** The cluster-wide key (pods are namespaced, so it cannot clash). */
const terminatedKey: ObjectKey = { name: 'terminated-pods' };

export interface PodGcOptions {
  /** Kubernetes' --terminated-pod-gc-threshold (12500); 0 disables. */
  terminatedPodThreshold: number;
  quarantineMs: number;
}

export const podGcDefaults: PodGcOptions = { terminatedPodThreshold: 12_500, quarantineMs: 5_000 };

export interface PodGcDeps {
  api: Api;
  events: EventRecorder;
  logger: Logger;
  clock?: Clock;
  options: PodGcOptions;
}

export class PodGcController implements Reconciler {
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** When each missing node was first seen missing (pods bound to it are held this long). */
  private readonly missingSince = new Map<string, number>();
  private nodes: Informer<Node> | undefined;
  private pods: Informer<Pod> | undefined;

  constructor(private readonly deps: PodGcDeps) {
    this.clock = deps.clock ?? realClock;
    this.logger = deps.logger.child({ controller: podGcControllerName });
  }

  registration(): ControllerRegistration {
    return { name: podGcControllerName, reconciler: this, workers: 2, watch: (s, e) => this.watch(s, e) };
  }

  private watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const pods = (this.pods = source.informer<Pod>(podsResource));
    const nodes = (this.nodes = source.informer<Node>(nodesResource));
    const podKey = (p: Pod): ObjectKey => ({ namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '' });
    const onPod = (p: Pod): void => {
      enqueue(podKey(p));
      const phase = p.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') enqueue(terminatedKey);
    };
    pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
    // A node deleted or newly tainted: look at the pods bound to it.
    const podsOn = (n: Node): void => {
      for (const p of pods.store.list()) if (p.spec?.nodeName === n.metadata.name) enqueue(podKey(p));
    };
    nodes.addEventHandler({
      onAdd: () => undefined,
      onUpdate: (o, n) => {
        if (JSON.stringify(o.spec?.taints ?? []) !== JSON.stringify(n.spec?.taints ?? [])) podsOn(n);
      },
      onDelete: podsOn,
    });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (key.namespace === undefined) return this.collectTerminated();
    const pod = this.pods?.store.get(`${key.namespace}/${key.name}`);
    if (!pod) return;
    const now = this.clock.now();
    const nodeName = pod.spec?.nodeName ?? '';
    const node = nodeName ? this.nodes?.store.get(nodeName) : undefined;
    if (node || !nodeName) this.missingSince.delete(nodeName);
    else if (!this.missingSince.has(nodeName)) this.missingSince.set(nodeName, now);
    const v = judgePod(pod, node, this.missingSince.get(nodeName), now, { quarantineMs: this.deps.options.quarantineMs });
    switch (v.action) {
      case 'keep':
        return;
      case 'wait':
        return { requeueAfterMs: v.ms };
      case 'deleteOrphan': {
        // The cache may lag: only a node the API server does not know is really gone.
        try {
          await this.deps.api.get(nodesResource, undefined, nodeName);
          this.missingSince.delete(nodeName);
          return { requeueAfterMs: this.deps.options.quarantineMs };
        } catch (e) {
          if (!(e instanceof NotFoundError)) throw e;
        }
        return this.forceDelete(pod, `bound to node ${nodeName}, which no longer exists`, disruptions.podGc);
      }
      case 'forceDelete':
        return this.forceDelete(pod, v.reason);
    }
  }

  /** `disruption`: the DisruptionTarget cause to set first on a pod that has not ended (Kubernetes' PodGC does for orphans). */
  private async forceDelete(pod: Pod, reason: string, disruption?: DisruptionCause): Promise<void> {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    try {
      if (disruption) await markDisruptionTarget(this.deps.api, pod, disruption, this.clock.now());
      await this.deps.api.delete(podsResource, ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' } });
    } catch (e) {
      if (e instanceof NotFoundError || e instanceof ConflictError) return;
      throw e;
    }
    this.logger.info('garbage-collected pod', { pod: `${ns}/${name}`, reason });
  }

  private async collectTerminated(): Promise<void> {
    const excess = excessTerminated(this.pods?.store.list() ?? [], this.deps.options.terminatedPodThreshold);
    for (const pod of excess) await this.forceDelete(pod, `more than ${this.deps.options.terminatedPodThreshold} terminated pods`);
  }
}
