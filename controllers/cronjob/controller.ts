// The CronJob controller: makes a CronJob's Jobs at its scheduled times, as Kubernetes'
// cronjob controller (v2) does. A sync reconciles status.active with the Jobs the CronJob
// controls, decides (decide.ts) whether a run is due, deletes the active Jobs first under
// Replace, creates the run's Job (a deterministic name: AlreadyExists means this run was
// made already), prunes the finished Jobs beyond the history limits, writes the status, and
// sets a timer on its clock for the next scheduled time. Nothing polls: between runs a
// CronJob costs one timer.
//
// The timers are this controller's own (on its injected clock) rather than the manager's
// queue delay, so a test moves the schedule with a FakeClock while leader election and the
// API client keep real time.

import { isDeepStrictEqual } from 'node:util';
import { controllerOf, isControlledBy } from '../../common/api/ownerRefs.js';
import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import { realClock, rfc3339, type TimerClock } from '../../common/clock.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import { controllerUIDIndex, indexers } from '../../common/controller/indexers.js';
import { keyString, type ControllerRegistration, type EventRecorder, type InformerSource, type ObjectKey, type Reconciler } from '../../common/controller/types.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { jobsResource, type Job } from '../job/types.js';
import { historyToPrune, plan, reconcileActive, requeueAfterMs, type EventNote } from './decide.js';
import { jobForRun } from './jobForRun.js';
import { KeyTimers } from './keyTimers.js';
import { cronJobKind, cronJobsResource, eventReasons, type CronJob, type CronJobStatus, type ObjectReference } from './types.js';

export const cronJobControllerNameInManager = 'cronjob';

export interface CronJobControllerOptions {
  api: Api;
  events: EventRecorder;
  logger: Logger;
  /** Schedules are read and timers set on this clock. */
  clock?: TimerClock;
  /** Concurrent syncs of distinct CronJobs (kube-controller-manager's --concurrent-cron-job-syncs). */
  workers?: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isCronJobRef = (ref: { apiVersion: string; kind: string } | undefined): boolean => ref !== undefined && ref.kind === cronJobKind.kind && ref.apiVersion.split('/')[0] === 'batch';
const refTo = (job: Job): ObjectReference => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  namespace: job.metadata.namespace,
  name: job.metadata.name,
  uid: job.metadata.uid,
  resourceVersion: job.metadata.resourceVersion,
});

export class CronJobController implements Reconciler {
  private readonly api: Api;
  private readonly events: EventRecorder;
  private readonly logger: Logger;
  private readonly clock: TimerClock;
  private readonly workers: number;
  /** Per CronJob key: the timer that enqueues it at its next scheduled time. */
  private readonly timers: KeyTimers<ObjectKey>;
  /** Per CronJob key: the resourceVersion of our last status write, so a sync never acts on an older copy. */
  private readonly written = new Map<string, bigint>();
  private cronJobs: Informer<CronJob> | undefined;
  private jobs: Informer<Job> | undefined;
  private enqueue: ((key: ObjectKey) => void) | undefined;

  constructor(opts: CronJobControllerOptions) {
    this.api = opts.api;
    this.events = opts.events;
    this.logger = opts.logger.child({ controller: cronJobControllerNameInManager });
    this.clock = opts.clock ?? realClock;
    this.workers = opts.workers ?? 5;
    this.timers = new KeyTimers<ObjectKey>(this.clock, (key) => this.enqueue?.(key));
  }

  registration(): ControllerRegistration {
    return { name: cronJobControllerNameInManager, reconciler: this, workers: this.workers, watch: (source, enqueue) => this.watch(source, enqueue) };
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.enqueue = enqueue;
    const cronJobs = (this.cronJobs = source.informer<CronJob>(cronJobsResource));
    const jobs = (this.jobs = source.informer<Job>(jobsResource, { indexers: indexers(controllerUIDIndex) }));
    const enqueueCronJob = (cj: CronJob): void => enqueue({ namespace: cj.metadata.namespace ?? '', name: cj.metadata.name ?? '' });
    cronJobs.addEventHandler({ onAdd: enqueueCronJob, onUpdate: (_old, cj) => enqueueCronJob(cj), onDelete: enqueueCronJob });
    const enqueueOwner = (job: Job): void => {
      const ref = controllerOf(job);
      if (isCronJobRef(ref)) enqueue({ namespace: job.metadata.namespace ?? '', name: ref!.name });
    };
    jobs.addEventHandler({ onAdd: enqueueOwner, onUpdate: (_old, job) => enqueueOwner(job), onDelete: enqueueOwner });
  }

  /** Timers still set (tests check that a deleted or suspended CronJob leaves none). */
  pendingTimers(): number {
    return this.timers.size();
  }

  async reconcile(key: ObjectKey): Promise<void> {
    if (!this.cronJobs || !this.jobs) throw new Error('the CronJob controller reconciled before watch() wired its informers');
    const k = keyString(key);
    const cj = this.cronJobs.store.get(k);
    if (!cj) {
      this.timers.set(k, key, undefined);
      this.written.delete(k);
      return;
    }
    const written = this.written.get(k);
    // Our last status write is not in the cache yet: its update event will bring us back.
    if (written !== undefined && BigInt(cj.metadata.resourceVersion ?? '0') < written) return;
    await this.sync(k, key, cj);
  }

  private async sync(k: string, key: ObjectKey, cj: CronJob): Promise<void> {
    const log = this.logger.child({ key: k });
    const now = this.clock.now();
    const jobs = this.jobs!.store.byIndex(controllerUIDIndex, cj.metadata.uid ?? '');
    const reconciled = reconcileActive(cj, jobs, await this.missingActive(cj, jobs));
    this.record(cj, reconciled.events);
    const status = reconciled.status;
    const errors: unknown[] = [];

    const decision = plan({ ...cj, status }, now);
    if (decision.action === 'invalid') this.record(cj, [decision.event]);
    if (decision.action === 'wait' || decision.action === 'run') this.record(cj, decision.events);
    if (decision.action === 'run') {
      for (const ref of decision.replace) {
        if (await this.deleteJob(cj, ref, errors)) status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
      }
      // Under Replace, a run starts only once the runs it replaces are going.
      if (errors.length === 0) {
        const job = await this.createJob(cj, decision.scheduledTime, errors, log);
        if (job) {
          if (!(status.active ?? []).some((r) => r.uid === job.metadata.uid)) status.active = [...(status.active ?? []), refTo(job)];
          status.lastScheduleTime = rfc3339(decision.scheduledTime);
        }
      }
    }
    if (status.active?.length === 0) delete status.active;

    for (const job of historyToPrune({ ...cj, status }, jobs)) {
      const ref = refTo(job);
      if (await this.deleteJob(cj, ref, errors)) status.active = status.active?.filter((r) => r.uid !== ref.uid);
    }
    if (status.active?.length === 0) delete status.active;

    if (!isDeepStrictEqual(status, cj.status ?? {})) await this.writeStatus(k, cj, status);
    this.timers.set(k, key, requeueAfterMs({ ...cj, status }, now));
    if (errors.length) throw errors[0];
  }

  /** Active Jobs the cache does not have: asked of the API, so a slow watch does not make a running Job look gone. */
  private async missingActive(cj: CronJob, jobs: readonly Job[]): Promise<Set<string>> {
    const missing = new Set<string>();
    const cached = new Set(jobs.map((j) => j.metadata.uid));
    for (const ref of cj.status?.active ?? []) {
      if (cached.has(ref.uid)) continue;
      try {
        const job = await this.api.get<Job>(jobsResource, ref.namespace ?? cj.metadata.namespace, ref.name ?? '');
        if (job.metadata.uid !== ref.uid) missing.add(ref.uid ?? '');
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        missing.add(ref.uid ?? '');
      }
    }
    return missing;
  }

  /** Creates the run's Job; an existing one this CronJob controls is that run, made before. */
  private async createJob(cj: CronJob, scheduledTime: number, errors: unknown[], log: Logger): Promise<Job | undefined> {
    const want = jobForRun(cj, scheduledTime);
    try {
      const job = await this.api.create<Job>(jobsResource, cj.metadata.namespace, want);
      this.events.event(cj, 'Normal', eventReasons.successfulCreate, `Created job ${job.metadata.name ?? ''}`);
      log.info('created job', { job: job.metadata.name, scheduledTime: rfc3339(scheduledTime) });
      return job;
    } catch (e) {
      if (e instanceof AlreadyExistsError) {
        const existing = await this.api.get<Job>(jobsResource, cj.metadata.namespace, want.metadata.name ?? '');
        if (isControlledBy(existing, cj)) {
          log.info('job already exists', { job: existing.metadata.name });
          return existing;
        }
        this.events.event(cj, 'Warning', eventReasons.failedCreate, `Error creating job: a job named ${want.metadata.name ?? ''} exists and is not controlled by this CronJob`);
        return undefined;
      }
      if (!(e instanceof NotLeaderError)) this.events.event(cj, 'Warning', eventReasons.failedCreate, `Error creating job: ${message(e)}`);
      errors.push(e);
      return undefined;
    }
  }

  /** Deletes a Job (its pods by the garbage collector, in the background); true once it is gone or going. */
  private async deleteJob(cj: CronJob, ref: ObjectReference, errors: unknown[]): Promise<boolean> {
    const name = ref.name ?? '';
    try {
      await this.api.delete(jobsResource, ref.namespace ?? cj.metadata.namespace, name, { propagationPolicy: 'Background', ...(ref.uid ? { preconditions: { uid: ref.uid } } : {}) });
      this.events.event(cj, 'Normal', eventReasons.successfulDelete, `Deleted job ${name}`);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return true;
      if (!(e instanceof NotLeaderError)) this.events.event(cj, 'Warning', eventReasons.failedDelete, `Deleted job: ${message(e)}`);
      errors.push(e);
      return false;
    }
  }

  /** Writes the status with the CronJob's resourceVersion as precondition: a stale copy conflicts and is retried. */
  private async writeStatus(k: string, cj: CronJob, status: CronJobStatus): Promise<void> {
    try {
      const updated = await this.api.updateStatus<CronJob>(cronJobsResource, { ...cj, status });
      this.written.set(k, BigInt(updated.metadata.resourceVersion ?? '0'));
    } catch (e) {
      if (e instanceof ConflictError) this.logger.debug('cronjob status conflict; the cache was behind', { key: k });
      throw e;
    }
  }

  private record(cj: CronJob, notes: readonly EventNote[]): void {
    for (const n of notes) this.events.event(cj, n.type, n.reason, n.message);
  }
}
