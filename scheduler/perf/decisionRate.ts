// The scheduler's decision rate alone, in memory: the benchmark workload's nodes and pods
// fed to the real Scheduler (cache, snapshot, queue, default plugins, assume) with a binder
// that confirms at once and no API. Run by bench/scheduler.ts as its own process (bench/
// may not import scheduler/); prints one JSON line. --services gives each of the workload's
// 50 apps a Service selecting its pods, so PodTopologySpread's default constraints apply
// to every pod (the scoring cost of spreading replicas); without it no pod belongs to a
// workload, as in scheduler_perf's SchedulingBasic.
//
//   node --import tsx scheduler/perf/decisionRate.ts [--nodes 5000] [--pods 10000] [--percentage 0] [--services true]

import { performance } from 'node:perf_hooks';
import { realClock } from '../../common/clock.js';
import { parseFlags } from '../../common/config.js';
import { benchNode, benchPod, nodesLowerBound } from '../../common/testing/schedWorkload.js';
import { buildFramework, resolveProfile } from '../config/profile.js';
import { Scheduler } from '../core/scheduler.js';
import type { SchedulingReporter } from '../core/reporter.js';
import type { Binder } from '../framework/interfaces.js';
import { staticWorkloads } from '../framework/listers.js';
import type { Pod, Service } from '../framework/types.js';

export interface DecisionRateResult {
  nodes: number;
  pods: number;
  percentageOfNodesToScore: number;
  services: boolean;
  scheduled: number;
  unschedulable: number;
  seconds: number;
  podsPerSecond: number;
  p50us: number;
  p99us: number;
  nodesUsed: number;
  lowerBound: number;
  binding: string;
}

const quietReporter: SchedulingReporter = { scheduled: () => undefined, unschedulable: () => undefined, preempted: () => undefined, clearNomination: () => undefined };

/** One Service per app label benchPod uses (app-0 .. app-49). */
function appServices(): Service[] {
  return Array.from({ length: 50 }, (_, i) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${i}`, namespace: 'default' }, spec: { selector: { app: `app-${i}` } } }));
}

export async function measureDecisionRate(nodes: number, pods: number, percentage = 0, services = false): Promise<DecisionRateResult> {
  const placed = new Map<string, string>();
  const binder: Binder = {
    bind: async (pod: Pod, node: string) => {
      placed.set(pod.metadata!.name!, node);
    },
  };
  const s = new Scheduler({
    framework: buildFramework('default-scheduler', resolveProfile(), [], { workloads: staticWorkloads({ services: services ? appServices() : [] }) }),
    binder,
    reporter: quietReporter,
    evictor: { evict: async () => undefined },
    clock: realClock,
    percentageOfNodesToScore: percentage,
    maxInFlightBindings: Number.MAX_SAFE_INTEGER,
  });
  for (let i = 0; i < nodes; i++) s.onNodeAdd(benchNode(i));
  const podObjs = Array.from({ length: pods }, (_, i) => benchPod(i));
  for (const p of podObjs) s.onPodAdd(p);
  const lat: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const a = performance.now();
    if (!s.scheduleNext()) break;
    lat.push(performance.now() - a);
  }
  const seconds = (performance.now() - t0) / 1000;
  await s.idle();
  lat.sort((x, y) => x - y);
  const pct = (q: number): number => Math.round((lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? 0) * 1000);
  const lb = nodesLowerBound(pods);
  return {
    nodes,
    pods,
    percentageOfNodesToScore: percentage,
    services,
    scheduled: s.stats.scheduled,
    unschedulable: s.stats.unschedulable,
    seconds,
    podsPerSecond: s.stats.scheduled / seconds,
    p50us: pct(0.5),
    p99us: pct(0.99),
    nodesUsed: new Set(placed.values()).size,
    lowerBound: lb.nodes,
    binding: lb.binding,
  };
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  const nodes = Number(f.nodes ?? 5000);
  const pods = Number(f.pods ?? 10000);
  const pct = Number(f.percentage ?? 0);
  const services = f.services === 'true';
  // A short warm-up lets V8 optimize the hot paths, as a long-running scheduler would be.
  await measureDecisionRate(Math.min(nodes, 500), Math.min(pods, 1000), pct, services);
  const r = await measureDecisionRate(nodes, pods, pct, services);
  process.stdout.write(JSON.stringify(r) + '\n');
}

if (process.argv[1] && /decisionRate\.(ts|js)$/.test(process.argv[1])) void main();
