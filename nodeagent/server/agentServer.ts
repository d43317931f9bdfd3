// The node agent's HTTPS endpoint for the API server (the kubelet's port 10250): container
// logs; the sampled resource usage (/stats/summary, for the metrics API); exec, attach and port-forward over websockets or SPDY/3.1; and a health check. Mutual TLS with the client CA decides who
// may connect; an allow-list of certificate names decides who may ask anything.

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { ApiError, BadRequestError, MethodNotAllowedError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { authorizePeer } from './clientAuth.js';
import { bridgeCommand, type CommandTransport, type RunningCommand } from './commandBridge.js';
import { serveContainerLogs } from './containerLogs.js';
import { execSubprotocols, failureStatus, type ExecSubprotocol } from './execProtocol.js';
import { servePortForward } from './portForward.js';
import { serveStatsSummary } from './statsSummary.js';
import { matchRoute } from './routes.js';
import { SpdySession } from './spdy/session.js';
import { SpdyCommandTransport, type SpdyCommandProtocol } from './spdyCommandTransport.js';
import { refuseUpgrade, toStatus, writeStatus } from './status.js';
import type { AgentServer, AgentServerOptions } from './types.js';
import { planUpgrade, type CommandPlan, type UpgradePlan } from './upgradePlan.js';
import { WebSocketCommandTransport } from './wsCommandTransport.js';

export type { AgentServer, AgentServerOptions, ContainerLocator, LocatedContainer } from './types.js';

/** Exec messages are stdin chunks and resizes; anything this large is not from kubectl. */
const maxClientMessageBytes = 4 * 1024 * 1024;

function describe(e: unknown): Record<string, unknown> {
  if (e instanceof ApiError) return { reason: e.reason, error: e.message };
  return { error: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
}

export async function startAgentServer(opts: AgentServerOptions): Promise<AgentServer> {
  const log = opts.logger.child({ subsystem: 'agent-server' });
  const allowed = new Set(opts.allowedClientNames);
  const pingIntervalMs = opts.pingIntervalMs ?? 5000;
  // The kubelet's default for a SPDY client to open the streams its request asked for.
  const streamCreationTimeoutMs = opts.streamCreationTimeoutMs ?? 30_000;
  const server = https.createServer({
    cert: opts.tls.certPem,
    key: opts.tls.keyPem,
    ca: opts.tls.clientCaPem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: maxClientMessageBytes,
    // Only reached after onUpgrade chose one of those offered for this route.
    handleProtocols: (_offered, req) => chosenSubprotocols.get(req) ?? false,
  });
  const chosenSubprotocols = new WeakMap<IncomingMessage, string>();
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (e, socket) => {
    log.debug('refused a TLS connection', { error: e.message, remote: socket.remoteAddress });
  });

  const failed = (what: string, e: unknown, fields: Record<string, unknown>): void => {
    if (e instanceof ApiError && e.code < 500) log.debug(`${what} refused`, { ...fields, ...describe(e) });
    else log.error(`${what} failed`, { ...fields, ...describe(e) });
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const fields = { method: req.method, path: req.url, remote: req.socket.remoteAddress };
    try {
      authorizePeer(req.socket as TLSSocket, allowed);
      const url = new URL(req.url ?? '/', 'https://node-agent');
      const route = matchRoute(url.pathname);
      if (req.method !== 'GET') throw new MethodNotAllowedError(`the server does not allow the method ${String(req.method)} on ${url.pathname}`);
      switch (route.kind) {
        case 'healthz':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
          res.end('ok');
          return;
        case 'statsSummary':
          serveStatsSummary(opts.stats, res);
          return;
        case 'containerLogs':
          await serveContainerLogs({ locator: opts.locator, runtime: opts.runtime, logger: log }, route, url.searchParams, req, res);
          return;
        case 'exec':
        case 'attach':
        case 'portForward':
          throw new BadRequestError(`Upgrade request required: ${route.kind} is served over a websocket (subprotocols ${execSubprotocols.join(', ')}) or SPDY/3.1`);
      }
    } catch (e) {
      failed('request', e, fields);
      writeStatus(res, toStatus(e));
    }
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', (e) => log.debug('upgrade socket error', { error: e.message }));
    const fields: Record<string, unknown> = { method: req.method, path: req.url, remote: req.socket.remoteAddress };
    let plan: UpgradePlan;
    try {
      authorizePeer(req.socket as TLSSocket, allowed);
      plan = await planUpgrade(req, opts, fields);
    } catch (e) {
      failed('upgrade', e, fields);
      refuseUpgrade(socket, toStatus(e));
      return;
    }
    const streamLog = log.child(fields);
    // Nothing starts before the handshake is done: a failed one must not leave a process
    // behind, and from here on failures travel inside the protocol.
    if (plan.transport === 'spdy') {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${plan.protocol}\r\n\r\n`);
      // SPDY clients that exec do not ping: TCP keepalive notices one that vanished.
      (req.socket as TLSSocket).setKeepAlive(true, 30_000);
      const session = new SpdySession(socket);
      session.on('protocolError', (e) => streamLog.info('SPDY protocol error; closing the session', { error: e.message }));
      if (plan.kind === 'portForward') {
        servePortForward(session, plan.target, streamLog);
        session.start(head);
        return;
      }
      const transport = new SpdyCommandTransport(session, plan.protocol as SpdyCommandProtocol, plan.streams, streamLog);
      const ready = transport.ready(streamCreationTimeoutMs);
      session.start(head);
      try {
        await ready;
      } catch (e) {
        streamLog.info('client did not open its streams', { error: e instanceof Error ? e.message : String(e) });
        session.destroy();
        return;
      }
      await runCommand(plan, transport, streamLog);
      return;
    }
    chosenSubprotocols.set(req, plan.protocol);
    // ws checks offered subprotocols against RFC 7230's token rule, which the '/' in
    // SPDY/3.1+portforward.k8s.io breaks; it was validated above, so hand ws a token and
    // answer with the real name (handleProtocols' answer is written as is).
    if (plan.kind === 'portForward') req.headers['sec-websocket-protocol'] = 'portforward';
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (plan.kind === 'portForward') {
        // kubectl 1.31+: the same SPDY session, its bytes carried in binary messages.
        const session = new SpdySession(createWebSocketStream(ws));
        session.on('protocolError', (e) => streamLog.info('SPDY protocol error; closing the session', { error: e.message }));
        servePortForward(session, plan.target, streamLog);
        session.start();
        return;
      }
      ws.pause();
      void runCommand(plan, new WebSocketCommandTransport(ws, plan.protocol as ExecSubprotocol, pingIntervalMs, streamLog), streamLog);
    });
  };

  /** Starts the exec or attach and bridges it; a start that fails is told to the client as a Status. */
  const runCommand = async (plan: CommandPlan, transport: CommandTransport, streamLog: Logger): Promise<void> => {
    let command: RunningCommand;
    try {
      command = await plan.start();
    } catch (e) {
      failed(`${plan.kind} start`, e, { containerId: plan.containerId });
      // Like the kubelet, pass the runtime's reason on (e.g. the executable was not found).
      const status = e instanceof ApiError ? failureStatus(e.reason, e.message) : failureStatus('InternalError', `error executing command in container: ${e instanceof Error ? e.message : String(e)}`);
      transport.start({ stdin: () => undefined, stdinEnd: () => undefined, resize: () => undefined, gone: () => undefined });
      transport.finish(status);
      return;
    }
    streamLog.info(`${plan.kind} started`, { protocol: plan.protocol });
    await bridgeCommand(transport, command, streamLog);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => void onRequest(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void onUpgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log.error('agent server error', { error: e.message }));
  const port = (server.address() as AddressInfo).port;
  log.info('agent server listening', { host: opts.host, port });

  let closing: Promise<void> | undefined;
  return {
    port,
    close(): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const ws of wss.clients) ws.terminate();
        for (const socket of sockets) socket.destroy();
        await closed;
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        log.info('agent server closed');
      })();
      return closing;
    },
  };
}
