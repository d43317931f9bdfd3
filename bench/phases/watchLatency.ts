// Figure 4: time from sending a create to each of 100 watchers receiving its ADDED event,
// against one raw etcd watcher receiving the same puts.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiHttp } from '../lib/apiHttp.js';
import { createPod, podsPath, watchNamespace, type BenchContext } from '../lib/context.js';
import { openLoop, type OpenLoopResult } from '../lib/load.js';
import { apiServerCpuMs } from '../lib/cluster.js';
import type { FigureRow } from '../lib/report.js';
import { fmtMs, round3, summarize } from '../lib/stats.js';

const watchers = 100;
const ratePerSec = 20;
const count = 100; // 5 s
const goalP99Ms = 50;
const floorPrefix = '/bench-floor/watch/';

/** Sends `count` writes at `ratePerSec`, stamping each send time by key, then waits (bounded) until every expected delivery has landed in `samples`. */
async function deliver(write: (i: number) => Promise<boolean>, keyOf: (i: number) => string, sent: Map<string, number>, samples: number[], expectedPerWrite: number): Promise<OpenLoopResult> {
  const run = await openLoop({
    ratePerSec,
    count,
    op: (i) => {
      sent.set(keyOf(i), performance.now());
      return write(i);
    },
  });
  const expected = (run.ops - run.failures) * expectedPerWrite;
  const deadline = performance.now() + 10_000;
  while (samples.length < expected && performance.now() < deadline) await sleep(20);
  return run;
}

async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** `{"type":"ADDED","object":{...,"metadata":{"name":"w-1",...` -> `w-1`; undefined for other event types. */
function addedName(line: string): string | undefined {
  if (!line.startsWith('{"type":"ADDED"')) return undefined;
  // The first "name" in a pod event is metadata.name: metadata precedes spec in every object the server writes.
  const m = /"metadata":\{[^{}]*?"name":"([^"]+)"/.exec(line.slice(0, 400));
  return m?.[1];
}

export async function watchLatency(ctx: BenchContext): Promise<FigureRow> {
  ctx.progress(`watch: opening ${watchers} watches on ${watchNamespace}/pods`);
  // A client of its own, so the watch connections are not counted against the load loops' pool.
  const client = new ApiHttp(ctx.cluster.access, watchers + 8);
  const sent = new Map<string, number>();
  const samples: number[] = [];
  // Per create: its first and last delivery. A late first delivery is a stall before the
  // fan-out (etcd, the watch cache, a GC pause); a wide first-to-last spread is fan-out cost.
  const perEvent = new Map<string, { first: number; last: number }>();
  let sentinelSeen = 0;
  const streams: ReturnType<ApiHttp['watch']>[] = [];
  let apiFailures = 0;
  let writes: number[] = [];
  let serverCpu = 0;
  const clientLoop = monitorEventLoopDelay({ resolution: 5 });
  // A plain etcd watcher on the API server's etcd sees the same writes at the same time as the
  // API server's own watch: it splits each delivery into "until etcd told a watcher" and
  // "through the API server's watch path", which tells an etcd stall from a server one.
  const direct = new Map<string, number>();
  const directWatch = await ctx.apiEtcd.watch(`/registry/pods/${watchNamespace}/`, (key) => {
    const name = key.slice(key.lastIndexOf('/') + 1);
    const t = sent.get(name);
    if (t !== undefined && !direct.has(name)) direct.set(name, performance.now() - t);
  });
  try {
    for (let w = 0; w < watchers; w++) {
      const s = client.watch(`${podsPath(watchNamespace)}?watch=true`, (line, at) => {
        const name = addedName(line);
        if (name === undefined) return;
        if (name === 'sentinel') sentinelSeen++;
        const t = sent.get(name);
        if (t === undefined) return;
        samples.push(at - t);
        const e = perEvent.get(name);
        if (e) {
          e.first = Math.min(e.first, at - t);
          e.last = Math.max(e.last, at - t);
        } else perEvent.set(name, { first: at - t, last: at - t });
      });
      streams.push(s);
    }
    await Promise.all(streams.map((s) => s.opened));
    // Every watch is registered once each has seen a sentinel created after they were opened.
    await createPod(ctx, watchNamespace, 'sentinel');
    await waitUntil(() => sentinelSeen === watchers, 20_000, `all ${watchers} watches to see the sentinel pod`);

    ctx.progress(`watch: creating ${count} pods at ${ratePerSec}/s`);
    const cpu0 = apiServerCpuMs(ctx.cluster);
    // Receipt is stamped in this process's event loop: a stall here (our own GC) would be
    // counted against the server, so it is measured and reported beside the figure.
    clientLoop.enable();
    const run = await deliver((i) => createPod(ctx, watchNamespace, `w-${i}`), (i) => `w-${i}`, sent, samples, watchers);
    apiFailures = run.failures;
    writes = run.latencies;
    clientLoop.disable();
    serverCpu = apiServerCpuMs(ctx.cluster) - cpu0;
  } finally {
    for (const s of streams) s.stop();
    client.close();
    await directWatch.cancel();
  }

  ctx.progress(`watch: raw etcd watch, ${count} puts at ${ratePerSec}/s`);
  const floorSent = new Map<string, number>();
  const floorSamples: number[] = [];
  const watch = await ctx.floor.watch(floorPrefix, (key) => {
    const t = floorSent.get(key);
    if (t !== undefined) floorSamples.push(performance.now() - t);
  });
  try {
    await deliver((i) => ctx.floor.put(`${floorPrefix}${i}`, ctx.storedPod), (i) => `${floorPrefix}${i}`, floorSent, floorSamples, 1);
  } finally {
    await watch.cancel();
  }

  const a = summarize(samples);
  const f = summarize(floorSamples);
  const events = [...perEvent.values()];
  const first = summarize(events.map((e) => e.first));
  const spread = summarize(events.map((e) => e.last - e.first));
  const create = summarize(writes);
  const viaEtcd = summarize([...direct.values()]);
  const serverPath = summarize([...perEvent.entries()].filter(([n]) => direct.has(n)).map(([n, e]) => e.first - direct.get(n)!));
  const expected = (count - apiFailures) * watchers;
  return {
    id: 'watchDelivery',
    figure: `watch delivery, ${watchers} watchers, p50 / p99`,
    value: `${fmtMs(a.p50)} / ${fmtMs(a.p99)}` + (a.n < expected ? ` (${expected - a.n} of ${expected} missing)` : ''),
    floor: `${fmtMs(f.p50)} / ${fmtMs(f.p99)} 1 etcd watcher`,
    ratio: `p99 ${(a.p99 / f.p99).toFixed(1)}x floor`,
    goal: `p99 <= ${goalP99Ms} ms`,
    met: a.n === expected && apiFailures === 0 && a.p99 <= goalP99Ms,
    data: {
      p50Ms: round3(a.p50),
      p99Ms: round3(a.p99),
      maxMs: round3(a.max),
      etcdP50Ms: round3(f.p50),
      etcdP99Ms: round3(f.p99),
      firstDeliveryP50Ms: round3(first.p50),
      firstDeliveryP99Ms: round3(first.p99),
      etcdWatcherSameWritesP50Ms: round3(viaEtcd.p50),
      etcdWatcherSameWritesP99Ms: round3(viaEtcd.p99),
      firstAfterEtcdWatcherP50Ms: round3(serverPath.p50),
      firstAfterEtcdWatcherP99Ms: round3(serverPath.p99),
      createP50Ms: round3(create.p50),
      createP99Ms: round3(create.p99),
      fanOutSpreadP50Ms: round3(spread.p50),
      fanOutSpreadP99Ms: round3(spread.p99),
      deliveries: a.n,
      expectedDeliveries: expected,
      apiServerCpuMsPerCreate: round3(serverCpu / count),
      clientMaxLoopDelayMs: round3(clientLoop.max / 1e6),
    },
  };
}
