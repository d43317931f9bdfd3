// Starts podClient.ts inside a pod's network namespace and reads what it reports.

import { spawn, type ChildProcess } from 'node:child_process';
import { componentCommand } from '../../common/proc/components.js';

function inPod(netnsPath: string, args: string[]): ChildProcess {
  const { command, args: pre } = componentCommand('bench/multihost/podClient');
  return spawn('nsenter', [`--net=${netnsPath}`, '--', command, ...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface PairsResult {
  service: number[];
  direct: number[];
  errors: { service: number; direct: number };
  reasons: string[];
}

/** Alternating requests to the Service and directly to its pods; see podClient.ts. */
export function runPairs(netnsPath: string, serviceUrl: string, directUrls: string[], count: number, warmup: number): Promise<PairsResult> {
  const child = inPod(netnsPath, ['pairs', '--service', serviceUrl, '--direct', directUrls.join(','), '--count', String(count), '--warmup', String(warmup)]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the pod client exited with ${code}: ${stderr.slice(-1000)}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as PairsResult);
    });
  });
}

export interface LoopRequest {
  /** Epoch ms when the request started. */
  start: number;
  ms: number;
  ok: boolean;
  /** The body's first line (`gantry web v2`) or the failure (`ECONNREFUSED`, `timeout`). */
  detail: string;
}

export interface LoopClient {
  requests: LoopRequest[];
  /** SIGTERM; resolves once the client exited (its last lines read). */
  stop(): Promise<void>;
}

/** Requests `url` one after the other until stopped; every answer is kept. */
export function startLoop(netnsPath: string, url: string, timeoutMs = 2000, pauseMs = 10): LoopClient {
  const child = inPod(netnsPath, ['loop', '--url', url, '--timeout-ms', String(timeoutMs), '--pause-ms', String(pauseMs)]);
  const requests: LoopRequest[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const [start, ms, status, detail] = buf.slice(0, nl).split(' ');
      buf = buf.slice(nl + 1);
      requests.push({ start: Number(start), ms: Number(ms), ok: status === 'ok', detail: (detail ?? '').replace(/_/g, ' ') });
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    requests,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
      if (stderr.trim()) console.error(`pod client: ${stderr.trim().slice(-500)}`);
    },
  };
}
