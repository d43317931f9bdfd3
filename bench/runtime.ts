// The node runtime benchmark: `npx tsx bench/runtime.ts [iterations] [sandboxIterations] [burst]`
// as root on a machine with runc, conmon and the CNI plugins. The measurements run in a
// separate process (nodeagent/runtime/benchmarkMain.ts: bench/ talks to components only
// from outside); this prints each figure beside its floor from the same run, then one JSON
// line. Never a pass/fail test. Goal: create+start median <= 3x bare `runc run -d`.

import { spawn } from 'node:child_process';
import { componentCommand } from '../common/proc/components.js';
import { renderTable, type FigureRow } from './lib/report.js';
import { fmtMs, round3, summarize } from './lib/stats.js';

interface Samples {
  bareRuncMinimalMs: number[];
  bareRuncRuntimeSpecMs: number[];
  createStartMs: number[];
  createMs: number[];
  startMs: number[];
  sandboxAndContainerMs: number[];
  sandboxMs: number[];
  burstWallMs: number;
  burstEachMs: number[];
  cleanupProblems: string[];
}

async function measure(args: string[]): Promise<Samples> {
  const cmd = componentCommand('nodeagent/runtime/benchmarkMain');
  const child = spawn(cmd.command, [...cmd.args, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`benchmark process exited with ${String(code)}`);
  return JSON.parse(out.trim().split('\n').pop()!) as Samples;
}

function row(id: string, figure: string, samples: number[], floor: number[] | undefined, goalRatio?: number): FigureRow {
  const s = summarize(samples);
  const f = floor ? summarize(floor) : undefined;
  const ratio = f ? s.p50 / f.p50 : undefined;
  return {
    id,
    figure,
    value: `p50 ${fmtMs(s.p50)}, p99 ${fmtMs(s.p99)} (n=${s.n})`,
    floor: f ? `bare runc p50 ${fmtMs(f.p50)}` : '-',
    ratio: ratio === undefined ? '-' : `${ratio.toFixed(2)}x`,
    goal: goalRatio ? `<= ${goalRatio}x` : '-',
    met: goalRatio && ratio !== undefined ? ratio <= goalRatio : undefined,
    data: { p50Ms: round3(s.p50), p99Ms: round3(s.p99), n: s.n, ...(ratio !== undefined ? { ratio: round3(ratio) } : {}) },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const s = await measure(args);
  const rows: FigureRow[] = [
    row('bare_runc_minimal', 'bare runc run -d (runc spec)', s.bareRuncMinimalMs, undefined),
    row('bare_runc_runtime_spec', "bare runc run -d (runtime's spec)", s.bareRuncRuntimeSpecMs, s.bareRuncMinimalMs),
    row('create_start', 'container create+start via runtime', s.createStartMs, s.bareRuncMinimalMs, 3),
    row('create_start_vs_same_spec', 'create+start vs bare runc, same spec', s.createStartMs, s.bareRuncRuntimeSpecMs, 3),
    row('create', '  of which create (overlay, spec, conmon)', s.createMs, undefined),
    row('start', '  of which start (runc start)', s.startMs, undefined),
    row('sandbox', 'pod sandbox (netns, CNI, pause)', s.sandboxMs, undefined),
    row('sandbox_container', 'sandbox + container', s.sandboxAndContainerMs, s.bareRuncMinimalMs),
    row('burst_each', `burst of ${s.burstEachMs.length}: each create+start`, s.burstEachMs, s.bareRuncMinimalMs),
  ];
  const burstRow: FigureRow = {
    id: 'burst_wall',
    figure: `burst of ${s.burstEachMs.length}: all running`,
    value: fmtMs(s.burstWallMs),
    floor: '-',
    ratio: '-',
    goal: '-',
    met: undefined,
    data: { wallMs: round3(s.burstWallMs), perContainerMs: round3(s.burstWallMs / Math.max(1, s.burstEachMs.length)) },
  };
  rows.push(burstRow);
  console.log(renderTable(rows));
  if (s.cleanupProblems.length) console.log(`cleanup problems: ${s.cleanupProblems.join('; ')}`);
  const figures: Record<string, unknown> = {};
  for (const r of rows) figures[r.id] = { ...r.data, ...(r.met === undefined ? {} : { met: r.met }) };
  console.log(JSON.stringify({ bench: 'runtime', figures }));
}

main().catch((e: unknown) => {
  console.error(`bench/runtime: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
