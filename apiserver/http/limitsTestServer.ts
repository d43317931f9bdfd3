// For the tests of the serving limits: a real etcd and API server with chosen limits, a
// plain HTTPS caller that reports status, headers and time, and raw TLS clients that
// trickle what they send, as a slow or hostile client would.

import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../common/logging.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import type { Rule } from '../auth/authorizer.js';
import { TokenAuthenticator, type UserInfo } from '../auth/tokens.js';
import { startApiServer, type RunningApiServer } from '../server.js';
import type { ServingLimitsOverrides } from './servingLimits.js';

export interface LimitsTestServer {
  server: RunningApiServer;
  etcd: EtcdProcess;
  caPem: string;
  port: number;
  /** Tokens by user name. */
  tokens: Map<string, string>;
  /** Stops etcd (gracefully) and starts it again on the same ports and data. */
  stopEtcd(): Promise<void>;
  startEtcd(): Promise<void>;
  close(): Promise<void>;
}

export async function startLimitsTestServer(opts: { limits?: ServingLimitsOverrides; users: UserInfo[]; rules?: Rule[] }): Promise<LimitsTestServer> {
  const tmp = makeTempDir('gantry-limits');
  const etcdOpts = { dataDir: path.join(tmp.dir, 'etcd'), logFile: path.join(tmp.dir, 'etcd.log') };
  let etcd = await startEtcd(etcdOpts);
  let etcdRunning = true;
  const ca = makeCA();
  const serving = makeSignedCert(ca, { commonName: 'apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const tokens = new Map(opts.users.map((u) => [u.name, randomBytes(16).toString('hex')]));
  const server = await startApiServer({
    etcdEndpoints: [etcd.endpoint],
    host: '127.0.0.1',
    port: 0,
    tls: serving,
    authenticator: new TokenAuthenticator(opts.users.map((user) => ({ token: tokens.get(user.name)!, user }))),
    logger: silentLogger(),
    ...(opts.rules ? { rules: opts.rules } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
  }).catch(async (e: unknown) => {
    // Nothing is left behind when the server cannot start (e.g. limits it refuses).
    await etcd.stop();
    tmp.remove();
    throw e;
  });
  return {
    server,
    get etcd() {
      return etcd;
    },
    caPem: ca.certPem,
    port: server.port,
    tokens,
    stopEtcd: async () => {
      await etcd.stop();
      etcdRunning = false;
    },
    startEtcd: async () => {
      etcd = await startEtcd({ ...etcdOpts, clientPort: etcd.clientPort, peerPort: etcd.peerPort });
      etcdRunning = true;
    },
    close: async () => {
      await server.close().catch(() => undefined);
      if (etcdRunning) await etcd.stop();
      tmp.remove();
    },
  };
}

/** Where a caller connects: a LimitsTestServer, or any API server on loopback with its CA. */
export type Target = Pick<LimitsTestServer, 'port' | 'caPem'>;

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One request on its own connection (no pooling, so no request waits behind another). */
export function call(t: Target, method: string, pathname: string, opts: { token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<CallResult> {
  const started = Date.now();
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: t.port,
        method,
        path: pathname,
        ca: t.caPem,
        agent: false,
        headers: {
          ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {}),
        },
        timeout: opts.timeoutMs ?? 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: Date.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname}: no answer in ${opts.timeoutMs ?? 20_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface SlowClient {
  /** The first bytes of the server's answer (the status line), if any came. */
  readonly answer: string;
  /** Resolves with ms from connect to the socket's close. */
  closed: Promise<number>;
  stop(): void;
}

/**
 * A TLS client that sends `head` (request line and headers, complete or not) and then one
 * byte every `everyMs` for as long as the server keeps the connection.
 */
export function slowClient(t: Target, head: string, opts: { everyMs?: number; localAddress?: string } = {}): SlowClient {
  const started = Date.now();
  const socket = tls.connect({ host: '127.0.0.1', port: t.port, ca: t.caPem, servername: 'localhost', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
  let answer = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('secureConnect', () => {
    socket.write(head);
    timer = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write('x');
    }, opts.everyMs ?? 100);
  });
  socket.on('data', (d: Buffer) => {
    if (answer.length < 200) answer += d.toString('latin1');
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    }),
  );
  return {
    get answer() {
      return answer;
    },
    closed,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** A request head announcing a body of `length` bytes that is then trickled. */
export function postHead(pathname: string, length: number, token?: string): string {
  const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
  return `POST ${pathname} HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
}
