// Kubernetes' event correlation (client-go's EventCorrelator), decided in memory before
// anything is written:
// - spam filter: a token bucket per (source, object): 25 events at once, then one per 5 min;
// - aggregation: more than 10 events about one object with the same reason and different
//   messages within 10 min become one "(combined from similar events): ..." series;
// - de-duplication: a repeat of the same (source, object, type, reason, message) is counted on
//   the existing Event (count, lastTimestamp, series) instead of creating another.

import type { Clock } from '../clock.js';
import { TokenBucket } from '../client/tokenBucket.js';
import { LruMap } from './lru.js';

export interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** The fields of a core/v1 Event the correlator looks at. */
export interface EventIdentity {
  involvedObject: InvolvedObject;
  source: { component: string; host?: string };
  type: string;
  reason: string;
  message: string;
}

export interface CorrelatorOptions {
  clock: Clock;
  /** Distinct messages with the same reason about one object before they are combined. Default 10. */
  maxSimilarEvents?: number;
  /** How long after the last of them similar events are remembered for aggregation. Default 10 min. */
  similarWindowMs?: number;
  /** A series not seen for this long starts a new Event. Default 1 h (the API server's event TTL). */
  seriesWindowMs?: number;
  /** Entries per cache. Default 4096. */
  cacheSize?: number;
  /** Per-object spam filter. Defaults 25 and 1/300 per second. */
  spamBurst?: number;
  spamQps?: number;
}

export const combinedPrefix = '(combined from similar events): ';

export type Correlation =
  /** Create a new Event named `name` with this message and count 1. */
  | { action: 'create'; name: string; message: string; firstSeen: number }
  /** Count a repeat on the existing Event `name`. */
  | { action: 'count'; name: string; message: string; count: number; firstSeen: number }
  /** The object's spam budget is spent: drop it. */
  | { action: 'drop' };

interface Series {
  name: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
}

interface Similar {
  messages: Set<string>;
  /** When one of them was last seen: the window runs from there, as in client-go. */
  last: number;
}

function objectKey(o: InvolvedObject): string {
  return [o.kind, o.namespace, o.name, o.uid, o.apiVersion].join('\x00');
}

export class EventCorrelator {
  private readonly series: LruMap<string, Series>;
  private readonly similar: LruMap<string, Similar>;
  private readonly spam: LruMap<string, TokenBucket>;

  constructor(private readonly opts: CorrelatorOptions) {
    const size = opts.cacheSize ?? 4096;
    this.series = new LruMap(size);
    this.similar = new LruMap(size);
    this.spam = new LruMap(size);
  }

  /**
   * What to write for this occurrence. `newName` names the Event if one is created (names
   * are chosen here so repeats can count on an Event whose create is still in flight).
   */
  correlate(ev: EventIdentity, newName: () => string): Correlation {
    const now = this.opts.clock.now();
    const source = `${ev.source.component}\x00${ev.source.host ?? ''}`;
    const obj = objectKey(ev.involvedObject);

    const spamKey = `${source}\x00${obj}`;
    let bucket = this.spam.get(spamKey);
    if (!bucket) {
      bucket = new TokenBucket({ qps: this.opts.spamQps ?? 1 / 300, burst: this.opts.spamBurst ?? 25, clock: this.opts.clock });
      this.spam.set(spamKey, bucket);
    }
    if (!bucket.tryAccept()) return { action: 'drop' };

    // Aggregation by (source, object, type, reason), counting distinct messages.
    const aggKey = `${source}\x00${obj}\x00${ev.type}\x00${ev.reason}`;
    let sim = this.similar.get(aggKey);
    if (!sim || now - sim.last > (this.opts.similarWindowMs ?? 600_000)) {
      sim = { messages: new Set(), last: now };
      this.similar.set(aggKey, sim);
    }
    sim.messages.add(ev.message);
    sim.last = now;
    const combined = sim.messages.size >= (this.opts.maxSimilarEvents ?? 10);
    const message = combined ? combinedPrefix + ev.message : ev.message;
    const seriesKey = combined ? `${aggKey}\x00(combined)` : `${aggKey}\x00${ev.involvedObject.fieldPath ?? ''}\x00${ev.message}`;

    const s = this.series.get(seriesKey);
    if (s && now - s.lastSeen <= (this.opts.seriesWindowMs ?? 3_600_000)) {
      s.count++;
      s.lastSeen = now;
      return { action: 'count', name: s.name, message, count: s.count, firstSeen: s.firstSeen };
    }
    const name = newName();
    this.series.set(seriesKey, { name, count: 1, firstSeen: now, lastSeen: now });
    return { action: 'create', name, message, firstSeen: now };
  }
}
