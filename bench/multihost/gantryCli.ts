// The commands a user types, run as child processes: the `gantry` CLI (from the same tree
// as this benchmark: dist/ when compiled) with GANTRY_HOME set, and the machine's kubectl.
// Every output line of `gantry` is stamped with when it arrived, so the phases of `up`
// (images, control plane, hosts, Ready) can be told apart without changing `up`.

import { spawn } from 'node:child_process';
import { componentCommand } from '../../common/proc/components.js';

export interface StampedLine {
  /** performance.now() when the line arrived. */
  at: number;
  text: string;
}

export interface CliResult {
  code: number;
  lines: StampedLine[];
  out: string;
}

/** Splits a stream into lines and stamps each with its arrival time. */
function lineStamper(into: StampedLine[], onLine?: (l: StampedLine) => void): (d: Buffer) => void {
  let buf = '';
  return (d) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const l = { at: performance.now(), text: buf.slice(0, nl) };
      buf = buf.slice(nl + 1);
      into.push(l);
      onLine?.(l);
    }
  };
}

/**
 * `gantry <args>` with GANTRY_HOME=home; stdout and stderr together, line by line. `signal`
 * aborted: SIGTERM to the command (an interrupted benchmark stops its `up` before `down`).
 */
export function gantry(home: string, args: string[], onLine?: (l: StampedLine) => void, signal?: AbortSignal): Promise<CliResult> {
  const { command, args: pre } = componentCommand('cli/main');
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...pre, ...args], { env: { ...process.env, GANTRY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    const lines: StampedLine[] = [];
    const stamp = lineStamper(lines, onLine);
    child.stdout.on('data', stamp);
    child.stderr.on('data', stamp);
    // An abort is reported as an error after the kill; the exit code says what happened.
    child.on('error', (e) => (e.name === 'AbortError' ? undefined : reject(e)));
    child.on('close', (code) => resolve({ code: code ?? -1, lines, out: lines.map((l) => l.text).join('\n') }));
  });
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The machine's kubectl (the dispatcher on PATH) against `kubeconfig`, with its own cache dir. */
export function kubectl(kubeconfig: string, cacheDir: string, args: string[], input = '', timeoutMs = 120_000): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: 'false' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Throws with kubectl's output unless it exited 0. */
export async function kubectlOk(kubeconfig: string, cacheDir: string, args: string[], input = ''): Promise<string> {
  const r = await kubectl(kubeconfig, cacheDir, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
