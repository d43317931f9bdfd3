// The node agent's HTTPS endpoint for the API server (the kubelet's port 10250): container
// logs, exec over websockets, and a health check. Mutual TLS with the client CA decides who
// may connect; an allow-list of certificate names decides who may ask anything.

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { ApiError, BadRequestError, MethodNotAllowedError } from '../../common/errors.js';
import { authorizePeer } from './clientAuth.js';
import { serveContainerLogs } from './containerLogs.js';
import { bridgeExec } from './execBridge.js';
import { parseExecQuery } from './execOptions.js';
import type { ExecRequest, ExecSession } from '../cri/types.js';
import { chooseSubprotocol, Channel, failureStatus, frame, offeredSubprotocols, execSubprotocols, type ExecSubprotocol } from './execProtocol.js';
import { matchRoute } from './routes.js';
import { refuseUpgrade, toStatus, writeStatus } from './status.js';
import type { AgentServer, AgentServerOptions } from './types.js';

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
    // Only reached after onUpgrade checked that one of ours was offered.
    handleProtocols: (offered) => chooseSubprotocol(offered) ?? false,
  });
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
        case 'containerLogs':
          await serveContainerLogs({ locator: opts.locator, runtime: opts.runtime, logger: log }, route, url.searchParams, req, res);
          return;
        case 'exec':
          throw new BadRequestError('Upgrade request required: exec is served over a websocket (subprotocols ' + execSubprotocols.join(', ') + ')');
      }
    } catch (e) {
      failed('request', e, fields);
      writeStatus(res, toStatus(e));
    }
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', (e) => log.debug('upgrade socket error', { error: e.message }));
    const fields: Record<string, unknown> = { method: req.method, path: req.url, remote: req.socket.remoteAddress };
    let prepared: { protocol: ExecSubprotocol; request: ExecRequest; containerId: string };
    try {
      authorizePeer(req.socket as TLSSocket, allowed);
      const url = new URL(req.url ?? '/', 'https://node-agent');
      const route = matchRoute(url.pathname);
      if (route.kind !== 'exec') throw new BadRequestError(`${url.pathname} cannot be upgraded`);
      if (req.method !== 'GET') throw new MethodNotAllowedError(`the server does not allow the method ${String(req.method)} on ${url.pathname}`);
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') throw new BadRequestError(`unsupported upgrade ${JSON.stringify(req.headers.upgrade)}: only websocket is served`);
      const offered = offeredSubprotocols(req.headers['sec-websocket-protocol']);
      const protocol = chooseSubprotocol(offered);
      if (!protocol) throw new BadRequestError(`none of the requested subprotocols [${offered.join(', ')}] is supported; supported: ${execSubprotocols.join(', ')}`);
      const request = parseExecQuery(url.searchParams);
      Object.assign(fields, { namespace: route.namespace, pod: route.pod, container: route.container, command: request.cmd, tty: request.tty });
      const located = await opts.locator.locate(route.namespace, route.pod, route.container, { previous: false });
      if (!located.running) throw new BadRequestError(`container "${route.container}" in pod "${route.namespace}/${route.pod}" is not running`);
      fields.containerId = located.containerId;
      prepared = { protocol, request, containerId: located.containerId };
    } catch (e) {
      failed('exec upgrade', e, fields);
      refuseUpgrade(socket, toStatus(e));
      return;
    }
    const { protocol, request, containerId } = prepared;
    const execLog = log.child(fields);
    // The process starts only once the websocket is up: a failed handshake must not leave
    // one behind, and from here on failures travel on the error channel.
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.pause();
      void (async () => {
        let session: ExecSession;
        try {
          session = await opts.runtime.exec(containerId, request);
        } catch (e) {
          failed('exec start', e, fields);
          // Like the kubelet, pass the runtime's reason on (e.g. the executable was not found).
          const status = e instanceof ApiError ? failureStatus(e.reason, e.message) : failureStatus('InternalError', `error executing command in container: ${e instanceof Error ? e.message : String(e)}`);
          ws.send(frame(Channel.error, JSON.stringify(status)), { binary: true });
          ws.close(1000);
          // Read again, or the client's closing frame would never be seen.
          ws.resume();
          return;
        }
        if (ws.readyState !== ws.OPEN) {
          session.kill();
          ws.resume();
          return;
        }
        execLog.info('exec started', { subprotocol: protocol });
        await bridgeExec({ ws, protocol, session, cmd: request.cmd, logger: execLog, pingIntervalMs });
      })();
    });
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
