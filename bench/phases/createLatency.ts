// Figure 2: create latency at a steady 100 writes/s (open loop), against raw etcd puts of
// the same bytes at the same pace.

import { benchNamespace, createPod, type BenchContext } from '../lib/context.js';
import { openLoop } from '../lib/load.js';
import { apiServerCpuMs } from '../lib/cluster.js';
import type { FigureRow } from '../lib/report.js';
import { fmtMs, round3, summarize } from '../lib/stats.js';

const ratePerSec = 100;
const count = 1_000; // 10 s
const goalP99Ms = 25;

export async function createLatency(ctx: BenchContext): Promise<FigureRow> {
  ctx.progress(`latency: API server creates at ${ratePerSec}/s for ${count / ratePerSec} s`);
  const cpu0 = apiServerCpuMs(ctx.cluster);
  const api = await openLoop({ ratePerSec, count, op: (i) => createPod(ctx, benchNamespace, `lat-${i}`) });
  const serverCpu = apiServerCpuMs(ctx.cluster) - cpu0;
  ctx.progress(`latency: raw etcd puts at ${ratePerSec}/s for ${count / ratePerSec} s`);
  const value = ctx.storedPod;
  const raw = await openLoop({ ratePerSec, count, op: (i) => ctx.floor.put(`/bench-floor/lat/${i}`, value) });

  const a = summarize(api.latencies);
  const f = summarize(raw.latencies);
  return {
    id: 'createLatency',
    figure: `create latency @${ratePerSec}/s, p50 / p99`,
    value: `${fmtMs(a.p50)} / ${fmtMs(a.p99)}` + (api.failures ? ` (${api.failures} failed)` : ''),
    floor: `${fmtMs(f.p50)} / ${fmtMs(f.p99)} etcd put`,
    ratio: `p99 ${(a.p99 / f.p99).toFixed(1)}x floor`,
    goal: `p99 <= ${goalP99Ms} ms`,
    met: api.failures === 0 && a.p99 <= goalP99Ms,
    data: {
      p50Ms: round3(a.p50),
      p99Ms: round3(a.p99),
      maxMs: round3(a.max),
      etcdP50Ms: round3(f.p50),
      etcdP99Ms: round3(f.p99),
      samples: a.n,
      failures: api.failures,
      maxSendLagMs: round3(Math.max(api.maxSendLagMs, raw.maxSendLagMs)),
      apiServerCpuMsPerCreate: round3(serverCpu / Math.max(1, api.ops)),
    },
  };
}
