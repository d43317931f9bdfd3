// Clients that write ConfigMaps through the API as fast as it answers while a test breaks
// something underneath (an etcd member, the API server), recording every write the API
// acknowledged, so the test can read each one back afterwards: an acknowledged write must
// never be lost. Failures are recorded too, to be reported (they depend on timing). Each
// write keeps when it was sent and acknowledged: the first write sent after a kill and
// acknowledged tells when the cluster took writes again.

import { randomBytes } from 'node:crypto';
import type { RestClient } from '../client/restClient.js';

interface ConfigMap {
  metadata: { name: string; resourceVersion?: string };
  data?: Record<string, string>;
}

export interface AckedWrite {
  name: string;
  value: string;
  /** The resourceVersion the create answered with. */
  rv: number;
  /** When the create was sent and when its 201 arrived (ms since the epoch). */
  sentAt: number;
  ackedAt: number;
}

export interface WriteLog {
  /** Every create answered 201, in the order acknowledged. */
  acked: AckedWrite[];
  /** What failed (status and message, or the client's error). */
  failures: string[];
  /** The counter ConfigMap's last acknowledged value (read-modify-write with resourceVersion). */
  counterAcked: number;
  /** The slowest answer (a write caught in an etcd election waits for it). */
  slowestMs: number;
}

export interface AckedWriters {
  log: WriteLog;
  /** The namespace's ConfigMaps path, e.g. /api/v1/namespaces/default/configmaps. */
  path: string;
  counterName: string;
  /** Stops the writers and waits for their last requests. */
  stop(): Promise<void>;
}

/** `HTTP 503 ServiceUnavailable: <message>` from an answer carrying a Status. */
function describeAnswer(res: { status: number; text: string }): string {
  try {
    const st = JSON.parse(res.text) as { reason?: string; message?: string };
    return `HTTP ${res.status} ${st.reason ?? ''}: ${st.message ?? ''}`.slice(0, 200);
  } catch {
    return `HTTP ${res.status} ${res.text.slice(0, 120)}`;
  }
}

async function timed<T>(log: WriteLog, call: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await call();
  } finally {
    log.slowestMs = Math.max(log.slowestMs, Date.now() - t);
  }
}

/**
 * After a failure a writer waits this long, as a client backs off: with the API server gone a
 * refused connection fails at once, and writers looping on it would take the CPU the
 * restarting server needs.
 */
const pauseAfterFailureMs = 50;

function failed(log: WriteLog, what: string): Promise<void> {
  log.failures.push(what);
  return new Promise((r) => setTimeout(r, pauseAfterFailureMs));
}

/** Creates `<prefix>-<w>-<i>` one after another until stopped. */
async function createLoop(client: RestClient, base: string, name: (i: number) => string, log: WriteLog, stopped: () => boolean): Promise<void> {
  for (let i = 0; !stopped(); i++) {
    const value = randomBytes(4).toString('hex');
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name(i) }, data: { v: value } };
    const sentAt = Date.now();
    try {
      const res = await timed(log, () => client.request<ConfigMap>('POST', base, { body }));
      if (res.status === 201) log.acked.push({ name: name(i), value, rv: Number(res.body.metadata.resourceVersion), sentAt, ackedAt: Date.now() });
      else await failed(log, `create: ${describeAnswer(res)}`);
    } catch (e) {
      await failed(log, `create: ${(e as Error).message}`);
    }
  }
}

/** Increments one ConfigMap's `n` (GET, then PUT with its resourceVersion) until stopped; a conflict re-reads. */
async function counterLoop(client: RestClient, path: string, log: WriteLog, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    try {
      const cur = await timed(log, () => client.get<ConfigMap>(path));
      if (cur.status !== 200) {
        await failed(log, `counter read: ${describeAnswer(cur)}`);
        continue;
      }
      const next = Number(cur.body.data?.n ?? '0') + 1;
      const res = await timed(log, () => client.request<ConfigMap>('PUT', path, { body: { ...cur.body, data: { n: String(next) } } }));
      if (res.status === 200) log.counterAcked = Math.max(log.counterAcked, next);
      else if (res.status !== 409) await failed(log, `counter update: ${describeAnswer(res)}`);
    } catch (e) {
      await failed(log, `counter: ${(e as Error).message}`);
    }
  }
}

/**
 * Starts `writers` create loops (ConfigMaps `<prefix>-<w>-<i>`) and one counter loop
 * (`<prefix>-counter`) in `namespace`.
 */
export async function startAckedWriters(client: RestClient, opts: { namespace: string; prefix: string; writers?: number }): Promise<AckedWriters> {
  const base = `/api/v1/namespaces/${opts.namespace}/configmaps`;
  const counterName = `${opts.prefix}-counter`;
  const made = await client.request('POST', base, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: counterName }, data: { n: '0' } } });
  if (made.status !== 201) throw new Error(`cannot create ${counterName}: HTTP ${made.status} ${made.text}`);
  const log: WriteLog = { acked: [], failures: [], counterAcked: 0, slowestMs: 0 };
  let stopped = false;
  const running = Array.from({ length: opts.writers ?? 3 }, (_, w) => createLoop(client, base, (i) => `${opts.prefix}-${w}-${i}`, log, () => stopped));
  running.push(counterLoop(client, `${base}/${counterName}`, log, () => stopped));
  return {
    log,
    path: base,
    counterName,
    stop: async () => {
      stopped = true;
      await Promise.all(running);
    },
  };
}

/** The first create sent at or after `since` that was acknowledged (by when its 201 arrived): when writes went through again. */
export function firstAckedSince(log: WriteLog, since: number): AckedWrite | undefined {
  let first: AckedWrite | undefined;
  for (const a of log.acked) if (a.sentAt >= since && (!first || a.ackedAt < first.ackedAt)) first = a;
  return first;
}

/**
 * Reads every acknowledged write back, one GET each (without resourceVersion: from etcd).
 * Returns what is missing or changed; the counter must be at least its last acknowledged value.
 */
export async function lostWrites(client: RestClient, writers: AckedWriters): Promise<string[]> {
  const lost: string[] = [];
  for (const a of writers.log.acked) {
    const got = await client.get<ConfigMap>(`${writers.path}/${a.name}`);
    if (got.status !== 200) lost.push(`${a.name}: HTTP ${got.status}`);
    else if (got.body.data?.v !== a.value) lost.push(`${a.name}: value ${got.body.data?.v}, acknowledged ${a.value}`);
  }
  const counter = await client.get<ConfigMap>(`${writers.path}/${writers.counterName}`);
  const n = Number(counter.body.data?.n ?? 'NaN');
  if (counter.status !== 200 || !(n >= writers.log.counterAcked)) lost.push(`${writers.counterName}: n=${counter.body.data?.n} (HTTP ${counter.status}), acknowledged ${writers.log.counterAcked}`);
  return lost;
}

/** `12x create: HTTP 503 ServiceUnavailable: ...; 3x counter: ...`: failures grouped by kind (quoted names elided), for a report line. */
export function summarizeFailures(failures: string[]): string {
  const counts = new Map<string, number>();
  for (const f of failures) {
    const kind = f.replace(/"[^"]*"/g, '"…"').slice(0, 160);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n}x ${k}`).join('; ') || 'none';
}
