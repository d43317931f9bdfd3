// The machine's real kubectl against a test cluster, with a fresh cache dir so discovery
// is really fetched from our server.

import { spawn } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlRun {
  /** Output so far. */
  stdout(): string;
  /** SIGTERM (if still running) and wait for the exit. */
  stop(): Promise<KubectlResult>;
  done: Promise<KubectlResult>;
}

export interface KubectlOptions {
  /** A specific kubectl, e.g. /usr/lib/google-cloud-sdk/bin/kubectl.1.33; default: the `kubectl` dispatcher on PATH. */
  binary?: string;
}

/** The machine's kubectl of one minor version (1.27-1.33). */
export const kubectlBinary = (minor: number): string => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;

export function runKubectl(kubeconfig: string, cacheDir: string, args: string[], input = '', opts: KubectlOptions = {}): KubectlRun {
  const child = spawn(opts.binary ?? 'kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: 'false' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<KubectlResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr });
    });
  });
  // kubectl may exit before it reads its input (a failed request): no EPIPE crash then.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  return {
    stdout: () => stdout,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
    done,
  };
}

export function kubectl(kubeconfig: string, cacheDir: string, args: string[], input = '', opts: KubectlOptions = {}): Promise<KubectlResult> {
  return runKubectl(kubeconfig, cacheDir, args, input, opts).done;
}
