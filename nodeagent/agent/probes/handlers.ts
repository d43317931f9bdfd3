// Runs one probe or lifecycle-hook action (exec, httpGet, tcpSocket, sleep) against a
// container, with the action's timeout, and answers success or failure with a message.
// Output and response bodies are capped: a probe that floods output cannot grow the agent.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { RuntimeService } from '../../cri/services.js';

export interface HandlerSpec {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  sleep?: { seconds: number };
  grpc?: { port: number };
}

export interface HandlerTarget {
  containerId: string;
  podIP: string;
  /** The container's named ports, for `port: http`. */
  ports: { name?: string; containerPort: number }[];
}

export interface HandlerResult {
  ok: boolean;
  message: string;
}

const maxOutput = 10 * 1024;

export function resolvePort(port: number | string, ports: HandlerTarget['ports']): number | undefined {
  if (typeof port === 'number') return port > 0 && port < 65536 ? port : undefined;
  if (/^\d+$/.test(port)) return resolvePort(Number(port), ports);
  return ports.find((p) => p.name === port)?.containerPort;
}

function httpProbe(spec: NonNullable<HandlerSpec['httpGet']>, t: HandlerTarget, timeoutMs: number): Promise<HandlerResult> {
  const port = resolvePort(spec.port, t.ports);
  if (port === undefined) return Promise.resolve({ ok: false, message: `port ${String(spec.port)} not found in the container's ports` });
  const host = spec.host || t.podIP;
  if (!host) return Promise.resolve({ ok: false, message: 'the pod has no IP yet' });
  const secure = (spec.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const headers: Record<string, string> = { 'User-Agent': 'gantry-probe/1.0', Accept: '*/*' };
  for (const h of spec.httpHeaders ?? []) headers[h.name] = h.value;
  const pathPart = spec.path ? (spec.path.startsWith('/') ? spec.path : `/${spec.path}`) : '/';
  return new Promise((resolve) => {
    const lib = secure ? https : http;
    const req = lib.request({ host, port, path: pathPart, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      let seen = 0;
      res.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen > maxOutput) res.destroy();
      });
      const code = res.statusCode ?? 0;
      const done = (): void => resolve(code >= 200 && code < 400 ? { ok: true, message: `HTTP ${code}` } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      res.on('end', done);
      res.on('close', done);
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs);
    req.on('error', (e) => resolve({ ok: false, message: `Get "${secure ? 'https' : 'http'}://${host}:${port}${pathPart}": ${e.message}` }));
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

function tcpProbe(spec: NonNullable<HandlerSpec['tcpSocket']>, t: HandlerTarget, timeoutMs: number): Promise<HandlerResult> {
  const port = resolvePort(spec.port, t.ports);
  if (port === undefined) return Promise.resolve({ ok: false, message: `port ${String(spec.port)} not found in the container's ports` });
  const host = spec.host || t.podIP;
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, message: 'connected' });
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `dial tcp ${host}:${port}: ${e.message}` });
    });
  });
}

export async function runHandler(runtime: RuntimeService, spec: HandlerSpec, t: HandlerTarget, timeoutSeconds: number): Promise<HandlerResult> {
  const timeoutMs = Math.max(1, timeoutSeconds) * 1000;
  if (spec.exec) {
    const cmd = spec.exec.command ?? [];
    if (cmd.length === 0) return { ok: false, message: 'exec: empty command' };
    try {
      const r = await runtime.execSync(t.containerId, cmd, { timeoutSeconds: Math.max(1, timeoutSeconds), maxOutputBytes: maxOutput });
      if (r.timedOut) return { ok: false, message: `command timed out after ${timeoutSeconds}s` };
      const out = Buffer.concat([r.stdout, r.stderr]).toString('utf8').trim().slice(0, 1024);
      return r.exitCode === 0 ? { ok: true, message: out } : { ok: false, message: out || `command exited with ${r.exitCode}` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
  if (spec.httpGet) return httpProbe(spec.httpGet, t, timeoutMs);
  if (spec.tcpSocket) return tcpProbe(spec.tcpSocket, t, timeoutMs);
  if (spec.sleep) {
    await new Promise((r) => setTimeout(r, Math.max(0, spec.sleep!.seconds) * 1000));
    return { ok: true, message: '' };
  }
  if (spec.grpc) return { ok: false, message: 'grpc probes are not supported by this agent' };
  return { ok: false, message: 'no handler given' };
}
