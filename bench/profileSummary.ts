// Summarizes the API server's CPU profile from `apiserver.ts --cpu-prof DIR`, one section
// per benchmark phase: where the process spent its time (self time per function and per
// file, and inclusive time of the project's own functions).
// Usage: npx tsx bench/profileSummary.ts DIR [--top N]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPhaseMarks, type PhaseWindow } from './lib/phaseMarks.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

// bench/ in the source tree, dist/bench/ when compiled: either way its parent is the tree the profile's URLs point into.
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length);
  if (u.startsWith(projectRoot + '/')) return u.slice(projectRoot.length + 1);
  return u;
}

function label(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  return f.url ? `${name} ${shortUrl(f.url)}:${f.lineNumber + 1}` : name;
}

function isProject(f: CallFrame): boolean {
  const u = f.url.replace(/^file:\/\//, '');
  return u.startsWith(projectRoot + '/') && !u.includes('/node_modules/');
}

function top(m: Map<string, number>, n: number): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function summarize(p: CpuProfile, w: PhaseWindow, n: number): string {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    const weight = (p.timeDeltas[i + 1] ?? 0) / 1000; // ms until the next sample
    if (t < w.startUs || t >= w.endUs) continue;
    const node = byId.get(p.samples[i]!)!;
    const f = node.callFrame;
    total += weight;
    if (f.functionName === '(idle)') {
      idle += weight;
      continue;
    }
    self.set(label(f), (self.get(label(f)) ?? 0) + weight);
    const file = f.url ? shortUrl(f.url).replace(/:\d+$/, '') : f.functionName;
    files.set(file, (files.get(file) ?? 0) + weight);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      if (!isProject(cf)) continue;
      const l = label(cf);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + weight);
    }
  }
  const busy = total - idle;
  const pct = (x: number): string => `${((100 * x) / Math.max(busy, 1e-9)).toFixed(1).padStart(5)}%`;
  const lines = [
    `== ${w.phase}: ${((w.endUs - w.startUs) / 1e6).toFixed(1)} s wall, API server busy ${(busy / 1000).toFixed(2)} s (${((100 * busy) / Math.max(total, 1e-9)).toFixed(0)}% of one core)`,
    `-- top self time (share of busy time)`,
    ...top(self, n).map(([k, v]) => `${pct(v)} ${v.toFixed(0).padStart(6)} ms  ${k}`),
    `-- self time by file`,
    ...top(files, 12).map(([k, v]) => `${pct(v)} ${v.toFixed(0).padStart(6)} ms  ${k}`),
    `-- inclusive time of project functions`,
    ...top(inclusive, n).map(([k, v]) => `${pct(v)} ${v.toFixed(0).padStart(6)} ms  ${k}`),
  ];
  return lines.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const dir = args[0];
  if (!dir) throw new Error('usage: profileSummary.ts DIR [--top N]');
  const n = args[1] === '--top' ? Number(args[2]) : 20;
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the main thread is thread 0 (run from
  // source, tsx's loader thread writes a second profile).
  const profiles = fs.readdirSync(dir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f));
  if (profiles.length !== 1) throw new Error(`expected one main-thread .cpuprofile in ${dir}, found ${profiles.length}`);
  const profile = JSON.parse(fs.readFileSync(path.join(dir, profiles[0]!), 'utf8')) as CpuProfile;
  const marksFile = path.join(dir, 'phases.json');
  const windows = fs.existsSync(marksFile) ? readPhaseMarks(marksFile) : [];
  windows.push({ phase: 'whole run', startUs: profile.startTime, endUs: profile.endTime });
  for (const w of windows) console.log(summarize(profile, w, n) + '\n');
}

main();
