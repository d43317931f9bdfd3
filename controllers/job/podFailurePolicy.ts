// A job's podFailurePolicy applied to one failed pod, as Kubernetes' job controller does:
// the rules are tried in order and the first that matches decides. FailJob ends the job at
// once (its message names the container and exit code, or the pod condition, and the rule's
// index); Ignore does not count the failure toward backoffLimit; Count, or no match, counts
// it. A container that exited 0 never matches an exit-code rule, whatever the operator, and
// neither does one still running; a rule whose action is unknown is skipped.

import type { ContainerStatus, Job, Pod, PodFailurePolicy, PodFailurePolicyRule } from './types.js';

export interface PolicyMatch {
  /** The action of the first rule that matched; undefined when none did (the failure counts). */
  action?: 'FailJob' | 'Ignore' | 'Count';
  /** Whether the failure counts toward backoffLimit (false only for Ignore). */
  countFailed: boolean;
  /** For FailJob: the job's Failed condition message. */
  failJobMessage?: string;
}

const noMatch: PolicyMatch = { countFailed: true };

/** The first terminated, non-zero container (app containers first, then init containers) the requirement selects. */
function matchingContainer(pod: Pod, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): ContainerStatus | undefined {
  for (const list of [pod.status?.containerStatuses, pod.status?.initContainerStatuses]) {
    for (const s of list ?? []) {
      const code = s.state?.terminated?.exitCode;
      if (code === undefined || code === 0) continue;
      if (req.containerName !== undefined && req.containerName !== s.name) continue;
      const listed = req.values.includes(code);
      if ((req.operator === 'In' && listed) || (req.operator === 'NotIn' && !listed)) return s;
    }
  }
  return undefined;
}

/** The first of the pod's conditions (in the pod's order) that some pattern names. */
function matchingCondition(pod: Pod, patterns: NonNullable<PodFailurePolicyRule['onPodConditions']>): { type: string } | undefined {
  for (const c of pod.status?.conditions ?? []) {
    if (patterns.some((p) => p.type === c.type && (p.status ?? 'True') === c.status)) return c;
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PolicyMatch {
  if (!policy) return noMatch;
  const podName = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const s = matchingContainer(pod, rule.onExitCodes);
      if (!s) continue;
      failJobMessage = `Container ${s.name ?? ''} for pod ${podName} failed with exit code ${s.state!.terminated!.exitCode!} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const c = matchingCondition(pod, rule.onPodConditions);
      if (!c) continue;
      failJobMessage = `Pod ${podName} has condition ${c.type} matching ${rule.action} rule at index ${index}`;
    } else {
      continue;
    }
    switch (rule.action) {
      case 'Ignore':
        return { action: 'Ignore', countFailed: false };
      case 'Count':
        return { action: 'Count', countFailed: true };
      case 'FailJob':
        return { action: 'FailJob', countFailed: true, failJobMessage };
      default:
        // FailIndex (refused by the API server without backoffLimitPerIndex) or an action
        // from a newer API: the rule is skipped, as Kubernetes skips what it does not know.
        continue;
    }
  }
  return noMatch;
}

/**
 * The message of the first failed pod (in the given order) that matches a FailJob rule, if any:
 * the job is then heading to Failed with reason PodFailurePolicy.
 */
export function failJobMessage(job: Job, failedPods: readonly Pod[]): string | undefined {
  const policy = job.spec?.podFailurePolicy;
  if (!policy) return undefined;
  for (const pod of failedPods) {
    const m = matchPodFailurePolicy(policy, pod);
    if (m.failJobMessage !== undefined) return m.failJobMessage;
  }
  return undefined;
}
