// core/v1 Events, written in the background like client-go's event broadcaster: recording
// never blocks scheduling; a bounded queue drops events when the API server cannot keep up
// (client-go drops at 1,000 queued); a repeat of the same event on the same object bumps
// `count` and `lastTimestamp` on the existing Event instead of creating another.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { rfc3339 } from '../../common/clock.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { Logger } from '../../common/logging.js';
import { silentLogger } from '../../common/logging.js';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion?: string;
}

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  record(obj: InvolvedObject, type: EventType, reason: string, message: string): void;
}

interface Pending {
  obj: InvolvedObject;
  type: EventType;
  reason: string;
  message: string;
  at: number;
}

export interface EventRecorderOptions {
  client: RestClient;
  component: string;
  instance: string;
  clock: Clock;
  action?: string;
  logger?: Logger;
  maxQueued?: number;
  concurrency?: number;
  /** How many distinct (object, reason, message) series to remember for counting repeats. */
  seriesCacheSize?: number;
  /** Told of every outcome, for metrics. */
  onResult?: (result: 'written' | 'dropped' | 'failed') => void;
}

export class EventRecorder implements EventSink {
  private readonly queue: Pending[] = [];
  private readonly series = new Map<string, { name: string; count: number }>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly logger: Logger;
  readonly stats = { written: 0, dropped: 0, failed: 0 };

  constructor(private readonly opts: EventRecorderOptions) {
    this.logger = opts.logger ?? silentLogger();
  }

  record(obj: InvolvedObject, type: EventType, reason: string, message: string): void {
    if (this.queue.length >= (this.opts.maxQueued ?? 1000)) {
      this.stats.dropped++;
      this.opts.onResult?.('dropped');
      return;
    }
    this.queue.push({ obj, type, reason, message, at: this.opts.clock.now() });
    this.pump();
  }

  /** Resolves when everything recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.active < (this.opts.concurrency ?? 4) && this.queue.length) {
      const ev = this.queue.shift()!;
      this.active++;
      void this.write(ev)
        .catch((e: unknown) => {
          this.stats.failed++;
          this.opts.onResult?.('failed');
          this.logger.debug('event write failed', { reason: ev.reason, error: e instanceof Error ? e.message : String(e) });
        })
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.queue.length === 0) {
            for (const w of this.idleWaiters.splice(0)) w();
          }
        });
    }
  }

  private async write(ev: Pending): Promise<void> {
    const key = `${ev.obj.uid}\x00${ev.reason}\x00${ev.message}`;
    const ns = ev.obj.namespace || 'default';
    const base = `/api/v1/namespaces/${encodeURIComponent(ns)}/events`;
    const now = rfc3339(ev.at);
    const seen = this.series.get(key);
    if (seen) {
      seen.count++;
      const r = await this.opts.client.request('PATCH', `${base}/${encodeURIComponent(seen.name)}`, {
        body: { count: seen.count, lastTimestamp: now },
        contentType: 'application/merge-patch+json',
      });
      if (r.status === 200) {
        this.stats.written++;
        this.opts.onResult?.('written');
        return;
      }
      this.series.delete(key); // gone (expired or deleted): start a new one
    }
    const name = `${ev.obj.name}.${randomBytes(8).toString('hex')}`;
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: ev.obj,
      reason: ev.reason,
      message: ev.message,
      type: ev.type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.opts.component },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance,
      ...(this.opts.action ? { action: this.opts.action } : {}),
    };
    const r = await this.opts.client.request('POST', base, { body });
    if (r.status !== 201) throw new Error(`create event: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
    this.stats.written++;
    this.opts.onResult?.('written');
    this.series.set(key, { name, count: 1 });
    if (this.series.size > (this.opts.seriesCacheSize ?? 4096)) {
      const oldest = this.series.keys().next().value;
      if (oldest !== undefined) this.series.delete(oldest);
    }
  }
}
