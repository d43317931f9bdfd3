// Pods nominated to run on a node once preemption has made room there
// (status.nominatedNodeName). While their victims terminate, other pods of lower or equal
// priority must not take the space, so filters count nominated pods as if already there.

import type { PodInfo } from '../framework/podInfo.js';

export class Nominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOf = new Map<string, string>();

  /** Records `pi` as nominated to `nodeName` (default: its status.nominatedNodeName); replaces an older nomination. */
  add(pi: PodInfo, nodeName?: string): void {
    const node = nodeName ?? pi.pod.status?.nominatedNodeName ?? '';
    this.delete(pi.key);
    if (!node) return;
    let list = this.byNode.get(node);
    if (!list) this.byNode.set(node, (list = []));
    list.push(pi);
    this.nodeOf.set(pi.key, node);
  }

  /** Keeps the nomination we made unless the update carries a different one. */
  update(pi: PodInfo): void {
    const fromStatus = pi.pod.status?.nominatedNodeName;
    const current = this.nodeOf.get(pi.key);
    if (fromStatus) this.add(pi, fromStatus);
    else if (current) this.add(pi, current);
  }

  delete(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const list = this.byNode.get(node);
    if (!list) return;
    const i = list.findIndex((p) => p.key === key);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byNode.delete(node);
  }

  nominatedNode(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  podsForNode(nodeName: string): readonly PodInfo[] {
    return this.byNode.get(nodeName) ?? [];
  }

  get size(): number {
    return this.nodeOf.size;
  }
}
