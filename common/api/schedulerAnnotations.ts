// The annotation in which the scheduler publishes, on a pod it could not place, each node's
// reasons (written by scheduler/core/unschedulableNodes.ts, read by `gantry why`, allowed by
// the API server's scheduler restriction). Version 1, documented in the README: compact JSON
//   {"nodes":{"n1":["Insufficient cpu"]},"omitted":3}
// `omitted`, present only when non-zero, counts nodes left out to keep the value bounded.

export const schedulerUnschedulableNodesAnnotation = 'scheduler.gantry.dev/unschedulable-nodes';

export interface UnschedulableNodes {
  nodes: Record<string, string[]>;
  omitted?: number;
}

/** The annotation's value read back, or undefined when absent or not in the documented shape. */
export function parseUnschedulableNodes(raw: string | undefined): UnschedulableNodes | undefined {
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { nodes: rawNodes, omitted } = v as { nodes?: unknown; omitted?: unknown };
  if (typeof rawNodes !== 'object' || rawNodes === null) return undefined;
  const nodes: Record<string, string[]> = {};
  for (const [k, r] of Object.entries(rawNodes)) nodes[k] = Array.isArray(r) ? r.map(String) : [String(r)];
  return typeof omitted === 'number' && omitted > 0 ? { nodes, omitted } : { nodes };
}
