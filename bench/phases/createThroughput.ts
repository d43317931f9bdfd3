// Figure 1: pod creates per second with 64 concurrent clients, against raw etcd puts of
// the same bytes at the same concurrency.

import { clients, benchNamespace, createPod, type BenchContext } from '../lib/context.js';
import { closedLoop, type LoadResult } from '../lib/load.js';
import { apiServerCpuMs } from '../lib/cluster.js';
import { cpuMs, selfCpuMs } from '../lib/procStat.js';
import type { FigureRow } from '../lib/report.js';
import { fmtRate, round3, summarize } from '../lib/stats.js';

const warmupOps = 640;
const maxOps = 8_000;
const durationMs = 6_000;

function rate(r: LoadResult): number {
  return ((r.ops - r.failures) * 1000) / r.elapsedMs;
}

export async function createThroughput(ctx: BenchContext): Promise<FigureRow> {
  const apiEtcd = ctx.cluster.apiEtcd.pid;
  const floorEtcd = ctx.cluster.floorEtcd.pid;
  // Warm-up opens the 64 TLS connections and lets V8 optimise the create path.
  ctx.progress(`throughput: warm-up (${warmupOps} creates)`);
  await closedLoop({ concurrency: clients, maxOps: warmupOps, durationMs: 20_000, op: (i) => createPod(ctx, benchNamespace, `warm-${i}`) });

  ctx.progress(`throughput: API server, ${clients} clients, up to ${durationMs / 1000} s`);
  // CPU per operation of each process shows what the two cores are spent on.
  const before = [apiServerCpuMs(ctx.cluster), cpuMs(apiEtcd), selfCpuMs()];
  const api = await closedLoop({ concurrency: clients, maxOps, durationMs, op: (i) => createPod(ctx, benchNamespace, `tput-${i}`) });
  const [serverCpu, apiEtcdCpu, clientCpu] = [apiServerCpuMs(ctx.cluster), cpuMs(apiEtcd), selfCpuMs()].map((x, i) => (x - before[i]!) / Math.max(1, api.ops));

  ctx.progress(`throughput: raw etcd puts, ${clients} clients, up to ${durationMs / 1000} s`);
  const value = ctx.storedPod;
  await closedLoop({ concurrency: clients, maxOps: warmupOps, durationMs: 20_000, op: (i) => ctx.floor.put(`/bench-floor/warm/${i}`, value) });
  const rawBefore = [cpuMs(floorEtcd), selfCpuMs()];
  const raw = await closedLoop({ concurrency: clients, maxOps, durationMs, op: (i) => ctx.floor.put(`/bench-floor/tput/${i}`, value) });
  const [floorEtcdCpu, rawClientCpu] = [cpuMs(floorEtcd), selfCpuMs()].map((x, i) => (x - rawBefore[i]!) / Math.max(1, raw.ops));

  const apiRate = rate(api);
  const rawRate = rate(raw);
  const ratio = apiRate / rawRate;
  const lat = summarize(api.latencies);
  return {
    id: 'createThroughput',
    figure: `pod create throughput, ${clients} clients`,
    value: fmtRate(apiRate) + (api.failures ? ` (${api.failures} failed: ${api.firstError ?? '?'})` : ''),
    floor: `${fmtRate(rawRate)} etcd put`,
    ratio: `${ratio.toFixed(2)}x`,
    goal: '>= 0.50x etcd',
    met: api.failures === 0 && ratio >= 0.5,
    data: {
      apiOpsPerSec: round3(apiRate),
      etcdPutOpsPerSec: round3(rawRate),
      ratio: round3(ratio),
      creates: api.ops,
      failures: api.failures,
      apiServerCpuMsPerCreate: round3(serverCpu!),
      etcdCpuMsPerCreate: round3(apiEtcdCpu!),
      clientCpuMsPerCreate: round3(clientCpu!),
      etcdCpuMsPerPut: round3(floorEtcdCpu!),
      clientCpuMsPerPut: round3(rawClientCpu!),
      closedLoopP50Ms: round3(lat.p50),
      closedLoopP99Ms: round3(lat.p99),
    },
  };
}
