// What keeps slow and greedy clients from holding the API server (Kubernetes' request
// timeout, max-requests-inflight and the Go server's header timeout as the model):
//  - headers must arrive within headersTimeoutMs and a TLS handshake within handshakeTimeoutMs;
//  - a non-long-running request not answered within requestTimeoutMs (a trickled body, a
//    handler stuck on the store) gets 504 and its connection is closed;
//  - a request refused as unauthenticated is answered 401 before its body is read, and its
//    connection closed, so a trickling stranger holds nothing;
//  - in-flight non-long-running requests are capped per class of client (inflight.ts), shared
//    fairly among its users (fairQueue.ts): 429 + Retry-After when a user's queue is full;
//  - one source address may hold at most maxConnectionsPerSource connections.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer, ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Status } from '../../common/api/meta.js';
import { TimeoutError, TooManyRequestsError } from '../../common/errors.js';
import type { UserInfo } from '../auth/tokens.js';
import { defaultInflightLimits, InflightLimiter, requestClass, type FairnessLimits, type InflightLimits } from './inflight.js';
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
  /** How users share each in-flight budget (default: half the seats each at most, 50 waiting, a quarter of the request timeout's wait). */
  fairness: FairnessLimits;
}

export const defaultServingLimits: ServingLimits = {
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 32_000,
  handshakeTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  connectionsCheckIntervalMs: 1_000,
  maxConnectionsPerSource: 2_048,
  inflight: defaultInflightLimits,
  fairness: { maxSeatsPerUserPercent: 50, queueLengthPerUser: 50, queueWaitMs: 15_000 },
};

export type ServingLimitsOverrides = Partial<Omit<ServingLimits, 'inflight' | 'fairness'>> & { inflight?: Partial<InflightLimits>; fairness?: Partial<FairnessLimits> };

export function servingLimits(overrides: ServingLimitsOverrides = {}): ServingLimits {
  const requestTimeoutMs = overrides.requestTimeoutMs ?? defaultServingLimits.requestTimeoutMs;
  // A wait for a seat is bounded by a quarter of the request timeout (which covers the wait too), as APF bounds it.
  const fairness = { ...defaultServingLimits.fairness, queueWaitMs: Math.ceil(requestTimeoutMs / 4), ...overrides.fairness };
  const l = { ...defaultServingLimits, ...overrides, inflight: { ...defaultServingLimits.inflight, ...overrides.inflight }, fairness };
  for (const [k, v] of [...Object.entries(l), ...Object.entries(fairness)]) {
    if (typeof v === 'number' && !(Number.isInteger(v) && v >= 0)) throw new Error(`serving limit ${k} must be a whole number >= 0, got ${v}`);
  }
  if (l.requestTimeoutMs <= 0 || l.connectionsCheckIntervalMs <= 0) throw new Error('requestTimeoutMs and connectionsCheckIntervalMs must be > 0');
  if (fairness.maxSeatsPerUserPercent < 1 || fairness.maxSeatsPerUserPercent > 100) throw new Error(`serving limit maxSeatsPerUserPercent must be within 1..100, got ${fairness.maxSeatsPerUserPercent}`);
  // Node refuses a header timeout longer than the request timeout; the headers are part of the request.
  l.headersTimeoutMs = Math.min(l.headersTimeoutMs, l.requestTimeoutMs);
  return l;
}

/** Paths a prober must always reach, as APF's exempt `probes` flow schema: no in-flight budget. */
const probePath = /^\/(healthz|livez|readyz)(\/[^/]+)?$/;

/** Closing a refused connection: the response is flushed first, then the socket is gone even if the client keeps sending. */
const closeGraceMs = 1_000;

export class RequestGuard {
  readonly limits: ServingLimits;
  readonly inflight: InflightLimiter;
  private readonly perSource = new Map<string, number>();

  constructor(overrides: ServingLimitsOverrides = {}) {
    this.limits = servingLimits(overrides);
    this.inflight = new InflightLimiter(this.limits.inflight, this.limits.fairness);
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
   * After authentication and authorization: starts the request timer and calls `proceed`
   * once the request has an in-flight seat (at once, or after waiting its turn), or answers
   * 429. Long-running requests and probes go on at once, untouched by either.
   */
  admit(req: IncomingMessage, res: ServerResponse, user: UserInfo, info: RequestInfo, proceed: () => void): void {
    if (isLongRunning(info)) return proceed();
    // The timer covers the wait for a seat too, as Kubernetes' timeout filter wraps APF.
    const timer = setTimeout(() => this.timedOut(req, res), this.limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(timer));
    if (info.kind === 'nonresource' && probePath.test(info.path)) return proceed();
    const cancel = this.inflight.acquire(
      requestClass(user),
      isMutating(info),
      user.name,
      (release) => {
        if (res.writableEnded || res.destroyed) return release();
        res.once('close', release);
        proceed();
      },
      () => {
        if (!res.headersSent) sendStatus(res, statusFromError(new TooManyRequestsError('Too many requests, please try again later.', 1)).status);
      },
    );
    // A client gone (or timed out) while waiting leaves its place in the queue.
    res.once('close', cancel);
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
