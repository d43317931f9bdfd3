// Whether a node should run a DaemonSet's pod, as Kubernetes' NodeShouldRunDaemonPod decides:
// the template's nodeSelector and required node affinity must match the node, and its taints
// must be tolerated (with the tolerations every daemon pod gets). An untolerated NoSchedule
// taint keeps a new pod off but lets a running one stay; an untolerated NoExecute taint does
// neither. Cordoning (unschedulable) does not matter: daemon pods tolerate it.

import { toleratedByAny } from '../../common/api/tolerations.js';
import { compileNodeSelector, nodeSelectorMatches, type NodeFacts } from '../../common/selectors/nodeSelector.js';
import type { DaemonPodSpec, Node, Toleration } from './types.js';

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

/** The facts a node selector reads of a Node. */
export const nodeFacts = (node: Node): NodeFacts => ({ name: node.metadata.name ?? '', labels: node.metadata.labels ?? {} });

function placementMatches(spec: DaemonPodSpec, node: Node): boolean {
  const facts = nodeFacts(node);
  return compileNodeSelector(spec.nodeSelector ?? {})(facts) && nodeSelectorMatches(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, facts);
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
