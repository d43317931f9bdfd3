// pods/log: one GET to the agent's /containerLogs, its text streamed back to the client
// chunk by chunk as it arrives. The client leaving aborts the upstream request.

import https from 'node:https';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { Logger } from '../../common/logging.js';
import { sendStatus } from '../http/respond.js';
import { readLimited, statusFromAgent, unreachable } from './agentAnswers.js';
import { agentTlsOptions, type AgentEndpoint, type KubeletClientCredentials } from './agentTls.js';

export interface LogStreamOptions {
  credentials: KubeletClientCredentials | undefined;
  endpoint: AgentEndpoint;
  /** Path and query on the agent, e.g. /containerLogs/ns/pod/c?follow=true. */
  path: string;
  /** How long to wait for the agent's response headers. */
  timeoutMs: number;
  logger: Logger;
}

/** Resolves when the stream is over; rejects (nothing written yet) when the agent cannot be reached. */
export function streamPodLogs(res: ServerResponse, o: LogStreamOptions): Promise<void> {
  const tlsOptions = agentTlsOptions(o.credentials, o.endpoint);
  return new Promise((resolve, reject) => {
    const upstream = https.request({ ...tlsOptions, method: 'GET', path: o.path, agent: false, headers: { Accept: 'text/plain, */*' }, timeout: o.timeoutMs });
    const clientGone = (): void => {
      upstream.destroy();
      resolve();
    };
    res.on('close', clientGone);
    upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    upstream.on('error', (e) => {
      if (res.headersSent) {
        // Mid-stream: cut the chunked response so the client sees a broken stream, not a clean end.
        o.logger.debug('log stream from the node agent failed', { node: o.endpoint.nodeName, error: e.message });
        res.destroy();
        resolve();
        return;
      }
      res.off('close', clientGone);
      reject(unreachable(o.endpoint, e));
    });
    upstream.on('response', (up) => {
      // Followed logs may be quiet for hours; only the wait for headers is bounded.
      upstream.setTimeout(0);
      if (up.statusCode !== 200) {
        void readLimited(up).then((body) => {
          sendStatus(res, statusFromAgent(up.statusCode ?? 500, up.headers['content-type'], body));
          resolve();
        });
        return;
      }
      res.writeHead(200, { 'Content-Type': up.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      pipeline(up, res, (err) => {
        if (err) o.logger.debug('log stream ended early', { node: o.endpoint.nodeName, error: err.message });
        resolve();
      });
    });
    upstream.end();
  });
}
