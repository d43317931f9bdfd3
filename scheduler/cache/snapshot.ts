// The view of the cluster one scheduling cycle reads: node infos by name and in a fixed
// order (zones interleaved, so sampling a share of nodes spreads over zones), plus the
// short lists of nodes that carry pods with affinity. The cache refreshes a snapshot in
// place, copying only the nodes that changed since the snapshot's generation.

import { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import type { Node } from '../framework/types.js';

export class Snapshot {
  readonly nodeInfoMap = new Map<string, NodeInfo>();
  /** Nodes (with a Node object) in scheduling order. */
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityList: NodeInfo[] = [];
  /** How many nodes have each (normalized) image, for ImageLocality's spread factor. */
  imageNodeCount: ReadonlyMap<string, number> = new Map();
  /** The cache generation this snapshot reflects. */
  generation = 0;
  imagesGeneration = -1;

  get(name: string): NodeInfo | undefined {
    return this.nodeInfoMap.get(name);
  }

  numNodes(): number {
    return this.nodeInfoList.length;
  }

  /** Rebuilds the ordered lists from the map. */
  rebuildLists(): void {
    const byZone = new Map<string, NodeInfo[]>();
    this.havePodsWithAffinityList = [];
    this.havePodsWithRequiredAntiAffinityList = [];
    for (const ni of this.nodeInfoMap.values()) {
      if (!ni.node) continue;
      const z = zoneOf(ni);
      let list = byZone.get(z);
      if (!list) byZone.set(z, (list = []));
      list.push(ni);
      if (ni.podsWithAffinity.length) this.havePodsWithAffinityList.push(ni);
      if (ni.podsWithRequiredAntiAffinity.length) this.havePodsWithRequiredAntiAffinityList.push(ni);
    }
    const zones = [...byZone.values()];
    if (zones.length === 1) {
      this.nodeInfoList = zones[0]!;
      return;
    }
    const out: NodeInfo[] = [];
    for (let i = 0; out.length < this.nodeInfoMap.size; i++) {
      let any = false;
      for (const z of zones) {
        const ni = z[i];
        if (ni) {
          out.push(ni);
          any = true;
        }
      }
      if (!any) break;
    }
    this.nodeInfoList = out;
  }

  /** A snapshot built directly from objects, for tests and the in-memory benchmark. */
  static from(nodes: Node[], pods: { pi: PodInfo; nodeName: string }[] = []): Snapshot {
    const s = new Snapshot();
    for (const n of nodes) {
      const ni = new NodeInfo(n.metadata?.name ?? '');
      ni.setNode(n);
      s.nodeInfoMap.set(ni.name, ni);
    }
    for (const { pi, nodeName } of pods) s.nodeInfoMap.get(nodeName)?.addPod(pi);
    const counts = new Map<string, number>();
    for (const ni of s.nodeInfoMap.values()) for (const img of ni.imageSizes.keys()) counts.set(img, (counts.get(img) ?? 0) + 1);
    s.imageNodeCount = counts;
    s.rebuildLists();
    return s;
  }
}

export function zoneOf(ni: NodeInfo): string {
  const l = ni.labels;
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\x00:${zone}` : '';
}
