// What keeps slow and greedy clients from holding the API server (Kubernetes' request
// timeout, max-requests-inflight and the Go server's header timeout as the model):
//  - headers must arrive within headersTimeoutMs and a TLS handshake within handshakeTimeoutMs;
//  - a non-long-running request not answered within requestTimeoutMs (a trickled body, a
//    handler stuck on the store) gets 504 and its connection is closed;
//  - a request refused as unauthenticated is answered 401 before its body is read, and its
//    connection closed, so a trickling stranger holds nothing;
//  - in-flight non-long-running requests are capped per class of client (inflight.ts): 429 + Retry-After;
//  - one source address may hold at most maxConnectionsPerSource connections.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer, ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Status } from '../../common/api/meta.js';
import { TimeoutError, TooManyRequestsError } from '../../common/errors.js';
import type { UserInfo } from '../auth/tokens.js';
import { defaultInflightLimits, InflightLimiter, requestClass, type InflightLimits } from './inflight.js';
import { isLongRunning, isMutating } from './longRunning.js';
import type { RequestInfo } from './requestInfo.js';
import { sendStatus } from './respond.js';
import { statusFromError } from './status.js';

export interface ServingLimits {
  /** A non-long-running request must be answered within this (kube-apiserver --request-timeout, 60 s). */
  requestTimeoutMs: number;
  /** All headers of a request must arrive within this (the Go server's ReadHeaderTimeout in kube-apiserver: 32 s). */
  headersTimeoutMs: number;
  /** A TLS handshake must finish within this. */
  handshakeTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node looks for connections past headersTimeoutMs / requestTimeoutMs. */
  connectionsCheckIntervalMs: number;
  /** Open connections one remote address may hold (0: unlimited). Loopback is one address: leave room for every local component. */
  maxConnectionsPerSource: number;
  inflight: InflightLimits;
}

export const defaultServingLimits: ServingLimits = {
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 32_000,
  handshakeTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  connectionsCheckIntervalMs: 1_000,
  maxConnectionsPerSource: 2_048,
  inflight: defaultInflightLimits,
};

export type ServingLimitsOverrides = Partial<Omit<ServingLimits, 'inflight'>> & { inflight?: Partial<InflightLimits> };

export function servingLimits(overrides: ServingLimitsOverrides = {}): ServingLimits {
  const l = { ...defaultServingLimits, ...overrides, inflight: { ...defaultServingLimits.inflight, ...overrides.inflight } };
  for (const [k, v] of Object.entries(l)) {
    if (typeof v === 'number' && !(Number.isInteger(v) && v >= 0)) throw new Error(`serving limit ${k} must be a whole number >= 0, got ${v}`);
  }
  if (l.requestTimeoutMs <= 0 || l.connectionsCheckIntervalMs <= 0) throw new Error('requestTimeoutMs and connectionsCheckIntervalMs must be > 0');
  // Node refuses a header timeout longer than the request timeout; the headers are part of the request.
  l.headersTimeoutMs = Math.min(l.headersTimeoutMs, l.requestTimeoutMs);
  return l;
}

/** Paths a prober must always reach, as APF's exempt `probes` flow schema: no in-flight budget. */
const probePaths = new Set(['/healthz', '/livez', '/readyz']);

/** Closing a refused connection: the response is flushed first, then the socket is gone even if the client keeps sending. */
const closeGraceMs = 1_000;

export class RequestGuard {
  readonly limits: ServingLimits;
  readonly inflight: InflightLimiter;
  private readonly perSource = new Map<string, number>();

  constructor(overrides: ServingLimitsOverrides = {}) {
    this.limits = servingLimits(overrides);
    this.inflight = new InflightLimiter(this.limits.inflight);
  }

  /** Options for https.createServer: some of Node's timers can only be set at construction. */
  serverOptions(): Pick<ServerOptions, 'connectionsCheckingInterval' | 'headersTimeout' | 'requestTimeout' | 'handshakeTimeout' | 'keepAliveTimeout'> {
    const l = this.limits;
    return {
      connectionsCheckingInterval: l.connectionsCheckIntervalMs,
      headersTimeout: l.headersTimeoutMs,
      // Node's own limit covers only a request still arriving (a finished request, like a
      // watch, or an upgraded connection is not cut): it backs up the 504 below with a 408.
      requestTimeout: l.requestTimeoutMs + l.connectionsCheckIntervalMs,
      handshakeTimeout: l.handshakeTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
    };
  }

  /** Per-source connection accounting, on the raw socket before TLS (cheap: nothing is parsed yet). */
  attach(server: HttpsServer): void {
    server.headersTimeout = this.limits.headersTimeoutMs;
    server.requestTimeout = this.limits.requestTimeoutMs + this.limits.connectionsCheckIntervalMs;
    server.keepAliveTimeout = this.limits.keepAliveTimeoutMs;
    const max = this.limits.maxConnectionsPerSource;
    if (max <= 0) return;
    server.on('connection', (socket: Socket) => {
      const source = socket.remoteAddress ?? '';
      const n = (this.perSource.get(source) ?? 0) + 1;
      if (n > max) {
        socket.destroy();
        return;
      }
      this.perSource.set(source, n);
      socket.once('close', () => {
        const left = (this.perSource.get(source) ?? 1) - 1;
        if (left > 0) this.perSource.set(source, left);
        else this.perSource.delete(source);
      });
    });
  }

  /** Open connections from one address (for tests). */
  connectionsFrom(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  /**
   * After authentication and authorization: takes an in-flight slot and starts the request
   * timer, or answers 429. Returns whether the request may go on. Long-running requests pass untouched.
   */
  admit(req: IncomingMessage, res: ServerResponse, user: UserInfo, info: RequestInfo): boolean {
    if (isLongRunning(info)) return true;
    if (!(info.kind === 'nonresource' && probePaths.has(info.path))) {
      const release = this.inflight.tryAcquire(requestClass(user), isMutating(info));
      if (!release) {
        sendStatus(res, statusFromError(new TooManyRequestsError('Too many requests, please try again later.', 1)).status);
        return false;
      }
      res.once('close', release);
    }
    const timer = setTimeout(() => this.timedOut(req, res), this.limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(timer));
    return true;
  }

  private timedOut(req: IncomingMessage, res: ServerResponse): void {
    if (res.writableEnded) return;
    const seconds = this.limits.requestTimeoutMs / 1000;
    if (res.headersSent) {
      // Part of an answer is out: the only way to tell the client is to cut the connection.
      req.socket.destroy();
      return;
    }
    // Body in full and still no answer: the server (its store) is slow, and a retry may succeed.
    // A body still trickling in is the client's doing: no invitation to come back.
    const retry = req.complete ? { retryAfterSeconds: 1 } : {};
    refuseAndClose(res, statusFromError(new TimeoutError(`Timeout: request did not complete within ${seconds}s`, retry)).status);
  }
}

/**
 * Answers and closes the connection without reading the request's body: for 401s and
 * timeouts, where keeping the connection would let the client go on holding it.
 */
export function refuseAndClose(res: ServerResponse, status: Status): void {
  const socket = res.socket;
  if (!res.headersSent) {
    res.setHeader('Connection', 'close');
    sendStatus(res, status);
  }
  // Node ends a `Connection: close` response's socket once it is flushed; a client that
  // neither reads nor stops sending is cut off after a grace period.
  socket?.once('close', () => clearTimeout(cut));
  const cut = setTimeout(() => socket?.destroy(), closeGraceMs);
  cut.unref();
}
