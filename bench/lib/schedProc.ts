// Process helpers for the scheduler benchmark: CPU time of a process by PID (from /proc),
// running a Gantry component as a child, and summarizing a V8 CPU profile by self time.

import { stopChild } from '../../common/proc/stopChild.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentCommand } from '../../common/proc/components.js';

/** User + system CPU ms of `pid` so far (NaN if gone). */
export function schedCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

export function schedRepoRoot(): string {
  const up = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}

export interface SchedChild {
  child: ChildProcess;
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

/** Starts `relativeMain` (e.g. scheduler/main) with `args`, capturing its output. */
export function schedSpawn(relativeMain: string, args: string[], nodeFlags: string[] = []): SchedChild {
  const { command, args: base } = componentCommand(relativeMain);
  const child = spawn(command, [...nodeFlags, ...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: schedRepoRoot() });
  let out = '';
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return {
    child,
    output: () => out,
    stop: (graceMs = 30_000) => stopChild(child, graceMs),
  };
}

/** Runs a component to completion and returns its stdout's last line parsed as JSON. */
export async function schedRunJson<T>(relativeMain: string, args: string[]): Promise<T> {
  const c = schedSpawn(relativeMain, args);
  const code = await new Promise<number | null>((r) => c.child.once('exit', (x) => r(x)));
  const lines = c.output().trim().split('\n');
  if (code !== 0) throw new Error(`${relativeMain} exited ${code}:\n${lines.slice(-20).join('\n')}`);
  return JSON.parse(lines[lines.length - 1]!) as T;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The `top` functions of a .cpuprofile by self time, as "pct% function file:line". */
export function schedProfileTop(file: string, top = 12): string[] {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const dt = new Map<number, number>();
  p.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  for (const n of p.nodes) {
    const where = n.callFrame.url.replace(/^file:\/\//, '').replace(schedRepoRoot() + '/', '');
    const k = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + (dt.get(n.id) ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}% ${k}`);
}
