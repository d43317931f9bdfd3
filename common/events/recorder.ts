// Gantry's one event recorder: core/v1 Events about objects, written in the background like
// client-go's event broadcaster. Recording never blocks and never throws: a bounded queue
// drops (and counts) events when the API server cannot keep up, the correlator drops an
// object's spam and turns repeats into a count on the existing Event (a PATCH of count,
// lastTimestamp and series) rather than a new Event. Writes of one Event are serialized,
// and repeats still queued are coalesced into one write.

import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/meta.js';
import { resourceFor } from '../api/resources.js';
import type { Api } from '../client/api.js';
import { microTime } from '../client/leaderElection.js';
import { realClock, rfc3339, type Clock } from '../clock.js';
import type { EventRecorder } from '../controller/types.js';
import { AlreadyExistsError, NotFoundError } from '../errors.js';
import { silentLogger, type Logger } from '../logging.js';
import { EventCorrelator, type CorrelatorOptions, type InvolvedObject } from './correlator.js';

const eventsResource = resourceFor('Event');

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  api: Api;
  /** source.component and reportingComponent (client-go's reportingController), e.g. `gantry-scheduler`. */
  component: string;
  /** reportingInstance, e.g. the leader identity or the node name. */
  instance: string;
  /** source.host: the node, for the node agent. */
  host?: string;
  /** The action written on every Event (events.k8s.io's `action`), e.g. `Scheduling`. */
  action?: string;
  clock?: Clock;
  logger?: Logger;
  /** Distinct Events waiting to be written before new ones are dropped. Default 1000 (client-go's). */
  maxQueued?: number;
  /** Writes in flight. Default 4. */
  concurrency?: number;
  correlator?: Omit<CorrelatorOptions, 'clock'>;
  /** Told of every outcome, for metrics: `dropped` covers a full queue and the spam filter. */
  onResult?: (result: 'written' | 'dropped' | 'failed') => void;
}

/** Optional details of one event. */
export interface EventDetails {
  /** The part of the object the event is about, e.g. `spec.containers{app}`. */
  fieldPath?: string;
}

/** The core/v1 Event as written. */
export interface CoreEvent extends KubeObject {
  involvedObject: InvolvedObject;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingComponent: string;
  reportingInstance: string;
  action?: string;
}

interface Write {
  event: CoreEvent;
  /** Whether the Event may not exist yet (its create has not been written). */
  create: boolean;
}

/** Event names are `<object>.<16 hex>`, kept within the 253 characters of a name. */
function eventName(objName: string): string {
  return `${objName.slice(0, 253 - 17)}.${randomBytes(8).toString('hex')}`;
}

export class ApiEventRecorder implements EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Writes waiting, by Event name, in arrival order. */
  private readonly pending = new Map<string, Write>();
  private readonly running = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  readonly stats = { written: 0, counted: 0, coalesced: 0, dropped: 0, spamFiltered: 0, failed: 0 };

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger();
    this.correlator = new EventCorrelator({ ...opts.correlator, clock: this.clock });
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string, details: EventDetails = {}): void {
    try {
      this.record(obj, type, reason, message, details);
    } catch (e) {
      // Recording is best effort; a malformed object must not fail the caller.
      this.logger.debug('event not recorded', { reason, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Resolves when everything recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    if (this.running.size === 0 && this.pending.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private record(obj: KubeObject, type: EventType, reason: string, message: string, details: EventDetails): void {
    const m = obj.metadata ?? {};
    const involvedObject: InvolvedObject = { kind: obj.kind ?? '', apiVersion: obj.apiVersion ?? '', name: m.name ?? '' };
    if (m.namespace) involvedObject.namespace = m.namespace;
    if (m.uid) involvedObject.uid = m.uid;
    if (m.resourceVersion) involvedObject.resourceVersion = m.resourceVersion;
    if (details.fieldPath) involvedObject.fieldPath = details.fieldPath;
    const source = { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) };

    const c = this.correlator.correlate({ involvedObject, source, type, reason, message }, () => eventName(m.name ?? 'event'));
    if (c.action === 'drop') {
      this.stats.spamFiltered++;
      this.result('dropped');
      return;
    }
    const now = this.clock.now();
    const count = c.action === 'count' ? c.count : 1;
    const queued = this.pending.get(c.name);
    if (queued) {
      // A write of this Event is still waiting: make it carry the latest count instead.
      Object.assign(queued.event, this.countFields(count, c.message, now));
      this.stats.coalesced++;
      return;
    }
    if (this.pending.size >= (this.opts.maxQueued ?? 1000)) {
      this.stats.dropped++;
      this.result('dropped');
      return;
    }
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: c.name, namespace: m.namespace || 'default' },
      involvedObject,
      reason,
      message: c.message,
      type,
      source,
      count,
      firstTimestamp: rfc3339(c.firstSeen),
      lastTimestamp: rfc3339(now),
      eventTime: microTime(c.firstSeen),
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance,
      ...(this.opts.action ? { action: this.opts.action } : {}),
    };
    if (count > 1) event.series = { count, lastObservedTime: microTime(now) };
    this.pending.set(c.name, { event, create: c.action === 'create' });
    this.pump();
  }

  private countFields(count: number, message: string, now: number): Partial<CoreEvent> {
    return { count, message, lastTimestamp: rfc3339(now), series: { count, lastObservedTime: microTime(now) } };
  }

  private result(r: 'written' | 'dropped' | 'failed'): void {
    this.opts.onResult?.(r);
  }

  private pump(): void {
    for (const [name, w] of this.pending) {
      if (this.running.size >= (this.opts.concurrency ?? 4)) return;
      if (this.running.has(name)) continue; // one write per Event at a time
      this.pending.delete(name);
      this.running.add(name);
      void this.write(w)
        .then(
          () => {
            this.stats.written++;
            this.result('written');
          },
          (e: unknown) => {
            this.stats.failed++;
            this.result('failed');
            this.logger.debug('event write failed', { reason: w.event.reason, event: name, error: e instanceof Error ? e.message : String(e) });
          },
        )
        .finally(() => {
          this.running.delete(name);
          this.pump();
          if (this.running.size === 0 && this.pending.size === 0) for (const r of this.idleWaiters.splice(0)) r();
        });
    }
  }

  private async write(w: Write): Promise<void> {
    const { api } = this.opts;
    const ns = w.event.metadata.namespace;
    const name = w.event.metadata.name!;
    if (!w.create) {
      const e = w.event;
      try {
        await api.patch(eventsResource, ns, name, 'merge', { count: e.count, message: e.message, lastTimestamp: e.lastTimestamp, series: e.series });
        this.stats.counted++;
        return;
      } catch (err) {
        // The Event expired (the API server keeps them an hour) or was deleted, or its
        // create was dropped: write it whole.
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    try {
      await api.create(eventsResource, ns, w.event);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
}
