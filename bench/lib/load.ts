// The two load shapes every phase uses, both bounded by an operation count (and the
// closed loop also by time), so a slow server makes the benchmark report less, never hang.

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** One operation; resolves true on success. Rejections count as failures. */
export type Op = (i: number) => Promise<boolean>;

export interface LoadResult {
  /** Operations that completed (success or failure). */
  ops: number;
  failures: number;
  elapsedMs: number;
  /** Per successful operation, in ms. */
  latencies: number[];
  firstError?: string;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Closed loop: `concurrency` workers, each sending its next operation as soon as the
 * previous one answers, until `maxOps` were started or `durationMs` passed. Measures
 * throughput; latencies here include queueing behind the other workers.
 */
export async function closedLoop(opts: { concurrency: number; maxOps: number; durationMs: number; op: Op }): Promise<LoadResult> {
  const start = performance.now();
  const deadline = start + opts.durationMs;
  const out: LoadResult = { ops: 0, failures: 0, elapsedMs: 0, latencies: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.maxOps && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await opts.op(i);
      } catch (e) {
        out.firstError ??= describe(e);
      }
      out.ops++;
      if (ok) out.latencies.push(performance.now() - t0);
      else out.failures++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  out.elapsedMs = performance.now() - start;
  return out;
}

export interface OpenLoopResult extends LoadResult {
  /** How late the worst send left compared with its schedule (event-loop lag on our side). */
  maxSendLagMs: number;
}

/**
 * Open loop: operation i is sent at start + i/rate whether or not earlier ones have
 * answered, so a server stall shows up in the latency of every request sent during it
 * (no coordinated omission). Latency counts from the actual send; timers fire up to a
 * millisecond after their due time, and counting that against a 1-2 ms etcd floor would
 * distort it. How late sends left is reported separately as maxSendLagMs.
 */
export async function openLoop(opts: { ratePerSec: number; count: number; op: Op }): Promise<OpenLoopResult> {
  const interval = 1000 / opts.ratePerSec;
  const start = performance.now() + 5;
  const out: OpenLoopResult = { ops: 0, failures: 0, elapsedMs: 0, latencies: [], maxSendLagMs: 0 };
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < opts.count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(Math.ceil(wait));
    const sent = performance.now();
    out.maxSendLagMs = Math.max(out.maxSendLagMs, sent - due);
    inflight.push(
      opts.op(i).then(
        (ok) => {
          out.ops++;
          if (ok) out.latencies.push(performance.now() - sent);
          else out.failures++;
        },
        (e: unknown) => {
          out.ops++;
          out.failures++;
          out.firstError ??= describe(e);
        },
      ),
    );
  }
  await Promise.all(inflight);
  out.elapsedMs = performance.now() - start;
  return out;
}
