// pods/exec, attach and portforward: the client's upgrade (websocket or SPDY/3.1) is repeated
// to the agent; once the agent answers 101 that answer goes back to the client and the two
// connections become one transparent byte pipe. Frames are never parsed here (kube-apiserver's
// UpgradeAwareHandler), so every protocol the agent speaks works through it unchanged.

import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../common/logging.js';
import { statusFromError } from '../http/status.js';
import { readLimited, statusFromAgent, unreachable } from './agentAnswers.js';
import { agentTlsOptions, type AgentEndpoint, type KubeletClientCredentials } from './agentTls.js';
import { writeRawResponse, writeRawStatus } from './rawResponse.js';

/** Headers that make up a websocket or SPDY handshake; the client's credentials are never forwarded. */
const handshakeHeaders = ['upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version', 'user-agent'];

export interface ExecTarget {
  credentials: KubeletClientCredentials | undefined;
  endpoint: AgentEndpoint;
  /** Path and query on the agent, e.g. /exec/ns/pod/c?command=ls&stdout=1. */
  path: string;
  timeoutMs: number;
}

export class ExecProxy {
  /** Spliced connections: the HTTP server no longer tracks them, so close() must. */
  private readonly sessions = new Set<Duplex>();

  constructor(private readonly logger: Logger) {}

  /**
   * Forwards the upgrade; every outcome is written to `socket` (101 and a pipe, or an error
   * response).
   */
  forward(req: IncomingMessage, socket: Duplex, head: Buffer, t: ExecTarget): void {
    const headers: Record<string, string> = { Connection: 'Upgrade' };
    for (const h of handshakeHeaders) {
      const v = req.headers[h];
      if (v !== undefined) headers[h] = Array.isArray(v) ? v.join(', ') : v;
    }
    // Websockets upgrade a GET, kubectl's SPDY a POST; the agent sees the same.
    const method = req.method === 'POST' ? 'POST' : 'GET';
    const upstream = https.request({ ...agentTlsOptions(t.credentials, t.endpoint), method, path: t.path, agent: false, headers, timeout: t.timeoutMs });
    let answered = false;
    const clientGone = (): void => {
      if (!answered) upstream.destroy();
    };
    socket.on('close', clientGone);
    upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${t.timeoutMs} ms`)));
    upstream.on('error', (e) => {
      if (answered) return;
      answered = true;
      writeRawStatus(socket, statusFromError(unreachable(t.endpoint, e)).status);
    });
    upstream.on('response', (res) => {
      answered = true;
      upstream.setTimeout(0);
      void readLimited(res).then((body) => {
        upstream.destroy();
        const type = res.headers['content-type'];
        const status = statusFromAgent(res.statusCode ?? 500, type, body);
        if (type?.includes('json')) {
          writeRawStatus(socket, status);
          return;
        }
        writeRawResponse(socket, res.statusCode ?? 502, type ? [['Content-Type', type]] : [], body);
      });
    });
    upstream.on('upgrade', (res, agentSocket, agentHead) => {
      answered = true;
      agentSocket.setTimeout(0);
      if (socket.destroyed) {
        agentSocket.destroy();
        return;
      }
      const lines = [`HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}`];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]!}: ${res.rawHeaders[i + 1]!}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (agentHead.length) socket.write(agentHead);
      if (head.length) agentSocket.write(head);
      this.splice(socket, agentSocket, t.endpoint);
    });
    upstream.end();
  }

  private splice(client: Duplex, agent: Duplex, e: AgentEndpoint): void {
    this.sessions.add(client).add(agent);
    const abort = (err?: Error): void => {
      if (err) this.logger.debug('exec stream broke', { node: e.nodeName, error: err.message });
      client.destroy();
      agent.destroy();
    };
    client.on('error', abort);
    agent.on('error', abort);
    for (const [a, b] of [[client, agent], [agent, client]] as const) {
      // pipe() ends the other side on a clean end; a close without one (a reset) must not leave it open.
      a.pipe(b);
      a.on('close', () => {
        this.sessions.delete(a);
        if (!b.writableEnded) b.end();
        setTimeout(() => b.destroy(), 5_000).unref();
      });
    }
  }

  close(): void {
    for (const s of this.sessions) s.destroy();
    this.sessions.clear();
  }
}
