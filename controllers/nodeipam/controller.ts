// Node IPAM (Kubernetes' range allocator): every node gets spec.podCIDR (and podCIDRs) from
// the cluster CIDR, no two the same. The controller keeps no state of its own: what is taken
// is read from the nodes in the cache (so a deleted node's subnet is free again), plus the
// assignments it made that the cache has not shown yet. One worker, so two nodes never race
// for the same subnet. A node that already has a podCIDR keeps it (it is immutable); one
// outside the cluster CIDR is left alone.

import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import type { ControllerRegistration, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from '../../common/controller/types.js';
import type { Logger } from '../../common/logging.js';
import { nodesResource, type Node } from '../nodelifecycle/types.js';
import { firstFree, indexOf, subnetAt, type ClusterCidr } from './cidrs.js';

export const nodeIpamControllerName = 'nodeipam';

export interface NodeIpamDeps {
  api: Api;
  events: EventRecorder;
  logger: Logger;
  cidr: ClusterCidr;
  /** How long to wait before trying again when the range is full. */
  fullRetryMs?: number;
}

export class NodeIpamController implements Reconciler {
  private readonly logger: Logger;
  private nodes: Informer<Node> | undefined;
  /** Assigned by us, not yet in the cache: node name -> index. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly deps: NodeIpamDeps) {
    this.logger = deps.logger.child({ controller: nodeIpamControllerName });
  }

  registration(): ControllerRegistration {
    return { name: nodeIpamControllerName, reconciler: this, workers: 1, watch: (s, e) => this.watch(s, e) };
  }

  private watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const nodes = (this.nodes = source.informer<Node>(nodesResource));
    const key = (n: Node): void => enqueue({ name: n.metadata.name ?? '' });
    nodes.addEventHandler({ onAdd: key, onUpdate: (_o, n) => key(n), onDelete: key });
  }

  /** Indices taken by the nodes in the cache and by assignments still in flight. */
  private used(): Set<number> {
    const used = new Set<number>();
    const names = new Set<string>();
    for (const n of this.nodes?.store.list() ?? []) {
      names.add(n.metadata.name ?? '');
      for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) {
        const i = indexOf(this.deps.cidr, c);
        if (i !== undefined) used.add(i);
      }
    }
    for (const [name, i] of this.pending) {
      if (!names.has(name)) this.pending.delete(name);
      else used.add(i);
    }
    return used;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const node = this.nodes?.store.get(key.name);
    if (!node) {
      this.pending.delete(key.name);
      return;
    }
    if (node.spec?.podCIDR) {
      this.pending.delete(key.name);
      return;
    }
    if (this.pending.has(key.name)) return; // assigned; the cache will catch up
    const index = firstFree(this.deps.cidr, this.used());
    if (index === undefined) {
      this.deps.events.event(node, 'Warning', 'CIDRNotAvailable', `Node ${key.name} status is now: CIDRNotAvailable`);
      return { requeueAfterMs: this.deps.fullRetryMs ?? 30_000 };
    }
    const podCIDR = subnetAt(this.deps.cidr, index);
    // update (not patch): the resourceVersion guards against a podCIDR set meanwhile.
    await this.deps.api.update<Node>(nodesResource, { ...node, spec: { ...node.spec, podCIDR, podCIDRs: [podCIDR] } });
    this.pending.set(key.name, index);
    this.logger.info('assigned pod CIDR', { node: key.name, podCIDR });
    this.deps.events.event(node, 'Normal', 'CIDRAssignmentSucceeded', `Node ${key.name} got pod CIDR ${podCIDR}`);
  }
}
