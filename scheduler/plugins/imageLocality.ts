// ImageLocality: prefer nodes that already have the pod's images, by their size, scaled
// down when the image is on few nodes (so pods do not all pile onto the one node that
// happens to have it). Sizes are clamped between 23 MiB and 1000 MiB per container, as in
// Kubernetes, so tiny images do not matter and huge ones do not dominate.

import type { Snapshot } from '../cache/snapshot.js';
import type { CycleState } from '../framework/cycleState.js';
import { MAX_NODE_SCORE, type ClusterEvent, type PreScorePlugin, type ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';

export const IMAGE_LOCALITY = 'ImageLocality';
const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const preScoreKey = 'PreScore' + IMAGE_LOCALITY;

interface ImageState {
  /** image -> fraction of nodes that have it */
  spread: Map<string, number>;
  containers: number;
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = IMAGE_LOCALITY;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeImagesChange'];

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    const total = snapshot.numNodes();
    const spread = new Map<string, number>();
    for (const img of pod.images) {
      const n = snapshot.imageNodeCount.get(img);
      if (n) spread.set(img, n / total);
    }
    // No node has any of the images: every node would score 0.
    if (spread.size === 0 || total === 0) return Status.skip;
    state.write(preScoreKey, { spread, containers: pod.images.length } satisfies ImageState);
    return Status.success;
  }

  score(state: CycleState, _pod: PodInfo, ni: NodeInfo): number {
    const st = state.read<ImageState>(preScoreKey);
    if (!st || ni.imageSizes.size === 0) return 0;
    let sum = 0;
    for (const [img, spread] of st.spread) {
      const size = ni.imageSizes.get(img);
      if (size) sum += size * spread;
    }
    const max = MAX_CONTAINER_THRESHOLD * st.containers;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
    return (MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD);
  }
}
