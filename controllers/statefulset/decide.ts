// One step of a StatefulSet, decided from the cached set, its pods and the namespace's claims
// at an injected time (no I/O), in the order Kubernetes' StatefulSet controller takes:
//
// 1. Every ordinal in [start, start + replicas), lowest first: a failed or succeeded pod is
//    deleted (made again, same name and claims, by a later sync); a missing pod is created
//    after its missing claims, from the current revision below the partition and from the
//    update revision otherwise. OrderedReady stops at the first pod it created, deleted or
//    that is terminating, not Running and Ready, or not yet available (minReadySeconds);
//    Parallel goes on.
// 2. Pods with an ordinal out of range, highest first: deleted, under OrderedReady one at a
//    time and only while every pod in range is healthy (an unhealthy condemned pod blocks
//    unless it is the first unhealthy pod of all). Scale-down wins over an update.
// 3. RollingUpdate: old pods at ordinals >= start + partition are deleted highest first
//    while fewer than maxUnavailable (default 1) pods in range are unavailable; OnDelete
//    leaves them to the user.
//
// Besides: claims' owner references follow persistentVolumeClaimRetentionPolicy, pods that
// lost their identity labels get them back, a pending pod's deleted claim is made again.

import type { OwnerReference } from '../../common/api/meta.js';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../replicaset/podState.js';
import { resolveMaxUnavailable } from '../daemonset/decide.js';
import { claimsOf, inRange, missingIdentityLabels, newClaim, newPod, ordinalOf, replicasOf, revisionOf, startOrdinal } from './identity.js';
import { claimOwners } from './retention.js';
import type { Revision } from './revisions.js';
import type { PersistentVolumeClaim, Pod, StatefulSet, StatefulSetStatus } from './types.js';

export interface Creation {
  pod: Pod;
  /** Claims to create before the pod (those that do not exist yet). */
  claims: PersistentVolumeClaim[];
}

export interface Deletion {
  pod: Pod;
  why: 'failed' | 'scaleDown' | 'update';
}

export interface Decision {
  create: Creation[];
  delete: Deletion[];
  /** Claims whose owner references change (retention policy). */
  claimOwners: { claim: PersistentVolumeClaim; ownerReferences: OwnerReference[] }[];
  /** Claims of existing pods made again (deleted while their pod was pending). */
  restoreClaims: PersistentVolumeClaim[];
  /** Pods whose identity labels are set again. */
  relabel: { pod: Pod; labels: Record<string, string> }[];
  status: StatefulSetStatus;
  /** Why OrderedReady stopped, for the log; undefined when it went through. */
  waiting?: string;
  /** Look again then (a ready pod becoming available after minReadySeconds). */
  requeueAfterMs?: number;
}

export interface DecideInput {
  set: StatefulSet;
  /** The set's pods (controlled by it and matching), terminating and finished ones included. */
  pods: readonly Pod[];
  /** The namespace's claims by name. */
  claims: ReadonlyMap<string, PersistentVolumeClaim>;
  current: Revision;
  update: Revision;
  now: number;
  /** False while earlier creates/deletes are not yet in the cache: count, change nothing. */
  canManage: boolean;
}

const isTerminating = (p: Pod): boolean => !!p.metadata.deletionTimestamp;
const isFinished = (p: Pod): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
const isPending = (p: Pod): boolean => (p.status?.phase ?? 'Pending') === 'Pending';

export function decide(input: DecideInput): Decision {
  const { set, current, update, now } = input;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const available = (p: Pod): boolean => isRunningAndReady(p) && isPodAvailable(p, minReady, now);
  const healthy = (p: Pod): boolean => available(p) && !isTerminating(p);
  const out: Decision = { create: [], delete: [], claimOwners: [], restoreClaims: [], relabel: [], status: computeStatus(input, available) };
  let requeue: number | undefined;
  const notYetAvailable = (p: Pod): void => {
    const ms = msUntilAvailable(p, minReady, now);
    if (ms !== undefined && ms > 0) requeue = Math.min(requeue ?? Infinity, ms);
  };
  for (const p of input.pods) if (isRunningAndReady(p) && !isTerminating(p)) notYetAvailable(p);
  const finish = (waiting?: string): Decision => {
    if (waiting !== undefined) out.waiting = waiting;
    if (requeue !== undefined) out.requeueAfterMs = requeue;
    return out;
  };
  if (!input.canManage || set.metadata.deletionTimestamp) return finish();

  const start = startOrdinal(set);
  const replicas = replicasOf(set);
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const slots: (Pod | undefined)[] = new Array<Pod | undefined>(replicas).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of input.pods) {
    const ord = ordinalOf(pod);
    if (ord < 0) continue;
    if (inRange(set, ord)) slots[ord - start] = pod;
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(a) - ordinalOf(b));

  // Retention policy: claims of every live pod (a condemned pod's before it is deleted).
  for (const pod of input.pods) {
    if (isTerminating(pod)) continue;
    for (const c of claimsOf(set, ordinalOf(pod))) {
      const claim = input.claims.get(c.claim);
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const owners = claimOwners(set, pod, claim);
      if (owners) out.claimOwners.push({ claim, ownerReferences: owners });
    }
  }

  const strategy = set.spec?.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  // Below the partition new pods keep the current revision (Kubernetes: without a rollingUpdate
  // block, the first status.currentReplicas ordinals do).
  const partition = strategy?.rollingUpdate ? (strategy.rollingUpdate.partition ?? 0) : (set.status?.currentReplicas ?? 0);

  for (let i = 0; i < replicas; i++) {
    const ord = start + i;
    const pod = slots[i];
    if (pod && isFinished(pod)) {
      if (!isTerminating(pod)) out.delete.push({ pod, why: 'failed' });
      if (monotonic) return finish(`${pod.metadata.name ?? ''} ${pod.status?.phase === 'Failed' ? 'failed' : 'succeeded'}: recreating it`);
      continue;
    }
    if (!pod) {
      const missing: PersistentVolumeClaim[] = [];
      let deleting: string | undefined;
      for (const c of claimsOf(set, ord)) {
        const claim = input.claims.get(c.claim);
        if (!claim) missing.push(newClaim(set, c.template, ord));
        else if (claim.metadata.deletionTimestamp) deleting = c.claim;
      }
      if (deleting !== undefined) {
        // Kubernetes refuses to start a pod on a claim about to go: wait for it to be gone.
        if (monotonic) return finish(`claim ${deleting} is being deleted`);
        out.waiting = `claim ${deleting} is being deleted`;
        continue;
      }
      const revision = rolling && ord < start + partition ? current : update;
      out.create.push({ pod: newPod(set, revision.template, ord, revision.name), claims: missing });
      if (monotonic) return finish(`creating ${set.metadata.name ?? ''}-${ord}`);
      continue;
    }
    if (isPending(pod) && !isTerminating(pod)) {
      for (const c of claimsOf(set, ord)) if (!input.claims.has(c.claim)) out.restoreClaims.push(newClaim(set, c.template, ord));
    }
    const name = pod.metadata.name ?? '';
    if (monotonic) {
      if (isTerminating(pod)) return finish(`${name} is terminating`);
      if (!isRunningAndReady(pod)) return finish(`${name} is not Running and Ready`);
      if (!available(pod)) return finish(`${name} is not available yet (minReadySeconds)`);
    }
    if (isTerminating(pod)) continue;
    const labels = missingIdentityLabels(set, pod);
    if (Object.keys(labels).length) out.relabel.push({ pod, labels });
  }

  // Scale down, highest ordinal first.
  const unhealthy = [...slots, ...condemned].find((p) => p !== undefined && !(isRunningAndReady(p) && !isTerminating(p)));
  for (let i = condemned.length - 1; i >= 0; i--) {
    const pod = condemned[i]!;
    const name = pod.metadata.name ?? '';
    if (isTerminating(pod)) {
      if (monotonic) return finish(`${name} is terminating`);
      continue;
    }
    if (monotonic && pod !== unhealthy && !isRunningAndReady(pod)) return finish(`${name} is not Running and Ready: not scaling down past it`);
    if (monotonic && pod !== unhealthy && !available(pod)) return finish(`${name} is not available yet: not scaling down past it`);
    out.delete.push({ pod, why: 'scaleDown' });
    if (monotonic) return finish(`scaling down: deleting ${name}`);
  }

  if (!rolling) return finish();
  const maxUnavailable = resolveMaxUnavailable(strategy?.rollingUpdate?.maxUnavailable, replicas);
  let budget = maxUnavailable - slots.filter((p) => p === undefined || !healthy(p)).length;
  // Without a rollingUpdate block every ordinal is updated.
  const updateMin = Math.max(0, strategy?.rollingUpdate?.partition ?? 0);
  for (let i = replicas - 1; i >= updateMin; i--) {
    const pod = slots[i];
    if (!pod || isTerminating(pod) || revisionOf(pod) === update.name) continue;
    if (!healthy(pod)) {
      // Down already: replacing it costs no availability.
      out.delete.push({ pod, why: 'update' });
      continue;
    }
    if (budget <= 0) break;
    out.delete.push({ pod, why: 'update' });
    budget--;
  }
  return finish();
}

/**
 * The status counters, over every pod of the set (condemned ones too), as Kubernetes counts
 * them; a rolling update is complete (current = update) once every pod is updated and ready.
 */
export function computeStatus(input: DecideInput, available: (p: Pod) => boolean): StatefulSetStatus {
  const { set, current, update } = input;
  const s: StatefulSetStatus = { replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0 };
  if (set.metadata.generation !== undefined) s.observedGeneration = set.metadata.generation;
  for (const p of input.pods) {
    s.replicas++;
    if (isRunningAndReady(p)) {
      s.readyReplicas!++;
      if (available(p)) s.availableReplicas!++;
    }
    if (isTerminating(p)) continue;
    if (revisionOf(p) === current.name) s.currentReplicas!++;
    if (revisionOf(p) === update.name) s.updatedReplicas!++;
  }
  s.currentRevision = current.name;
  s.updateRevision = update.name;
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentReplicas = s.updatedReplicas;
    s.currentRevision = update.name;
  }
  s.collisionCount = set.status?.collisionCount ?? 0;
  return s;
}
