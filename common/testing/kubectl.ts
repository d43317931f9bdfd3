// The machine's real kubectl against a test cluster, for tests and benches: each with a cache
// dir of its own, so discovery and OpenAPI are really fetched from our server rather than
// from another release's (or another test's) cached answers.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlRun {
  /** Output so far (for `get -w`, `port-forward`). */
  stdout(): string;
  /** Error output so far (`drain`'s retries). */
  stderr(): string;
  /** SIGTERM (if still running) and wait for the exit. */
  stop(): Promise<KubectlResult>;
  done: Promise<KubectlResult>;
}

export interface KubectlOptions {
  /** A specific kubectl (kubectlBinary(33)); default: the `kubectl` dispatcher on PATH, which picks by the server's version. */
  binary?: string;
  input?: string | undefined;
  /** SIGKILL after this long; 0: never (a watch stopped by stop()). Default 60 s. */
  timeoutMs?: number;
}

/** The machine's kubectl of one minor version (1.27 ... 1.33), not the dispatcher. */
export const kubectlBinary = (minor: number): string => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;

export function runKubectl(kubeconfig: string, cacheDir: string, args: string[], opts: KubectlOptions = {}): KubectlRun {
  const child = spawn(opts.binary ?? 'kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
    // No user preferences (kuberc) from the machine: tests see kubectl's defaults.
    env: { ...process.env, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: 'false' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timer = timeoutMs > 0 ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
  const done = new Promise<KubectlResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  // kubectl may exit before it reads its input (a failed request): no EPIPE crash then.
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input ?? '');
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
    done,
  };
}

export function kubectl(kubeconfig: string, cacheDir: string, args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return runKubectl(kubeconfig, cacheDir, args, opts).done;
}

/** A kubectl run as text worth reading in an assertion message. */
export function showRun(r: KubectlResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

/** Throws with kubectl's output unless it exited 0; else its stdout. */
export async function kubectlOk(kubeconfig: string, cacheDir: string, args: string[], opts: KubectlOptions = {}): Promise<string> {
  const r = await kubectl(kubeconfig, cacheDir, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${showRun(r)}`);
  return r.stdout;
}

/** One kubectl bound to a cluster and a cache dir: call it with arguments. */
export interface Kubectl {
  /** The executable run: `kubectl` (the dispatcher) or one release's kubectl.1.NN. */
  readonly binary: string;
  /** Its discovery/OpenAPI cache, for commands built by hand (a terminal, port-forward). */
  readonly cacheDir: string;
  (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Starts kubectl and returns its output so far and a stop (for `get -w`). */
  spawn(args: string[]): { output: () => string; stop: () => Promise<KubectlResult> };
}

export function makeKubectl(kubeconfig: string, cacheDir: string, binary = 'kubectl'): Kubectl {
  const bound = ((args: string[], opts: { input?: string; timeoutMs?: number } = {}) => kubectl(kubeconfig, cacheDir, args, { ...opts, binary })) as Kubectl;
  Object.assign(bound, { binary, cacheDir });
  bound.spawn = (args: string[]) => {
    const r = runKubectl(kubeconfig, cacheDir, args, { binary, timeoutMs: 0 });
    return { output: r.stdout, stop: r.stop };
  };
  return bound;
}

/**
 * kubectl 1.<minor> (or the dispatcher on PATH when no minor is given) against `kubeconfig`,
 * caching under a new directory inside `cacheParent`.
 */
export function kubectlFor(kubeconfig: string, cacheParent: string, minor?: number): Kubectl {
  const binary = minor === undefined ? 'kubectl' : kubectlBinary(minor);
  if (minor !== undefined && !fs.existsSync(binary)) throw new Error(`${binary} is missing: this machine should have kubectl 1.27-1.33 there`);
  fs.mkdirSync(cacheParent, { recursive: true });
  const cacheDir = fs.mkdtempSync(path.join(cacheParent, `kube-cache-${minor === undefined ? 'dispatcher' : `1.${minor}`}-`));
  return makeKubectl(kubeconfig, cacheDir, binary);
}

/** kubectl 1.<minor> runs against one cluster, each release with its own cache under `cacheParent`. */
export interface KubectlReleases {
  run(minor: number, args: string[], input?: string): Promise<KubectlResult>;
  /** Throws with kubectl's output unless it exited 0; else its stdout. */
  ok(minor: number, args: string[], input?: string): Promise<string>;
}

export function kubectlReleases(kubeconfig: () => string, cacheParent: () => string): KubectlReleases {
  const run = (minor: number, args: string[], input = ''): Promise<KubectlResult> => kubectl(kubeconfig(), path.join(cacheParent(), `cache-${minor}`), args, { input, binary: kubectlBinary(minor) });
  return {
    run,
    ok: async (minor, args, input = '') => {
      const r = await run(minor, args, input);
      if (r.code !== 0) throw new Error(`kubectl 1.${minor} ${args.join(' ')}: ${showRun(r)}`);
      return r.stdout;
    },
  };
}
