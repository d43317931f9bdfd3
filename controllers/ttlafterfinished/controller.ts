// The TTL-after-finished controller: deletes a finished Job `ttlSecondsAfterFinished` after
// it finished (propagation Background: the garbage collector then deletes its pods), as
// Kubernetes' ttlafterfinished controller does. A Job not yet due gets one timer on the
// controller's clock for when it is; nothing polls. Before deleting, the Job is read from the
// API once more (the cache may hold an older TTL) and deleted with that resourceVersion as
// precondition, so a TTL raised at the last moment wins.

import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import { realClock, type TimerClock } from '../../common/clock.js';
import { keyString, type ControllerRegistration, type InformerSource, type ObjectKey, type Reconciler } from '../../common/controller/types.js';
import { ConflictError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { jobsResource, type Job } from '../job/types.js';
import { KeyTimers } from '../cronjob/keyTimers.js';
import { expiry } from './expiry.js';

export const ttlAfterFinishedControllerNameInManager = 'ttlafterfinished';

export interface TtlAfterFinishedControllerOptions {
  api: Api;
  logger: Logger;
  /** Expiry is judged and timers set on this clock. */
  clock?: TimerClock;
  /** Concurrent syncs (kube-controller-manager's --concurrent-ttl-after-finished-syncs). */
  workers?: number;
}

export class TtlAfterFinishedController implements Reconciler {
  private readonly api: Api;
  private readonly logger: Logger;
  private readonly clock: TimerClock;
  private readonly workers: number;
  /** Per Job key: the timer that enqueues it when its TTL runs out. */
  private readonly timers: KeyTimers<ObjectKey>;
  private jobs: Informer<Job> | undefined;
  private enqueue: ((key: ObjectKey) => void) | undefined;

  constructor(opts: TtlAfterFinishedControllerOptions) {
    this.api = opts.api;
    this.logger = opts.logger.child({ controller: ttlAfterFinishedControllerNameInManager });
    this.clock = opts.clock ?? realClock;
    this.workers = opts.workers ?? 5;
    this.timers = new KeyTimers<ObjectKey>(this.clock, (key) => this.enqueue?.(key));
  }

  registration(): ControllerRegistration {
    return { name: ttlAfterFinishedControllerNameInManager, reconciler: this, workers: this.workers, watch: (source, enqueue) => this.watch(source, enqueue) };
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.enqueue = enqueue;
    const jobs = (this.jobs = source.informer<Job>(jobsResource));
    // Only Jobs that have something to clean up are queued; a deleted one drops its timer.
    const consider = (job: Job): void => {
      if (expiry(job, this.clock.now()).state !== 'not-ours') enqueue({ namespace: job.metadata.namespace ?? '', name: job.metadata.name ?? '' });
    };
    jobs.addEventHandler({
      onAdd: consider,
      onUpdate: (_old, job) => consider(job),
      onDelete: (job) => enqueue({ namespace: job.metadata.namespace ?? '', name: job.metadata.name ?? '' }),
    });
  }

  /** Timers still set (tests check that nothing is left scheduled). */
  pendingTimers(): number {
    return this.timers.size();
  }

  async reconcile(key: ObjectKey): Promise<void> {
    if (!this.jobs) throw new Error('the TTL-after-finished controller reconciled before watch() wired its informer');
    const k = keyString(key);
    this.timers.set(k, key, undefined);
    const cached = this.jobs.store.get(k);
    if (!cached) return;
    const e = expiry(cached, this.clock.now());
    if (e.state === 'unknown-finish') this.logger.warn('finished job has no finish time; not cleaning it up', { key: k });
    if (e.state === 'alive') this.timers.set(k, key, e.remainingMs);
    if (e.state !== 'expired') return;

    // The cache may be behind (a TTL raised, the Job re-created): judge the live object.
    let fresh: Job;
    try {
      fresh = await this.api.get<Job>(jobsResource, key.namespace, key.name);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    const now = expiry(fresh, this.clock.now());
    if (now.state === 'alive') return this.timers.set(k, key, now.remainingMs);
    if (now.state !== 'expired') return;
    try {
      await this.api.delete(jobsResource, key.namespace, key.name, { propagationPolicy: 'Background', preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } });
      this.logger.info('deleted finished job whose TTL expired', { key: k });
    } catch (err) {
      if (err instanceof NotFoundError) return;
      // Changed since we read it: the update event brings it back to be judged again.
      if (err instanceof ConflictError) return;
      throw err;
    }
  }
}
