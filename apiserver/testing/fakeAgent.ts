// A stand-in node agent for proxy tests: HTTPS requiring a client certificate, serving
// /containerLogs from canned lines and /exec as websocket v5/v4.channel.k8s.io with a few
// pretend commands (echo, fail, cat).

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KeyPair } from '../../common/pki/certs.js';

export interface FakeAgentOptions {
  serving: KeyPair;
  /** CA that must have signed the caller's client certificate. */
  clientCaPem: string;
  /** Log lines by `namespace/pod/container`. */
  logs: Record<string, string[]>;
  /** Pods whose followed logs never end (to watch the proxy hang up). */
  endless?: string[];
}

export interface AgentRequest {
  path: string;
  query: URLSearchParams;
  clientCN: string;
  /** Subprotocols the caller offered (exec only). */
  protocols?: string;
}

export interface FakeAgent {
  port: number;
  requests: AgentRequest[];
  /** Followed log responses still open. */
  openStreams(): number;
  close(): Promise<void>;
}

const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3 } as const;

function frame(ch: number, data: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from([ch]), Buffer.from(data)]);
}

function notFound(res: ServerResponse, message: string): void {
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'NotFound', code: 404 }));
}

export async function startFakeAgent(o: FakeAgentOptions): Promise<FakeAgent> {
  const requests: AgentRequest[] = [];
  const streams = new Set<ServerResponse>();
  const sockets = new Set<WebSocket>();
  const record = (req: IncomingMessage): { url: URL; parts: string[] } => {
    const url = new URL(req.url ?? '/', 'https://agent');
    const cert = (req.socket as TLSSocket).getPeerCertificate();
    const entry: AgentRequest = { path: url.pathname, query: url.searchParams, clientCN: String(cert.subject?.CN ?? '') };
    if (req.headers['sec-websocket-protocol']) entry.protocols = req.headers['sec-websocket-protocol'];
    requests.push(entry);
    return { url, parts: url.pathname.split('/').filter(Boolean).map(decodeURIComponent) };
  };

  const server = https.createServer({ cert: o.serving.certPem, key: o.serving.keyPem, ca: o.clientCaPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const { url, parts } = record(req);
    if (parts[0] !== 'containerLogs' || parts.length !== 4) return notFound(res, `no such path ${url.pathname}`);
    const key = parts.slice(1).join('/');
    let lines = o.logs[key];
    if (!lines) return notFound(res, `container ${parts[3]!} of pod ${parts[1]!}/${parts[2]!} not found`);
    const tail = url.searchParams.get('tailLines');
    if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    if (url.searchParams.get('follow') !== 'true') return res.end(lines.map((l) => l + '\n').join(''));
    // Followed: one line at a time, as a container would write them.
    streams.add(res);
    res.on('close', () => streams.delete(res));
    const endless = (o.endless ?? []).includes(parts[2]!);
    let i = 0;
    const timer = setInterval(() => {
      if (i < lines.length) res.write(lines[i++] + '\n');
      else if (endless) res.write(`tick ${i++}\n`);
      else {
        clearInterval(timer);
        res.end();
      }
    }, 30);
    res.on('close', () => clearInterval(timer));
  });

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : offered.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
  });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const { parts, url } = record(req);
    if (parts[0] !== 'exec' || parts.length !== 4 || !o.logs[parts.slice(1).join('/')]) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\ncontainer not found');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      runCommand(ws, url.searchParams.getAll('command'));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    openStreams: () => streams.size,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function finish(ws: WebSocket, exitCode: number): void {
  const status = exitCode === 0
    ? { metadata: {}, status: 'Success' }
    : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${exitCode}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] } };
  ws.send(frame(channel.error, JSON.stringify(status)), () => ws.close(1000));
}

function runCommand(ws: WebSocket, command: string[]): void {
  const [cmd, ...args] = command;
  if (cmd === 'echo') {
    ws.send(frame(channel.stdout, args.join(' ') + '\n'));
    return finish(ws, 0);
  }
  if (cmd === 'fail') {
    ws.send(frame(channel.stderr, 'boom\n'));
    return finish(ws, 3);
  }
  if (cmd === 'cat') {
    // Echo stdin until the client closes it ([255, 0] in v5).
    ws.on('message', (data: Buffer) => {
      if (data[0] === channel.stdin) ws.send(frame(channel.stdout, data.subarray(1)));
      else if (data[0] === 255 && data[1] === channel.stdin) finish(ws, 0);
    });
    return;
  }
  ws.send(frame(channel.stderr, `${cmd ?? ''}: not found\n`));
  finish(ws, 127);
}
