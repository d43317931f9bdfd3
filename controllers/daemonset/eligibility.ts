// Whether a node should run a DaemonSet's pod, as Kubernetes' NodeShouldRunDaemonPod decides:
// the template's nodeSelector and required node affinity must match the node, and its taints
// must be tolerated (with the tolerations every daemon pod gets). An untolerated NoSchedule
// taint keeps a new pod off but lets a running one stay; an untolerated NoExecute taint does
// neither. Cordoning (unschedulable) does not matter: daemon pods tolerate it.

import { toleratedByAny } from '../../common/api/tolerations.js';
import type { DaemonPodSpec, Node, NodeSelectorRequirement, NodeSelectorTerm, Toleration } from './types.js';

export interface Eligibility {
  /** A pod should be created here if there is none. */
  shouldRun: boolean;
  /** A pod already here may stay. */
  shouldContinueRunning: boolean;
}

/** The tolerations Kubernetes adds to every daemon pod (network-unavailable only with hostNetwork). */
export function defaultDaemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  return [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

/** The pod's tolerations plus the defaults it lacks (same key and effect counts as present). */
export function withDefaultTolerations(spec: DaemonPodSpec): Toleration[] {
  const own = spec.tolerations ?? [];
  const missing = defaultDaemonTolerations(spec.hostNetwork === true).filter((d) => !own.some((t) => t.key === d.key && t.effect === d.effect));
  return [...own, ...missing];
}

const integer = /^[+-]?\d+$/;

function requirementHolds(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const bound = values[0] ?? '';
      if (value === undefined || !integer.test(value) || !integer.test(bound)) return false;
      return r.operator === 'Gt' ? BigInt(value) > BigInt(bound) : BigInt(value) < BigInt(bound);
    }
    default:
      return false;
  }
}

/** One term: every expression (labels) and field (only metadata.name exists) holds; an empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length + fields.length === 0) return false;
  for (const e of exprs) if (!requirementHolds(e, Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined)) return false;
  for (const f of fields) if (f.key !== 'metadata.name' || !requirementHolds(f, node.metadata.name)) return false;
  return true;
}

function placementMatches(spec: DaemonPodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
  return true;
}

export function nodeShouldRunDaemonPod(node: Node, spec: DaemonPodSpec): Eligibility {
  if (!placementMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDefaultTolerations(spec);
  let shouldRun = true;
  for (const taint of node.spec?.taints ?? []) {
    if (toleratedByAny(tolerations, taint)) continue;
    if (taint.effect === 'NoExecute') return { shouldRun: false, shouldContinueRunning: false };
    if (taint.effect === 'NoSchedule') shouldRun = false;
  }
  return { shouldRun, shouldContinueRunning: true };
}
