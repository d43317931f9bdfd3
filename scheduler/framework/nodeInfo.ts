// One node and the pods on it (bound or assumed), with the sums the filters need kept
// up to date as pods come and go: requested resources, used host ports, pods with
// affinity. `generation` changes on every mutation, which is how the snapshot knows
// which nodes to copy.

import { hasAffinity, normalizeImage, type HostPort, type PodInfo } from './podInfo.js';
import { addInto, cloneResource, emptyResource, nodeAllocatable, subInto, type Resource } from './resource.js';
import type { Node, Taint } from './types.js';

/** Host ports in use, by IP, as `protocol/port`. 0.0.0.0 conflicts with every IP. */
export class HostPortUsage {
  private readonly byIp = new Map<string, Map<string, number>>();

  add(p: HostPort): void {
    let m = this.byIp.get(p.ip);
    if (!m) this.byIp.set(p.ip, (m = new Map()));
    const k = `${p.protocol}/${p.port}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  remove(p: HostPort): void {
    const m = this.byIp.get(p.ip);
    if (!m) return;
    const k = `${p.protocol}/${p.port}`;
    const n = (m.get(k) ?? 0) - 1;
    if (n > 0) m.set(k, n);
    else m.delete(k);
    if (m.size === 0) this.byIp.delete(p.ip);
  }
  conflicts(p: HostPort): boolean {
    const k = `${p.protocol}/${p.port}`;
    if (p.ip === '0.0.0.0') {
      for (const m of this.byIp.values()) if (m.has(k)) return true;
      return false;
    }
    return !!this.byIp.get(p.ip)?.has(k) || !!this.byIp.get('0.0.0.0')?.has(k);
  }
  get size(): number {
    return this.byIp.size;
  }
  clone(): HostPortUsage {
    const c = new HostPortUsage();
    for (const [ip, m] of this.byIp) c.byIp.set(ip, new Map(m));
    return c;
  }
}

let generationCounter = 0;
/** A process-wide, ever-increasing generation, as Kubernetes' nextGeneration(). */
export function nextGeneration(): number {
  return ++generationCounter;
}

export class NodeInfo {
  node: Node | undefined = undefined;
  labels: Readonly<Record<string, string>> = {};
  taints: readonly Taint[] = [];
  unschedulable = false;
  allocatable: Resource = emptyResource();
  /** Sum of the requests of the pods here. */
  requested: Resource = emptyResource();
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortUsage();
  /** Normalized image name -> size in bytes, from node.status.images. */
  imageSizes: ReadonlyMap<string, number> = new Map();
  generation = nextGeneration();

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    this.allocatable = nodeAllocatable(node);
    const images = new Map<string, number>();
    for (const img of node.status?.images ?? []) for (const n of img.names ?? []) images.set(normalizeImage(n), img.sizeBytes ?? 0);
    this.imageSizes = images;
    this.generation = nextGeneration();
  }

  removeNode(): void {
    this.node = undefined;
    this.generation = nextGeneration();
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (hasAffinity(pi)) this.podsWithAffinity.push(pi);
    if (pi.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity.push(pi);
    addInto(this.requested, pi.requests);
    for (const p of pi.hostPorts) this.usedPorts.add(p);
    this.generation = nextGeneration();
  }

  /** Removes the pod with this key; false if it was not here. */
  removePod(key: string): boolean {
    const i = this.pods.findIndex((p) => p.key === key);
    if (i < 0) return false;
    const pi = this.pods[i]!;
    this.pods.splice(i, 1);
    const a = this.podsWithAffinity.findIndex((p) => p.key === key);
    if (a >= 0) this.podsWithAffinity.splice(a, 1);
    const b = this.podsWithRequiredAntiAffinity.findIndex((p) => p.key === key);
    if (b >= 0) this.podsWithRequiredAntiAffinity.splice(b, 1);
    subInto(this.requested, pi.requests);
    for (const p of pi.hostPorts) this.usedPorts.remove(p);
    this.generation = nextGeneration();
    return true;
  }

  /** An independent copy (pod infos are shared; they are immutable). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.copyFrom(this);
    return c;
  }

  /** Makes this node info equal to `other`, copying its mutable parts. */
  copyFrom(other: NodeInfo): void {
    this.node = other.node;
    this.labels = other.labels;
    this.taints = other.taints;
    this.unschedulable = other.unschedulable;
    this.allocatable = other.allocatable; // replaced, never mutated, by setNode
    this.requested = cloneResource(other.requested);
    this.pods = other.pods.slice();
    this.podsWithAffinity = other.podsWithAffinity.slice();
    this.podsWithRequiredAntiAffinity = other.podsWithRequiredAntiAffinity.slice();
    this.usedPorts = other.usedPorts.clone();
    this.imageSizes = other.imageSizes;
    this.generation = other.generation;
  }
}
