// Why each node refused a pod, published on the pod for `gantry why` (and anyone else) to read.
//
// Where: an annotation on the Pod, `scheduler.gantry.dev/unschedulable-nodes`, written next to
// the FailedScheduling event and the PodScheduled=False condition, and removed when the pod is
// bound. Why an annotation: Kubernetes has no status field for per-node verdicts; the condition
// message must stay kube-scheduler's "0/N nodes are available: ..." histogram (tools parse it);
// Events are aggregated, rate-limited and expire, so they cannot be a reliable place for a
// per-pod answer. An annotation is what Kubernetes extensions use for data of their own, any
// client reads it with a plain GET, and `kubectl get pod -o yaml` shows it.
//
// What (version 1, documented in the README): compact JSON
//   {"nodes":{"n1":["Insufficient cpu"],"n2":["node(s) had untolerated taint {gpu: yes}"]},"omitted":3}
// `nodes` maps node name -> the reasons of the status the scheduler's filters returned for it
// (the same strings FitError counts into the condition message). Bounded: nodes in name order
// until the JSON would exceed maxAnnotationBytes, each reason cut to maxReasonChars; `omitted`
// (present only when non-zero) counts the nodes left out.

import type { UnschedulableNodes } from '../../common/api/schedulerAnnotations.js';
import type { Status } from '../framework/status.js';

export const maxAnnotationBytes = 8 * 1024;
export const maxReasonChars = 200;


function cut(s: string): string {
  return s.length > maxReasonChars ? `${s.slice(0, maxReasonChars - 1)}…` : s;
}

/** The annotation's value for a diagnosis' node -> status map, within maxAnnotationBytes. */
export function encodeUnschedulableNodes(nodeToStatus: ReadonlyMap<string, Pick<Status, 'reasons'>>): string {
  const names = [...nodeToStatus.keys()].sort();
  const nodes: Record<string, string[]> = {};
  // Bytes so far, with room for `,"omitted":NNNNNN}`.
  let size = Buffer.byteLength('{"nodes":{},"omitted":999999}');
  let kept = 0;
  for (const name of names) {
    const reasons = nodeToStatus.get(name)!.reasons.map(cut);
    const entry = Buffer.byteLength(`${JSON.stringify(name)}:${JSON.stringify(reasons)},`);
    if (size + entry > maxAnnotationBytes) break;
    size += entry;
    nodes[name] = reasons;
    kept++;
  }
  const out: UnschedulableNodes = { nodes };
  if (kept < names.length) out.omitted = names.length - kept;
  return JSON.stringify(out);
}
