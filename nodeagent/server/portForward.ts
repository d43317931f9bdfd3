// kubectl port-forward (portforward.k8s.io over SPDY, bare or inside a websocket): for every
// local connection the client opens an error stream and a data stream carrying the same
// `requestid` and `port` headers. The pair becomes one TCP connection to that port on the
// pod's loopback (RuntimeService.portForward); a failure is written to the error stream,
// worded like the kubelet's, which kubectl prints. Many pairs share one session.

import type { Duplex } from 'node:stream';
import type { Logger } from '../../common/logging.js';
import { RstStatus } from './spdy/frames.js';
import type { SpdySession, SpdyStream } from './spdy/session.js';

export const portForwardProtocol = 'portforward.k8s.io';
/** The websocket subprotocol of kubectl 1.31+: SPDY frames inside binary messages. */
export const portForwardWebSocketProtocol = 'SPDY/3.1+portforward.k8s.io';

/** How long the second stream of a pair may keep us waiting (the kubelet's stream creation timeout). */
const pairTimeoutMs = 30_000;
/** Pairs half-open at once; a client that opens only error streams cannot pile them up. */
const maxPendingPairs = 128;

export interface PortForwardTarget {
  /** For messages: namespace/name. */
  pod: string;
  uid: string;
  /** Dials `port` inside the pod's network namespace. */
  dial(port: number): Promise<Duplex>;
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  port: number;
  timer: NodeJS.Timeout;
}

function parsePort(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export function servePortForward(session: SpdySession, target: PortForwardTarget, log: Logger): void {
  const pending = new Map<string, Pair>();

  session.on('stream', (s) => {
    const type = s.header('streamtype');
    const requestId = s.header('requestid');
    const port = parsePort(s.header('port'));
    if ((type !== 'error' && type !== 'data') || requestId === undefined || port === undefined) {
      log.debug('refusing a port-forward stream', { streamType: type, requestId, port: s.header('port') });
      s.resetStream(RstStatus.protocolError);
      return;
    }
    let pair = pending.get(requestId);
    if (!pair) {
      if (pending.size >= maxPendingPairs) {
        s.resetStream(RstStatus.refusedStream);
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(requestId);
        log.debug('port-forward pair never completed', { requestId });
        pair?.error?.resetStream(RstStatus.cancel);
        pair?.data?.resetStream(RstStatus.cancel);
      }, pairTimeoutMs);
      timer.unref();
      pair = { port, timer };
      pending.set(requestId, pair);
    }
    if (pair[type] || pair.port !== port) {
      s.resetStream(RstStatus.protocolError);
      return;
    }
    pair[type] = s;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pending.delete(requestId);
      void forward(pair.error, pair.data, port, target, log);
    }
  });
  session.on('close', () => {
    for (const p of pending.values()) clearTimeout(p.timer);
    pending.clear();
  });
}

async function forward(error: SpdyStream, data: SpdyStream, port: number, target: PortForwardTarget, log: Logger): Promise<void> {
  // The client never writes on the error stream; reading lets its FIN through.
  error.resume();
  let conn: Duplex;
  try {
    conn = await target.dial(port);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    log.info('port-forward connection failed', { port, error: why });
    if (!error.reset) error.end(`error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${why}`);
    if (!data.reset) data.end();
    return;
  }
  if (data.reset) {
    conn.destroy();
    error.end();
    return;
  }
  log.debug('port-forward connection open', { port });
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    conn.destroy();
    if (!data.reset) data.end();
    if (!error.reset) error.end();
  };
  conn.on('error', (e) => {
    log.debug('port-forward connection broke', { port, error: e.message });
    finish();
  });
  data.on('close', finish);
  conn.on('close', finish);
  // Half-closes travel both ways: the client's FIN ends our write side, the pod's EOF ends the stream.
  data.pipe(conn);
  conn.pipe(data);
}
