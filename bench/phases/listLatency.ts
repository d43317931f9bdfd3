// Figure 3: LIST of 10,000 pods as plain JSON (consistent read), as JSON from the cache
// (resourceVersion=0) and as the Table kubectl asks for, each beside two floors: one raw
// etcd range read of 10,000 values of the same size, and the same response bytes sent by a
// Node process that does nothing else (TLS and transfer alone). Also the API server's
// memory once it holds them.

import nodePath from 'node:path';
import { startBytesServer, type BytesServer } from '../lib/bytesServer.js';
import { clients, benchNamespace, createPod, podsPath, timed, type BenchContext } from '../lib/context.js';
import { closedLoop } from '../lib/load.js';
import { apiServerCpuMs, apiServerRssBytes } from '../lib/cluster.js';
import type { PhaseTimer } from '../lib/phaseMarks.js';
import { cpuMs, rssBytes } from '../lib/procStat.js';
import type { FigureRow } from '../lib/report.js';
import { fmtBytes, fmtMs, round3, summarize, type LatencySummary } from '../lib/stats.js';
import { expectStatus } from '../lib/apiHttp.js';

const target = 10_000;
const reps = 15;
/** Issue 15's goals: p50 of the JSON LIST, p50 of the Table LIST, RSS with 10k pods cached. */
const goalP50Ms: Record<string, number> = { listJson: 100, listJsonRv0: 100, listTable: 150 };
const goalRssBytes = 400 * 1024 * 1024;
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const floorPrefix = '/bench-floor/list/';

interface Variant {
  id: string;
  label: string;
  path: string;
  accept?: string;
  /** How many objects the answer holds (checked once, outside the timing). */
  count: (body: unknown) => number;
}

const items = (b: unknown): number => ((b as { items?: unknown[] }).items ?? []).length;
const rows = (b: unknown): number => ((b as { rows?: unknown[] }).rows ?? []).length;

async function fill(ctx: BenchContext): Promise<void> {
  for (let round = 0; ctx.podsCreated < target && round < 3; round++) {
    const need = target - ctx.podsCreated;
    ctx.progress(`list: creating ${need} pods to reach ${target}`);
    await closedLoop({ concurrency: clients, maxOps: need, durationMs: 120_000, op: (i) => createPod(ctx, benchNamespace, `fill-${round}-${i}`) });
  }
  if (ctx.podsCreated !== target) throw new Error(`could not fill ${benchNamespace} to ${target} pods (have ${ctx.podsCreated})`);
  ctx.progress(`list: writing ${target} values to the floor etcd`);
  const value = ctx.storedPod;
  const floor = await closedLoop({ concurrency: clients, maxOps: target, durationMs: 120_000, op: (i) => ctx.floor.put(`${floorPrefix}${String(i).padStart(5, '0')}`, value) });
  if (floor.failures) throw new Error(`floor fill failed: ${floor.firstError ?? '?'}`);
}

async function measure(ctx: BenchContext, v: Variant, floor: BytesServer): Promise<{ s: LatencySummary; bytes: number; cpuMsPerList: number; bytesFloor: LatencySummary; floorCpuMs: number }> {
  const first = await ctx.api.get(v.path, v.accept);
  expectStatus(first, 200, v.label);
  const n = v.count(JSON.parse(first.body.toString()));
  if (n !== target) throw new Error(`${v.label}: expected ${target} objects, got ${n}`);
  floor.add(v.id, first.body);
  await floor.client.get(`/${v.id}`); // warm the floor's connection and file cache
  const samples: number[] = [];
  const floorSamples: number[] = [];
  let cpu = 0;
  let floorCpu = 0;
  // Interleaved, so noise from other processes falls on both alike.
  for (let i = 0; i < reps; i++) {
    const cpu0 = apiServerCpuMs(ctx.cluster);
    const { ms, value } = await timed(() => ctx.api.get(v.path, v.accept));
    cpu += apiServerCpuMs(ctx.cluster) - cpu0;
    expectStatus(value, 200, v.label);
    samples.push(ms);
    const fcpu0 = cpuMs(floor.pid);
    const f = await timed(() => floor.client.get(`/${v.id}`));
    floorCpu += cpuMs(floor.pid) - fcpu0;
    if (f.value.body.length !== first.body.length) throw new Error(`bytes floor sent ${f.value.body.length} bytes, expected ${first.body.length}`);
    floorSamples.push(f.ms);
  }
  return { s: summarize(samples), bytes: first.body.length, cpuMsPerList: cpu / reps, bytesFloor: summarize(floorSamples), floorCpuMs: floorCpu / reps };
}

/** Times a step as its own phase window (for the CPU profile's per-variant summary). */

export async function listLatency(ctx: BenchContext, timePhase: PhaseTimer = (_p, fn) => fn()): Promise<FigureRow[]> {
  await fill(ctx);

  ctx.progress(`list: raw etcd range of ${target} values x ${reps}`);
  const floorSamples: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const { ms, value } = await timed(() => ctx.floor.range(floorPrefix));
    if (value !== target) throw new Error(`floor range returned ${value} values, expected ${target}`);
    if (i > 0) floorSamples.push(ms); // the first read warms etcd's and the client's buffers
  }
  const floor = summarize(floorSamples);

  const path = podsPath(benchNamespace);
  const variants: Variant[] = [
    { id: 'listJson', label: 'LIST 10k pods, JSON', path, count: items },
    { id: 'listJsonRv0', label: 'LIST 10k pods, JSON rv=0', path: `${path}?resourceVersion=0`, count: items },
    { id: 'listTable', label: 'LIST 10k pods, Table', path, accept: tableAccept, count: rows },
  ];
  const out: FigureRow[] = [];
  const bytesFloor = await startBytesServer(nodePath.join(ctx.cluster.dir, 'bytes-floor'));
  try {
    for (const v of variants) {
      ctx.progress(`list: ${v.label} x ${reps} (each beside the same bytes from the floor server)`);
      const m = await timePhase(`list:${v.id}`, () => measure(ctx, v, bytesFloor));
      const goal = goalP50Ms[v.id]!;
      out.push({
        id: v.id,
        figure: `${v.label}, p50 / p99`,
        value: `${fmtMs(m.s.p50)} / ${fmtMs(m.s.p99)}`,
        floor: `${fmtMs(m.bytesFloor.p50)} same bytes; ${fmtMs(floor.p50)} etcd range`,
        ratio: `p50 ${(m.s.p50 / m.bytesFloor.p50).toFixed(1)}x; CPU ${Math.round(m.cpuMsPerList)} ms (floor ${Math.round(m.floorCpuMs)})`,
        goal: `p50 <= ${goal} ms`,
        met: m.s.p50 <= goal,
        data: {
          p50Ms: round3(m.s.p50),
          p99Ms: round3(m.s.p99),
          etcdRangeP50Ms: round3(floor.p50),
          etcdRangeP99Ms: round3(floor.p99),
          sameBytesP50Ms: round3(m.bytesFloor.p50),
          sameBytesP99Ms: round3(m.bytesFloor.p99),
          responseBytes: m.bytes,
          apiServerCpuMsPerList: round3(m.cpuMsPerList),
          sameBytesServerCpuMs: round3(m.floorCpuMs),
          samples: m.s.n,
        },
      });
    }
  } finally {
    await bytesFloor.stop();
  }

  const rss = apiServerRssBytes(ctx.cluster);
  const etcdRss = rssBytes(ctx.cluster.apiEtcd.pid);
  out.push({
    id: 'apiServerRss',
    figure: `API server RSS after LIST (${target} pods cached)`,
    value: fmtBytes(rss),
    floor: `etcd RSS ${fmtBytes(etcdRss)}`,
    ratio: `${fmtBytes((rss - ctx.apiServerRssAtStart) / target)} per pod over start`,
    goal: `<= ${fmtBytes(goalRssBytes)}`,
    met: rss <= goalRssBytes,
    data: { rssBytes: rss, etcdRssBytes: etcdRss, storedBytesPerPod: ctx.storedPod.length, rssAtStartBytes: ctx.apiServerRssAtStart },
  });
  return out;
}
