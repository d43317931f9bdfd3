// The scheduler's own picture of nodes and the pods on them. Bound pods come from the
// informer; *assumed* pods are ones this scheduler has just placed and is binding: they
// count against their node from the moment of the decision, so the next pod sees the
// space as taken, before the API server has confirmed anything. An assumed pod is
// confirmed when the informer reports it bound, forgotten when the bind fails, and expires
// (is dropped) if the bind succeeded but no confirmation arrived within the TTL.
//
// Node infos sit in a list ordered by last change (newest first), so refreshing a
// snapshot walks only the nodes that changed since that snapshot's generation.

import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import { silentLogger } from '../../common/logging.js';
import { NodeInfo } from '../framework/nodeInfo.js';
import { withPod, type PodInfo } from '../framework/podInfo.js';
import type { Node, Pod } from '../framework/types.js';
import { Snapshot } from './snapshot.js';

interface NodeItem {
  info: NodeInfo;
  prev: NodeItem | undefined;
  next: NodeItem | undefined;
}

interface PodState {
  pi: PodInfo;
  nodeName: string;
  /** Assumed pods only: the bind call has returned. */
  bindingFinished: boolean;
  /** Assumed pods only: when an unconfirmed bind is given up on. */
  deadline: number | undefined;
}

export interface SchedulerCacheOptions {
  clock: Clock;
  /** How long after a successful bind an unconfirmed assumed pod is kept; 0 keeps it forever. */
  assumedPodTTLms?: number;
  logger?: Logger;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeItem>();
  private head: NodeItem | undefined;
  private readonly podStates = new Map<string, PodState>();
  private readonly assumed = new Set<string>();
  private readonly imageNodes = new Map<string, Set<string>>();
  private imagesGeneration = 0;
  private nodesWithObject = 0;
  private readonly clock: Clock;
  private readonly ttl: number;
  private readonly logger: Logger;

  constructor(opts: SchedulerCacheOptions) {
    this.clock = opts.clock;
    this.ttl = opts.assumedPodTTLms ?? 30_000;
    this.logger = opts.logger ?? silentLogger();
  }

  // ---- nodes ----------------------------------------------------------------

  private item(name: string): NodeItem {
    let it = this.nodes.get(name);
    if (!it) {
      it = { info: new NodeInfo(name), prev: undefined, next: undefined };
      this.nodes.set(name, it);
      this.pushFront(it);
    }
    return it;
  }

  private pushFront(it: NodeItem): void {
    it.prev = undefined;
    it.next = this.head;
    if (this.head) this.head.prev = it;
    this.head = it;
  }

  private unlink(it: NodeItem): void {
    if (it.prev) it.prev.next = it.next;
    else if (this.head === it) this.head = it.next;
    if (it.next) it.next.prev = it.prev;
    it.prev = it.next = undefined;
  }

  /** Moves a node that just changed to the front, where snapshots look first. */
  private touched(it: NodeItem): void {
    if (this.head === it) return;
    this.unlink(it);
    this.pushFront(it);
  }

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const it = this.item(name);
    const had = !!it.info.node;
    this.trackImages(it.info, false);
    it.info.setNode(node);
    this.trackImages(it.info, true);
    if (!had) this.nodesWithObject++;
    this.touched(it);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const it = this.nodes.get(name);
    if (!it?.info.node) return;
    this.trackImages(it.info, false);
    it.info.removeNode();
    this.nodesWithObject--;
    // Pods still reported on a deleted node keep its info alive (without a Node, so it is
    // never chosen) until they are gone too.
    if (it.info.pods.length === 0) {
      this.unlink(it);
      this.nodes.delete(name);
    } else {
      this.touched(it);
    }
  }

  private trackImages(ni: NodeInfo, add: boolean): void {
    if (!ni.node || ni.imageSizes.size === 0) return;
    for (const img of ni.imageSizes.keys()) {
      let set = this.imageNodes.get(img);
      if (add) {
        if (!set) this.imageNodes.set(img, (set = new Set()));
        if (!set.has(ni.name)) {
          set.add(ni.name);
          this.imagesGeneration++;
        }
      } else if (set?.delete(ni.name)) {
        if (set.size === 0) this.imageNodes.delete(img);
        this.imagesGeneration++;
      }
    }
  }

  nodeCount(): number {
    return this.nodesWithObject;
  }

  // ---- pods -----------------------------------------------------------------

  private place(pi: PodInfo, nodeName: string): void {
    const it = this.item(nodeName);
    it.info.addPod(pi);
    this.touched(it);
  }

  private unplace(key: string, nodeName: string): void {
    const it = this.nodes.get(nodeName);
    if (!it) return;
    it.info.removePod(key);
    if (!it.info.node && it.info.pods.length === 0) {
      this.unlink(it);
      this.nodes.delete(nodeName);
    } else {
      this.touched(it);
    }
  }

  /** Counts `pi` against `nodeName` now, before the binding is confirmed. */
  assumePod(pi: PodInfo, nodeName: string): PodInfo {
    if (this.podStates.has(pi.key)) throw new Error(`pod ${pi.key} is already in the cache; it cannot be assumed`);
    const pod: Pod = { ...pi.pod, spec: { ...pi.pod.spec!, nodeName } };
    const assumed = withPod(pi, pod);
    this.place(assumed, nodeName);
    this.podStates.set(pi.key, { pi: assumed, nodeName, bindingFinished: false, deadline: undefined });
    this.assumed.add(pi.key);
    return assumed;
  }

  /** The bind call succeeded: start the clock on the confirmation. */
  finishBinding(key: string): void {
    const st = this.podStates.get(key);
    if (!st || !this.assumed.has(key)) return;
    st.bindingFinished = true;
    st.deadline = this.ttl > 0 ? this.clock.now() + this.ttl : undefined;
  }

  /** The bind failed: the pod no longer counts against the node. */
  forgetPod(key: string): void {
    const st = this.podStates.get(key);
    if (!st || !this.assumed.has(key)) return;
    this.unplace(key, st.nodeName);
    this.podStates.delete(key);
    this.assumed.delete(key);
  }

  isAssumedPod(key: string): boolean {
    return this.assumed.has(key);
  }

  /** The pod as the cache has it (bound or assumed), and its node. */
  getPod(key: string): { pi: PodInfo; nodeName: string } | undefined {
    const st = this.podStates.get(key);
    return st ? { pi: st.pi, nodeName: st.nodeName } : undefined;
  }

  /** A bound pod reported by the informer (it may confirm an assumed one). */
  addPod(pi: PodInfo): void {
    const nodeName = pi.pod.spec?.nodeName;
    if (!nodeName) return;
    const st = this.podStates.get(pi.key);
    if (st) {
      // Confirmation of an assumed pod, or a repeat (after a relist): replace in place.
      this.unplace(pi.key, st.nodeName);
      this.assumed.delete(pi.key);
    }
    this.place(pi, nodeName);
    this.podStates.set(pi.key, { pi, nodeName, bindingFinished: true, deadline: undefined });
  }

  updatePod(pi: PodInfo): void {
    this.addPod(pi);
  }

  removePod(key: string): void {
    const st = this.podStates.get(key);
    if (!st) return;
    this.unplace(key, st.nodeName);
    this.podStates.delete(key);
    this.assumed.delete(key);
  }

  podCount(): number {
    return this.podStates.size;
  }

  assumedCount(): number {
    return this.assumed.size;
  }

  /** Drops assumed pods whose bind finished but was never confirmed in time. Returns their keys. */
  cleanupExpiredAssumedPods(): string[] {
    const now = this.clock.now();
    const expired: string[] = [];
    for (const key of this.assumed) {
      const st = this.podStates.get(key)!;
      if (!st.bindingFinished || st.deadline === undefined || now < st.deadline) continue;
      this.logger.warn('assumed pod expired without a confirmed binding', { pod: key, node: st.nodeName });
      expired.push(key);
    }
    for (const key of expired) this.forgetPod(key);
    return expired;
  }

  // ---- snapshots --------------------------------------------------------------

  /**
   * Brings `snapshot` up to date, copying only node infos changed since its generation.
   * Cost: O(changed nodes), plus O(nodes) when the set of nodes or of nodes with affinity
   * pods changed.
   */
  updateSnapshot(snapshot: Snapshot): void {
    const since = snapshot.generation;
    let rebuild = false;
    const added: NodeInfo[] = [];
    for (let it = this.head; it && it.info.generation > since; it = it.next) {
      const ni = it.info;
      const existing = snapshot.nodeInfoMap.get(ni.name);
      if (!ni.node) {
        if (existing) {
          snapshot.nodeInfoMap.delete(ni.name);
          rebuild = true;
        }
        continue;
      }
      if (existing) {
        const hadAffinity = existing.podsWithAffinity.length > 0;
        const hadAnti = existing.podsWithRequiredAntiAffinity.length > 0;
        existing.copyFrom(ni);
        if (hadAffinity !== existing.podsWithAffinity.length > 0 || hadAnti !== existing.podsWithRequiredAntiAffinity.length > 0) rebuild = true;
      } else {
        added.push(ni.clone());
        rebuild = true;
      }
    }
    // The walk goes newest first; insert the other way round, so on a fresh cache the node
    // order is the order of arrival.
    for (let i = added.length - 1; i >= 0; i--) snapshot.nodeInfoMap.set(added[i]!.name, added[i]!);
    if (this.head) snapshot.generation = Math.max(snapshot.generation, this.head.info.generation);
    // Nodes removed from the cache entirely leave no item to walk: find them by count.
    if (snapshot.nodeInfoMap.size > this.nodesWithObject) {
      for (const name of snapshot.nodeInfoMap.keys()) {
        if (!this.nodes.get(name)?.info.node) {
          snapshot.nodeInfoMap.delete(name);
          rebuild = true;
        }
      }
    }
    if (snapshot.imagesGeneration !== this.imagesGeneration) {
      const counts = new Map<string, number>();
      for (const [img, set] of this.imageNodes) counts.set(img, set.size);
      snapshot.imageNodeCount = counts;
      snapshot.imagesGeneration = this.imagesGeneration;
    }
    if (rebuild) snapshot.rebuildLists();
  }
}
