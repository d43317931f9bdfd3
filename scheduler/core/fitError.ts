// Why a pod fits nowhere, and the message users know from `kubectl describe pod`:
//   0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu.
// Reasons are counted over nodes and listed as "<count> <reason>", sorted as strings (as
// kube-scheduler's FitError does); a preemption verdict follows in the same style.

import type { Status } from '../framework/status.js';

export interface Diagnosis {
  /** The rejecting status of every node that was tried. */
  nodeToStatus: Map<string, Status>;
  /** Plugins that rejected the pod somewhere (they decide which events re-queue it). */
  unschedulablePlugins: Set<string>;
  /** Set when PreFilter rejected the pod for every node. */
  preFilterMsg?: string;
  /** Set by preemption when it could not help. */
  postFilterMsg?: string;
}

export function emptyDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), unschedulablePlugins: new Set() };
}

/** "<count> <reason>" for every reason, sorted; joined with ", ". */
export function reasonHistogram(statuses: Iterable<{ readonly reasons: readonly string[] }>): string {
  const counts = new Map<string, number>();
  for (const st of statuses) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

export function noNodesAvailableMessage(numAllNodes: number, detail: string): string {
  return `0/${numAllNodes} nodes are available: ${detail}.`;
}

export class FitError extends Error {
  constructor(
    readonly podKey: string,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super();
    this.name = 'FitError';
  }

  override get message(): string {
    let msg = `0/${this.numAllNodes} nodes are available:`;
    if (this.diagnosis.preFilterMsg) msg += ` ${this.diagnosis.preFilterMsg}.`;
    else {
      const h = reasonHistogram(this.diagnosis.nodeToStatus.values());
      if (h) msg += ` ${h}.`;
    }
    if (this.diagnosis.postFilterMsg) msg += ` ${this.diagnosis.postFilterMsg}.`;
    return msg;
  }
}
