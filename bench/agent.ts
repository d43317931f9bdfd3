// The node agent benchmark: `npx tsx bench/agent.ts [pods] [burst] [--agent-cpu-prof DIR]`
// (default 30 and 20; the profile is of the agent process, for bench/profileSummary.ts) as
// root on a machine with runc, conmon, the CNI plugins, etcd and buildah. Pod startup latency
// as Kubernetes defines it (create sent -> Running observed through a watch, image already
// present, pods bound to the node in their spec so no scheduler is measured), for pods one at
// a time and for a burst created at once; the agent's RSS; and where each start's time went.
// Each figure is printed beside its floor from the same run, bare `runc run -d` of busybox,
// then one JSON line. Figures only, never pass/fail (the exit code says only whether it ran).
//
// Two measuring processes, one after the other, so neither disturbs the other: the runtime
// benchmark (nodeagent/runtime/benchmarkMain: the bare runc floor, and the runtime alone for
// reference) and the agent benchmark (nodeagent/bench/agentBenchMain: a one-node cluster with
// the agent as its own process). Each cleans up after itself, also on Ctrl-C.

import path from 'node:path';
import { MeasureProcess } from './lib/measureProcess.js';
import { renderTable, type FigureRow } from './lib/report.js';
import { renderSegmentTable, summarizeSegments } from './lib/segmentTable.js';
import { fmtBytes, fmtMs, round3, summarize } from './lib/stats.js';

/** nodeagent/runtime/benchmark.ts's BenchmarkResult, as far as it is used here. */
interface RuntimeSamples {
  bareRuncMinimalMs: number[];
  bareRuncRuntimeSpecMs: number[];
  createStartMs: number[];
  sandboxAndContainerMs: number[];
  burstWallMs: number;
  burstEachMs: number[];
  cleanupProblems: string[];
}

/** nodeagent/bench/agentBench.ts's AgentBenchResult. */
interface PodStart {
  name: string;
  startupMs: number;
  apiCreateMs: number;
  writesBeforeRunning: number;
  segments?: Record<string, number>;
}

interface AgentSamples {
  agentCommand: string;
  cpus: number;
  warmupMs: number;
  sequential: PodStart[];
  burst: { wallMs: number; pods: PodStart[] };
  rss: { idleBytes: number; sequentialRunningBytes: number; burstPeakBytes: number; burstRunningBytes: number; idleAfterBytes: number; nodeFloorBytes: number; nodeFlags: string[] };
  cpu: { sequential: CpuUse; burst: CpuUse };
  deletionMs: { warmup: number; sequential: number; burst: number };
  cleanupProblems: string[];
}

/** nodeagent/bench/cpuUse.ts's CpuUse. */
interface CpuUse {
  wallMs: number;
  machineBusy: number;
  agentCpuMs: number;
  agentChildrenCpuMs: number;
  apiServerCpuMs: number;
  etcdCpuMs: number;
  benchCpuMs: number;
  otherCpuMs: number;
  loadAverage: number;
}

function cpuLine(phase: string, c: CpuUse, pods: number, cpus: number): string {
  const ms = (x: number): string => `${Math.round(x)} ms`;
  return (
    `  ${phase}: machine ${Math.round(c.machineBusy * 100)}% busy (of ${cpus} CPUs, ${fmtMs(c.wallMs)}); agent ${ms(c.agentCpuMs)} CPU (${fmtMs(c.agentCpuMs / pods)}/pod) ` +
    `+ ${ms(c.agentChildrenCpuMs)} in the children it reaped (runc start/kill, CNI plugins: ${fmtMs(c.agentChildrenCpuMs / pods)}/pod), API server ${ms(c.apiServerCpuMs)}, etcd ${ms(c.etcdCpuMs)}, ` +
    `client ${ms(c.benchCpuMs)}; everything else ${ms(c.otherCpuMs)} (conmon and the runc create under it, and any other work on the machine); load avg ${c.loadAverage.toFixed(1)}`
  );
}

const goals = { p50Ms: 250, p99Ms: 500, burstWallMs: 2000, rssBytes: 80e6 };

function latencyRow(id: string, figure: string, samples: number[], floorP50: number, goal?: { p50: number; p99: number }): FigureRow {
  const s = summarize(samples);
  const ratio = s.p50 / floorP50;
  return {
    id,
    figure,
    value: `p50 ${fmtMs(s.p50)}, p99 ${fmtMs(s.p99)} (n=${s.n})`,
    floor: `bare runc p50 ${fmtMs(floorP50)}`,
    ratio: `${ratio.toFixed(1)}x`,
    goal: goal ? `p50 <= ${goal.p50} ms, p99 <= ${goal.p99} ms` : '-',
    met: goal ? s.p50 <= goal.p50 && s.p99 <= goal.p99 : undefined,
    data: { p50Ms: round3(s.p50), p99Ms: round3(s.p99), maxMs: round3(s.max), n: s.n, ratioP50ToFloor: round3(ratio) },
  };
}

function wallRow(id: string, figure: string, wallMs: number, n: number, floorP50: number, goalMs?: number): FigureRow {
  // n containers started back to back by bare runc: the serial work a burst of n needs at least once.
  const floor = floorP50 * n;
  return {
    id,
    figure,
    value: fmtMs(wallMs),
    floor: `${n} x bare runc p50 = ${fmtMs(floor)}`,
    ratio: `${(wallMs / floor).toFixed(1)}x`,
    goal: goalMs ? `<= ${goalMs} ms` : '-',
    met: goalMs ? wallMs <= goalMs : undefined,
    data: { wallMs: round3(wallMs), n, ratioToSerialFloor: round3(wallMs / floor) },
  };
}

const mib = (b: number): string => `${fmtBytes(b)} (${(b / 1e6).toFixed(1)} MB)`;

function rssRow(id: string, figure: string, bytes: number, floorBytes: number, goalBytes?: number): FigureRow {
  return {
    id,
    figure,
    value: mib(bytes),
    floor: `idle node ${fmtBytes(floorBytes)}`,
    ratio: `${(bytes / floorBytes).toFixed(1)}x`,
    goal: goalBytes ? `<= ${goalBytes / 1e6} MB` : '-',
    met: goalBytes ? bytes <= goalBytes : undefined,
    data: { bytes, overFloorBytes: bytes - floorBytes },
  };
}

let interrupted = false;
let inFloor = false;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const profAt = argv.indexOf('--agent-cpu-prof');
  const cpuProfDir = profAt >= 0 ? argv[profAt + 1] : undefined;
  const [pods = 30, burst = 20] = argv.filter((a, i) => !a.startsWith('--') && (profAt < 0 || i !== profAt + 1)).map(Number);
  if (!Number.isInteger(pods) || pods < 1 || !Number.isInteger(burst) || burst < 1 || (profAt >= 0 && !cpuProfDir)) {
    throw new Error('usage: bench/agent.ts [pods >= 1] [burst >= 1] [--agent-cpu-prof DIR]');
  }

  const runner = new MeasureProcess('bench/agent');
  const onSignal = (): void => {
    if (interrupted) {
      console.error('bench/agent: still cleaning up, please wait');
      return;
    }
    interrupted = true;
    console.error(inFloor ? 'bench/agent: interrupted; waiting for the floor measurement to finish and clean up' : 'bench/agent: interrupted; letting the measuring process clean up');
    void runner.interrupt().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.error('bench/agent: floor (bare runc run -d) and the runtime alone');
  // Not signalled on Ctrl-C: its own signal handler races its measuring loop and can die
  // halfway through the cleanup; it ends (and cleans up) by itself in well under a minute.
  inFloor = true;
  const rt = await runner.run<RuntimeSamples>('nodeagent/runtime/benchmarkMain', [String(pods), String(pods), String(burst)], { onInterrupt: 'wait' });
  inFloor = false;
  console.error('bench/agent: the agent on a one-node cluster');
  const profArgs = cpuProfDir ? ['--agent-cpu-prof', path.resolve(cpuProfDir)] : [];
  const a = await runner.run<AgentSamples>('nodeagent/bench/agentBenchMain', [String(pods), String(burst), '--exit-with-stdin', ...profArgs]);

  const floor = summarize(rt.bareRuncMinimalMs).p50;
  const rows: FigureRow[] = [
    latencyRow('floor_bare_runc', 'floor: bare runc run -d (busybox)', rt.bareRuncMinimalMs, floor),
    latencyRow('bare_runc_runtime_spec', "reference: bare runc run -d, the runtime's spec", rt.bareRuncRuntimeSpecMs, floor),
    latencyRow('runtime_container', 'reference: runtime alone, container create+start', rt.createStartMs, floor),
    latencyRow('runtime_sandbox_container', 'reference: runtime alone, sandbox + container', rt.sandboxAndContainerMs, floor),
    latencyRow('pod_startup_sequential', `pod startup, ${pods} one at a time`, a.sequential.map((p) => p.startupMs), floor, { p50: goals.p50Ms, p99: goals.p99Ms }),
    wallRow('pod_startup_burst_all', `burst of ${burst}: all Running`, a.burst.wallMs, burst, floor, goals.burstWallMs),
    latencyRow('pod_startup_burst_each', `burst of ${burst}: each pod`, a.burst.pods.map((p) => p.startupMs), floor),
    wallRow('runtime_burst_all', `reference: runtime alone, ${burst} containers in 1 sandbox`, rt.burstWallMs, burst, floor),
    rssRow('agent_rss_idle', 'agent RSS idle (registered, no pods)', a.rss.idleBytes, a.rss.nodeFloorBytes),
    rssRow('agent_rss_sequential', `agent RSS, the ${pods} one-at-a-time pods running`, a.rss.sequentialRunningBytes, a.rss.nodeFloorBytes),
    rssRow('agent_rss_burst', `agent RSS, ${burst} burst pods running`, a.rss.burstRunningBytes, a.rss.nodeFloorBytes, goals.rssBytes),
    rssRow('agent_rss_burst_peak', 'agent RSS peak during the burst', a.rss.burstPeakBytes, a.rss.nodeFloorBytes),
    rssRow('agent_rss_idle_after', 'agent RSS idle again (pods deleted)', a.rss.idleAfterBytes, a.rss.nodeFloorBytes),
  ];
  console.log(renderTable(rows));

  const segNames = Object.keys(a.sequential.find((p) => p.segments)?.segments ?? a.burst.pods.find((p) => p.segments)?.segments ?? {});
  const seqSegs = a.sequential.flatMap((p) => (p.segments ? [p.segments] : []));
  const burstSegs = a.burst.pods.flatMap((p) => (p.segments ? [p.segments] : []));
  if (segNames.length) {
    console.log('\nWhere a pod start goes (client clock for the ends, the runtime\'s records and file times in between):');
    console.log(renderSegmentTable(segNames, [{ title: 'one at a time', samples: seqSegs }, { title: 'burst', samples: burstSegs }]));
  }

  const writes = [...a.sequential, ...a.burst.pods].map((p) => p.writesBeforeRunning);
  console.log(
    [
      '',
      `notes: ${a.cpus} CPUs; agent started as \`${a.agentCommand}\` (the RSS floor is an idle \`${['node', ...a.rss.nodeFlags].join(' ')} -e <timer>\`).`,
      `  pods: busybox \`sleep 3600\`, BestEffort, spec.nodeName set, imagePullPolicy IfNotPresent; image pre-pulled by a warm-up pod (${fmtMs(a.warmupMs)} with the pull).`,
      `  the API server answered the creates in p50 ${fmtMs(summarize(a.sequential.map((p) => p.apiCreateMs)).p50)} (one at a time), ${fmtMs(summarize(a.burst.pods.map((p) => p.apiCreateMs)).p50)} (burst).`,
      `  deletion is excluded from every figure: delete (grace 0) until the agent removed the sandboxes took ${fmtMs(a.deletionMs.sequential)} for ${pods} pods, ${fmtMs(a.deletionMs.burst)} for ${burst}.`,
      `  status writes seen before Running: ${Math.max(...writes) === 0 ? 'none (the first status the agent writes is Running)' : `max ${Math.max(...writes)}`}.`,
      'CPU while pods started (a shared machine: "everything else" is the noise to read the latencies against):',
      cpuLine(`${pods} one at a time`, a.cpu.sequential, pods, a.cpus),
      cpuLine(`burst of ${burst}`, a.cpu.burst, burst, a.cpus),
    ].join('\n'),
  );
  const problems = [...rt.cleanupProblems.map((p) => `runtime bench: ${p}`), ...a.cleanupProblems.map((p) => `agent bench: ${p}`)];
  if (problems.length) console.log(`cleanup problems: ${problems.join('; ')}`);
  if (cpuProfDir) console.log(`the agent's CPU profile is in ${cpuProfDir}: npx tsx bench/profileSummary.ts ${cpuProfDir}`);

  const figures: Record<string, unknown> = {};
  for (const r of rows) figures[r.id] = { ...r.data, ...(r.met === undefined ? {} : { met: r.met }) };
  console.log(
    JSON.stringify({
      bench: 'agent',
      cpus: a.cpus,
      agentCommand: a.agentCommand,
      figures,
      segments: { sequential: summarizeSegments(segNames, seqSegs), burst: summarizeSegments(segNames, burstSegs) },
      cpu: a.cpu,
      deletionMs: a.deletionMs,
      warmupMs: round3(a.warmupMs),
      cleanupProblems: problems,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(`bench/agent: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(interrupted ? 130 : 1);
});
