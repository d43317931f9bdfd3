// Figure 3: LIST of 10,000 pods as plain JSON (consistent read), as JSON from the cache
// (resourceVersion=0) and as the Table kubectl asks for, against one raw etcd range read
// of 10,000 values of the same size. Also the API server's memory once it holds them.

import { clients, benchNamespace, createPod, podsPath, timed, type BenchContext } from '../lib/context.js';
import { closedLoop } from '../lib/load.js';
import { cpuMs, rssBytes } from '../lib/procStat.js';
import type { FigureRow } from '../lib/report.js';
import { fmtBytes, fmtMs, round3, summarize, type LatencySummary } from '../lib/stats.js';
import { expectStatus } from '../lib/apiHttp.js';

const target = 10_000;
const reps = 15;
const goalMs = 100;
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

async function measure(ctx: BenchContext, v: Variant): Promise<{ s: LatencySummary; bytes: number; cpuMsPerList: number }> {
  const first = await ctx.api.get(v.path, v.accept);
  expectStatus(first, 200, v.label);
  const n = v.count(JSON.parse(first.body.toString()));
  if (n !== target) throw new Error(`${v.label}: expected ${target} objects, got ${n}`);
  const samples: number[] = [];
  const cpu0 = cpuMs(ctx.cluster.apiServerPid);
  for (let i = 0; i < reps; i++) {
    const { ms, value } = await timed(() => ctx.api.get(v.path, v.accept));
    expectStatus(value, 200, v.label);
    samples.push(ms);
  }
  return { s: summarize(samples), bytes: first.body.length, cpuMsPerList: (cpuMs(ctx.cluster.apiServerPid) - cpu0) / reps };
}

export async function listLatency(ctx: BenchContext): Promise<FigureRow[]> {
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
  for (const v of variants) {
    ctx.progress(`list: ${v.label} x ${reps}`);
    const m = await measure(ctx, v);
    out.push({
      id: v.id,
      figure: `${v.label}, p50 / p99`,
      value: `${fmtMs(m.s.p50)} / ${fmtMs(m.s.p99)}`,
      floor: `${fmtMs(floor.p50)} / ${fmtMs(floor.p99)} etcd range`,
      ratio: `p99 ${(m.s.p99 / floor.p99).toFixed(1)}x floor`,
      goal: `p99 <= ${goalMs} ms`,
      met: m.s.p99 <= goalMs,
      data: {
        p50Ms: round3(m.s.p50),
        p99Ms: round3(m.s.p99),
        etcdRangeP50Ms: round3(floor.p50),
        etcdRangeP99Ms: round3(floor.p99),
        responseBytes: m.bytes,
        apiServerCpuMsPerList: round3(m.cpuMsPerList),
        samples: m.s.n,
      },
    });
  }

  const rss = rssBytes(ctx.cluster.apiServerPid);
  const etcdRss = rssBytes(ctx.cluster.apiEtcd.pid);
  out.push({
    id: 'apiServerRss',
    figure: `API server RSS after LIST (${target} pods cached)`,
    value: fmtBytes(rss),
    floor: `etcd RSS ${fmtBytes(etcdRss)}`,
    ratio: '-',
    goal: '-',
    met: undefined,
    data: { rssBytes: rss, etcdRssBytes: etcdRss, storedBytesPerPod: ctx.storedPod.length },
  });
  return out;
}
