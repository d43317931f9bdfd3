// A TCP connection to a port on a pod's loopback (kubectl port-forward), as CRI runtimes make
// it: from inside the pod's network namespace. Node cannot enter a namespace (no setns), so
// `nsenter --net=<pinned netns> socat STDIO TCP4:127.0.0.1:<port>` makes the connection and
// relays it over its stdio. socat's notices (-d -d) say when it is connected ("starting data
// transfer loop") or why not, so a refused port is an error before any byte is relayed.
// A half-close is passed on: ending the writable side shuts down the connection's write
// side, and the readable side ends when the pod closes its end. Destroying the stream ends
// the relay. A pod on the node's network uses this process's own loopback directly.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { PortForwardError } from '../cri/portForwardError.js';

export interface PortForwardTarget {
  podSandboxId: string;
  port: number;
  /** The pod's pinned network namespace; undefined for a pod on the node's network. */
  netnsPath?: string;
  socatPath: string;
  nsenterPath?: string;
  connectTimeoutMs?: number;
}

/** How long socat waits for the pod's side to finish after our side half-closed. */
const halfCloseSeconds = 600;
const connectedNotice = 'starting data transfer loop';

function detailOf(socatError: string): { failure: 'refused' | 'failed'; detail: string } {
  if (/connection refused/i.test(socatError)) return { failure: 'refused', detail: 'connect: connection refused' };
  return { failure: 'failed', detail: socatError || 'the relay ended before connecting' };
}

function connectHost(t: PortForwardTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port: t.port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new PortForwardError(t.podSandboxId, t.port, 'failed', 'i/o timeout'));
    }, t.connectTimeoutMs ?? 10_000);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const refused = e.code === 'ECONNREFUSED';
      reject(new PortForwardError(t.podSandboxId, t.port, refused ? 'refused' : 'failed', refused ? 'connect: connection refused' : e.message));
    });
  });
}

function connectInNetns(t: PortForwardTarget, netnsPath: string): Promise<Duplex> {
  const args = [`--net=${netnsPath}`, '--', t.socatPath, '-d', '-d', '-t', String(halfCloseSeconds), 'STDIO', `TCP4:127.0.0.1:${t.port}`];
  const child = spawn(t.nsenterPath ?? 'nsenter', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    let settled = false;
    let lastError = '';
    const fail = (e: PortForwardError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const timer = setTimeout(() => fail(new PortForwardError(t.podSandboxId, t.port, 'failed', 'i/o timeout')), t.connectTimeoutMs ?? 10_000);
    child.on('error', (e) => fail(new PortForwardError(t.podSandboxId, t.port, 'failed', `cannot run nsenter/socat: ${e.message}`)));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (settled) return; // notices after the start are not kept (bounded memory)
      stderr = (stderr + chunk).slice(-16 * 1024);
      for (const line of stderr.split('\n')) {
        const m = / E (.*)$/.exec(line);
        if (m) lastError = m[1]!.replace(/^connect\([^)]*\):\s*/, '');
      }
      if (stderr.includes(connectedNotice)) {
        settled = true;
        clearTimeout(timer);
        resolve(new RelayStream(child));
      }
    });
    child.on('exit', () => {
      if (settled) return;
      const { failure, detail } = detailOf(lastError || stderr.trim().split('\n').pop() || '');
      fail(new PortForwardError(t.podSandboxId, t.port, failure, detail));
    });
  });
}

/** The relay process's stdio as one stream: half-close passed on, destroy ends the process. */
class RelayStream extends Duplex {
  constructor(private readonly child: ChildProcess) {
    super({ allowHalfOpen: true });
    const stdout = child.stdout!;
    stdout.on('data', (c: Buffer) => {
      if (!this.push(c)) stdout.pause();
    });
    stdout.on('end', () => this.push(null));
    stdout.on('error', (e) => this.destroy(e));
    child.stdin!.on('error', () => undefined);
    // Notices after the start are drained unread.
    child.stderr!.resume();
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.child.stdin!.write(chunk, (e) => done(e ?? null));
  }

  override _final(done: (e?: Error | null) => void): void {
    this.child.stdin!.end(() => done());
  }

  override _destroy(err: Error | null, done: (e: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    this.child.stdout!.destroy();
    this.child.stdin!.destroy();
    done(err);
  }
}

export function portForward(t: PortForwardTarget): Promise<Duplex> {
  return t.netnsPath ? connectInNetns(t, t.netnsPath) : connectHost(t);
}
