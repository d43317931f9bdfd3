// The Job controller: runs a job's pods until `completions` succeeded (or, without
// completions, until one succeeded and the rest finished), at most `parallelism` at a time,
// each Indexed index once; replaces failed pods after the pod-failure back-off; fails the
// job past backoffLimit or activeDeadlineSeconds, or at once when a failed pod matches a
// podFailurePolicy FailJob rule (an Ignore rule's failures are not counted); deletes the
// active pods of a suspended job.
// Every pod it creates holds the tracking finalizer until its result is written into the
// job's status (tracking.ts), so no result is lost when this controller restarts.
//
// One sync: decide (decide.ts) on the cached job and pods -> delete/create pods -> write the
// new results as uncounted -> remove their finalizers -> move them into the counters and,
// once nothing is left uncounted or terminating, add Complete or Failed.

import { isDeepStrictEqual } from 'node:util';
import { controllerOf } from '../../common/api/ownerRefs.js';
import { objectKey, type Informer } from '../../common/client/informer.js';
import { rfc3339 } from '../../common/clock.js';
import { ExpectingControllerBase, type ExpectingControllerDeps } from '../../common/controller/base.js';
import { observeChildren } from '../../common/controller/expectations.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import { controllerKey } from '../../common/controller/handlers.js';
import { controllerUIDIndex, indexers, namespaceIndex } from '../../common/controller/indexers.js';
import { keyOf, keyString, type EnqueueAfter, type InformerSource, type ObjectKey, type ReconcileResult } from '../../common/controller/types.js';
import { ConflictError, NotFoundError, TimeoutError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { defaultSyncBatchPeriodMs, isPromptJobUpdate } from './batching.js';
import { ensureCondition, holds } from './conditions.js';
import { decide, type Finishing } from './decide.js';
import { nextRecord, remainingBackoffMs, type BackoffRecord } from './failureBackoff.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { failJobMessage } from './podFailurePolicy.js';
import { podForJob } from './podForJob.js';
import { hasTrackingFinalizer, isActivePod, isFailedPod, isIndexed, isReadyPod, isTerminatingPod, track } from './tracking.js';
import { conditionTypes, jobControllerName, jobKind, jobsResource, podsResource, reasons, trackingFinalizer, type Job, type JobStatus, type Pod } from './types.js';

export const jobControllerNameInManager = 'job';

export interface JobControllerOptions extends ExpectingControllerDeps {
  /** Pod events of one Job within this long make one sync (batching.ts); 0 syncs on every event. */
  syncBatchPeriodMs?: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isJobRef = (ref: { apiVersion: string; kind: string } | undefined): boolean => ref !== undefined && ref.kind === jobKind.kind && ref.apiVersion.split('/')[0] === 'batch';
const isFinished = (job: Job): boolean => holds(job.status?.conditions, conditionTypes.complete) || holds(job.status?.conditions, conditionTypes.failed);
const removeFinalizerPatch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [trackingFinalizer] } };

export class JobController extends ExpectingControllerBase {
  /** Per job key: pod uids whose finalizer this controller removed, until the cache shows it gone. */
  private readonly removalsInFlight = new Map<string, Set<string>>();
  /** Per job uid: the pod-failure back-off. */
  private readonly backoffs = new Map<string, BackoffRecord>();
  /** Per job key: the resourceVersion of our last status write, so a sync never acts on an older copy. */
  private readonly written = new Map<string, bigint>();
  private readonly batchPeriodMs: number;
  private jobs: Informer<Job> | undefined;
  private pods: Informer<Pod> | undefined;

  constructor(opts: JobControllerOptions) {
    super({ name: jobControllerNameInManager, defaultWorkers: 5 }, opts);
    this.batchPeriodMs = opts.syncBatchPeriodMs ?? defaultSyncBatchPeriodMs;
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void, enqueueAfter: EnqueueAfter): void {
    const jobs = (this.jobs = source.informer<Job>(jobsResource));
    const pods = (this.pods = source.informer<Pod>(podsResource, { indexers: indexers(controllerUIDIndex, namespaceIndex) }));
    const batched = (key: ObjectKey): void => enqueueAfter(key, this.batchPeriodMs);
    jobs.addEventHandler({
      onAdd: (job) => enqueue(keyOf(job)),
      onUpdate: (old, job) => (isPromptJobUpdate(old, job) ? enqueue(keyOf(job)) : batched(keyOf(job))),
      onDelete: (job) => enqueue(keyOf(job)),
    });

    // Every event of a pod a job controls goes to that job's key, even when the job is gone
    // (its pods' finalizers must then be removed), with the batch: one sync per period (batching.ts).
    pods.addEventHandler(
      observeChildren<Pod>(this.expectations, (pod) => controllerKey(pod, jobsResource), (pod, owner, gone) => {
        if (!owner) return;
        const inFlight = this.removalsInFlight.get(keyString(owner));
        if (inFlight && (gone || !hasTrackingFinalizer(pod))) inFlight.delete(pod.metadata.uid ?? '');
        batched(owner);
      }),
    );
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.jobs || !this.pods) throw new Error('the Job controller reconciled before watch() wired its informers');
    const k = keyString(key);
    const job = this.jobs.store.get(k);
    await this.releaseOrphans(key, job);
    if (!job) {
      this.expectations.forget(k);
      this.removalsInFlight.delete(k);
      this.written.delete(k);
      return;
    }
    if (job.spec?.managedBy !== undefined && job.spec.managedBy !== jobControllerName) return;
    // Our last status write is not in the cache yet: its update event will bring us back.
    const written = this.written.get(k);
    if (written !== undefined && BigInt(job.metadata.resourceVersion ?? '0') < written) return;
    const pods = this.pods.store.byIndex(controllerUIDIndex, job.metadata.uid ?? '');
    if (isFinished(job)) {
      // Nothing more to count: whatever still holds the finalizer is let go.
      await this.removeFinalizers(k, pods.filter(hasTrackingFinalizer));
      this.backoffs.delete(job.metadata.uid ?? '');
      return;
    }
    return this.sync(k, job, pods);
  }

  /** Pods whose controlling Job is gone (or was re-created under the same name) lose the finalizer. */
  private async releaseOrphans(key: ObjectKey, job: Job | undefined): Promise<void> {
    const orphans = this.pods!.store.byIndex(namespaceIndex, key.namespace ?? '').filter((p) => {
      const ref = controllerOf(p);
      return isJobRef(ref) && ref!.name === key.name && ref!.uid !== job?.metadata.uid && hasTrackingFinalizer(p);
    });
    if (orphans.length) await this.removeFinalizers(keyString(key), orphans);
  }

  private async sync(k: string, job: Job, pods: Pod[]): Promise<ReconcileResult | void> {
    const log = this.logger.child({ key: k });
    const now = this.clock.now();
    const status: JobStatus = structuredClone(job.status ?? {});
    const indexed = isIndexed(job);
    const completions = job.spec?.completions ?? 0;
    let inFlight = this.removalsInFlight.get(k);
    if (!inFlight) this.removalsInFlight.set(k, (inFlight = new Set<string>()));
    const completed = indexed ? parseIndexes(status.completedIndexes, completions) : new Set<number>();

    // What is new since the last sync, before deciding anything.
    const seen = track({ job, pods, removalsInFlight: inFlight, completed });
    for (const ix of seen.newCompletedIndexes) completed.add(ix);
    const uncounted = status.uncountedTerminatedPods ?? {};
    const succeeded = indexed ? completed.size : (status.succeeded ?? 0) + (uncounted.succeeded?.length ?? 0) + seen.uncountedSucceeded.length;
    const failed = (status.failed ?? 0) + (uncounted.failed?.length ?? 0) + seen.uncountedFailed.length;
    // Ignored failures do not count toward backoffLimit but still delay replacements, as in Kubernetes.
    const backoff = nextRecord(this.backoffs.get(job.metadata.uid ?? ''), seen.newSucceeded, [...seen.newFailed, ...seen.ignored], now);
    const active = pods.filter(isActivePod);
    let terminating = pods.filter(isTerminatingPod).length;
    const satisfied = this.expectations.satisfied(k);
    const canManage = satisfied && !job.metadata.deletionTimestamp;
    if (status.startTime === undefined && job.spec?.suspend !== true) status.startTime = rfc3339(now);

    const failJob = failJobMessage(job, pods.filter((p) => isFailedPod(p, job)));
    const decision = decide({ job: { ...job, status }, now, active, terminating, succeeded, failed, completed, backoffRemainingMs: remainingBackoffMs(backoff, now), canManage, failJobMessage: failJob });
    let finishing: Finishing | undefined = decision.finishing;
    let activeAfter = decision.activeAfter;

    // Pods.
    const errors: unknown[] = [];
    if (decision.remove.pods.length) {
      const removed = await this.deletePods(k, job, decision.remove.pods, !decision.remove.countAsFailed, errors);
      // Pods bound to a node stay terminating for their grace period: the job is not done before they are gone.
      terminating += removed;
      activeAfter += decision.remove.pods.length - removed;
      // A failing job is finished only once all its pods are going: else try again.
      if (removed < decision.remove.pods.length && finishing?.type === 'Failed') finishing = undefined;
    }
    // Pods created a moment ago may not be in the cache yet: they must be seen (and deleted) first.
    if (finishing?.type === 'Failed' && !satisfied) finishing = undefined;
    if (decision.create.length) {
      const made = await this.createPods(k, job, decision.create, errors, log);
      activeAfter -= decision.create.length - made;
    }

    // Conditions that say where the job is heading, and suspension.
    let conditions = status.conditions;
    let suspendedChanged: 'Suspended' | 'Resumed' | undefined;
    if (finishing) {
      const interim = finishing.type === 'Failed' ? conditionTypes.failureTarget : conditionTypes.successCriteriaMet;
      conditions = ensureCondition(conditions, interim, 'True', finishing.reason, finishing.message, now).conditions;
    } else if (decision.suspended !== undefined) {
      const r = decision.suspended
        ? ensureCondition(conditions, conditionTypes.suspended, 'True', reasons.suspended, 'Job suspended', now)
        : ensureCondition(conditions, conditionTypes.suspended, 'False', reasons.resumed, 'Job resumed', now);
      conditions = r.conditions;
      if (r.changed) {
        suspendedChanged = decision.suspended ? 'Suspended' : 'Resumed';
        // activeDeadlineSeconds counts time continuously active: a resumed job starts its clock again.
        if (!decision.suspended) status.startTime = rfc3339(now);
      }
    }
    if (conditions !== undefined) status.conditions = conditions;
    status.active = activeAfter;
    status.ready = active.filter(isReadyPod).length;
    status.terminating = terminating;

    // Results: record them as uncounted, let the pods go, then count them.
    const tracking = finishing ? track({ job, pods, removalsInFlight: inFlight, finishing: finishing.type, completed: new Set(completed) }) : seen;
    const newUncounted = tracking.uncountedSucceeded.length + tracking.uncountedFailed.length > 0;
    status.uncountedTerminatedPods = {
      succeeded: [...(uncounted.succeeded ?? []), ...tracking.uncountedSucceeded],
      failed: [...(uncounted.failed ?? []), ...tracking.uncountedFailed],
    };
    if (indexed) {
      status.completedIndexes = formatIndexes(completed);
      status.succeeded = completed.size;
    }
    let current = job;
    if (newUncounted || (indexed && status.completedIndexes !== (job.status?.completedIndexes ?? ''))) current = await this.writeStatus(k, current, status);
    const stillHeld = new Set(tracking.withFinalizer);
    for (const uid of await this.removeFinalizers(k, tracking.removeFinalizer)) stillHeld.delete(uid);
    const moved = { succeeded: 0, failed: 0 };
    const keep = (list: string[] | undefined, which: 'succeeded' | 'failed'): string[] =>
      (list ?? []).filter((uid) => {
        if (stillHeld.has(uid)) return true;
        moved[which]++;
        return false;
      });
    status.uncountedTerminatedPods = { succeeded: keep(status.uncountedTerminatedPods.succeeded, 'succeeded'), failed: keep(status.uncountedTerminatedPods.failed, 'failed') };
    if (!indexed) status.succeeded = (status.succeeded ?? 0) + moved.succeeded;
    status.failed = (status.failed ?? 0) + moved.failed;

    // Finished: nothing left uncounted and no pod still terminating.
    const left = status.uncountedTerminatedPods.succeeded!.length + status.uncountedTerminatedPods.failed!.length;
    const done = finishing !== undefined && left === 0 && terminating === 0;
    if (done) {
      status.conditions = ensureCondition(status.conditions, finishing!.type, 'True', finishing!.reason, finishing!.message, now).conditions;
      if (finishing!.type === 'Complete') status.completionTime = rfc3339(now);
    }
    if (!isDeepStrictEqual(normalized(status), normalized(current.status ?? {}))) current = await this.writeStatus(k, current, status);
    this.backoffs.set(job.metadata.uid ?? '', backoff);

    if (suspendedChanged) this.events.event(job, 'Normal', suspendedChanged, suspendedChanged === 'Suspended' ? 'Job suspended' : 'Job resumed');
    if (done) {
      if (finishing!.type === 'Complete') this.events.event(job, 'Normal', 'Completed', 'Job completed');
      else this.events.event(job, 'Warning', finishing!.reason, finishing!.message);
      log.info('job finished', { condition: finishing!.type, reason: finishing!.reason, succeeded: status.succeeded, failed: status.failed });
    }
    if (errors.length) throw errors[0];
    return decision.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(decision.requeueAfterMs, 1) } : undefined;
  }

  /** Creates pods (one per entry; the entry is the index of an Indexed pod); returns how many were made. */
  private async createPods(k: string, job: Job, create: (number | undefined)[], errors: unknown[], log: Logger): Promise<number> {
    this.expectations.expectCreations(k, create.length);
    log.info('creating pods', { count: create.length });
    const results = await Promise.allSettled(
      create.map(async (index) => {
        try {
          const pod = await this.api.create<Pod>(podsResource, job.metadata.namespace, podForJob(job, index));
          this.events.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
        } catch (e) {
          // A timed-out create may still happen: the informer (or the expectations' expiry) will tell.
          if (e instanceof TimeoutError) return;
          this.expectations.creationObserved(k);
          if (!(e instanceof NotLeaderError)) this.events.event(job, 'Warning', 'FailedCreate', `Error creating: ${message(e)}`);
          throw e;
        }
      }),
    );
    let made = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') made++;
      else errors.push(r.reason);
    }
    return made;
  }

  /**
   * Deletes active pods. Pods of a suspended or scaled-down job are not failures: they lose
   * the finalizer first. Pods of a failing job keep it and are counted as failed once deleting.
   */
  private async deletePods(k: string, job: Job, pods: Pod[], releaseFirst: boolean, errors: unknown[]): Promise<number> {
    this.expectations.expectDeletions(k, pods.map((p) => objectKey(p)));
    if (releaseFirst) await this.removeFinalizers(k, pods.filter(hasTrackingFinalizer));
    const results = await Promise.allSettled(
      pods.map(async (pod) => {
        const name = pod.metadata.name ?? '';
        try {
          await this.api.delete(podsResource, pod.metadata.namespace, name, { preconditions: { uid: pod.metadata.uid } });
          this.events.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (e) {
          if (e instanceof NotFoundError) return this.expectations.deletionObserved(k, objectKey(pod));
          this.expectations.deletionObserved(k, objectKey(pod));
          if (!(e instanceof NotLeaderError)) this.events.event(job, 'Warning', 'FailedDelete', `Error deleting: ${message(e)}`);
          throw e;
        }
      }),
    );
    let removed = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') removed++;
      else errors.push(r.reason);
    }
    return removed;
  }

  /** Removes the tracking finalizer; returns the uids it is now gone from (a vanished pod counts). */
  private async removeFinalizers(k: string, pods: Pod[]): Promise<string[]> {
    if (pods.length === 0) return [];
    let inFlight = this.removalsInFlight.get(k);
    if (!inFlight) this.removalsInFlight.set(k, (inFlight = new Set()));
    const done: string[] = [];
    const errors: unknown[] = [];
    await Promise.all(
      pods.map(async (pod) => {
        const uid = pod.metadata.uid ?? '';
        try {
          await this.api.patch(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', removeFinalizerPatch);
          inFlight.add(uid);
          done.push(uid);
        } catch (e) {
          if (e instanceof NotFoundError) done.push(uid);
          else errors.push(e);
        }
      }),
    );
    if (errors.length) throw errors[0];
    return done;
  }

  /** Writes the status with the job's resourceVersion as precondition: a stale copy is a conflict, never a double count. */
  private async writeStatus(k: string, job: Job, status: JobStatus): Promise<Job> {
    try {
      const updated = await this.api.updateStatus<Job>(jobsResource, { ...job, status: normalized(status) });
      this.written.set(k, BigInt(updated.metadata.resourceVersion ?? '0'));
      return updated;
    } catch (e) {
      if (e instanceof ConflictError) this.logger.debug('job status conflict; the cache was behind', { key: k });
      throw e;
    }
  }
}

/** The status as stored: empty uncounted lists and unset optional fields are left out, as Kubernetes' JSON does. */
function normalized(status: JobStatus): JobStatus {
  const out: JobStatus = { ...status };
  const u = status.uncountedTerminatedPods;
  out.uncountedTerminatedPods = {};
  if (u?.succeeded?.length) out.uncountedTerminatedPods.succeeded = u.succeeded;
  if (u?.failed?.length) out.uncountedTerminatedPods.failed = u.failed;
  if (out.completedIndexes === '') delete out.completedIndexes;
  for (const f of ['succeeded', 'failed', 'active'] as const) if (out[f] === 0) delete out[f];
  return out;
}
