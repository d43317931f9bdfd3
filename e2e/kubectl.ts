// Running the machine's real kubectl against a Gantry cluster, with a fresh cache dir
// so discovery and OpenAPI are really fetched from our server.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { componentCommand } from '../common/proc/components.js';
import { mountsUnder } from '../common/proc/leftovers.js';
import { freePort } from '../common/proc/ports.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  /** The executable run: `kubectl` (the dispatcher) or one release's kubectl.1.NN. */
  readonly binary: string;
  /** Its discovery/OpenAPI cache, for commands built by hand (a terminal, port-forward). */
  readonly cacheDir: string;
  (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Starts kubectl and returns the child plus its collected output (for `get -w`). */
  spawn(args: string[]): { output: () => string; stop: () => Promise<KubectlResult> };
}

export function makeKubectl(kubeconfig: string, cacheDir: string, binary = 'kubectl'): Kubectl {
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir];
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: 'false' };
  const run = ((args: string[], opts: { input?: string; timeoutMs?: number } = {}) =>
    new Promise<KubectlResult>((resolve, reject) => {
      const child = spawn(binary, [...base, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      // kubectl may exit before it reads its input (a failed request): no EPIPE crash then.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input ?? '');
    })) as Kubectl;
  Object.assign(run, { binary, cacheDir });
  run.spawn = (args: string[]) => {
    const child = spawn(binary, [...base, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<KubectlResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
    return {
      output: () => stdout,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        return closed;
      },
    };
  };
  return run;
}

/** The machine's real kubectl of one minor version (1.27 ... 1.33), not the dispatcher. */
export function kubectlBinary(minor: number): string {
  return `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
}

/**
 * kubectl 1.<minor> (or the dispatcher on PATH when no minor is given) against `kubeconfig`,
 * caching under a new directory inside `cacheParent`: pinned releases test compatibility, and
 * a fresh cache makes their discovery and OpenAPI requests really reach our server instead of
 * another release's cached answers.
 */
export function kubectlFor(kubeconfig: string, cacheParent: string, minor?: number): Kubectl {
  const binary = minor === undefined ? 'kubectl' : kubectlBinary(minor);
  if (minor !== undefined && !fs.existsSync(binary)) throw new Error(`${binary} is missing: this machine should have kubectl 1.27-1.33 there`);
  fs.mkdirSync(cacheParent, { recursive: true });
  const cacheDir = fs.mkdtempSync(path.join(cacheParent, `kube-cache-${minor === undefined ? 'dispatcher' : `1.${minor}`}-`));
  return makeKubectl(kubeconfig, cacheDir, binary);
}

/** A kubectl run as text worth reading in an assertion message. */
export function showRun(r: KubectlResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

/** Runs the `gantry` CLI with GANTRY_HOME set; output is stdout and stderr together. */
export function gantry(home: string, args: string[]): Promise<{ code: number; out: string }> {
  const { command, args: pre } = componentCommand('cli/main');
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...pre, ...args], { env: { ...process.env, GANTRY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/**
 * `gantry up` flags that keep a test cluster apart from any other on this machine (a
 * developer's own `gantry up` included): its own API port, bridge, cgroup root and pod
 * subnet, so its `down` removes only what it made.
 */
export async function isolatedUpArgs(hosts = 1): Promise<string[]> {
  const id = randomBytes(3).toString('hex');
  // Its own bridge (and so namespace names) and cgroups; `up` picks a host network no other uses.
  return ['up', '--api-port', String(await freePort()), '--bridge', `gte2e${id}`, '--cgroup-root', `gantry-e2e-${id}`, '--hosts', String(hosts)];
}

/**
 * Removes a test's temp dir unless something is still mounted in it (a failed teardown):
 * deleting through a mount would delete what is mounted. Then it fails, loudly.
 */
export function removeUnlessMounted(tmp: { dir: string; remove: () => void }): void {
  const mounts = mountsUnder(tmp.dir);
  if (mounts.length) throw new Error(`kept ${tmp.dir}: still mounted there: ${mounts.join(', ')}`);
  tmp.remove();
}
