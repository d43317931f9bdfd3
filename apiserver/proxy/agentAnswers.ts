// What the API server makes of an agent's non-success answer, and of failing to reach it.

import type { IncomingMessage } from 'node:http';
import type { Status } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { ApiError, reasonCodes, ServiceUnavailableError } from '../../common/errors.js';
import { hostPort, type AgentEndpoint } from './agentTls.js';

/** Agents' error bodies are short; a longer one is cut rather than buffered whole. */
export const maxErrorBody = 64 * 1024;

export function readLimited(res: IncomingMessage, limit = maxErrorBody): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => resolve(Buffer.concat(chunks).subarray(0, limit));
    res.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size >= limit) {
        res.destroy();
        done();
      }
    });
    res.on('end', done);
    res.on('error', done);
    res.on('close', done);
  });
}

function reasonFor(code: number): string {
  const hit = Object.entries(reasonCodes).find(([, c]) => c === code);
  return hit ? hit[0] : code >= 500 ? 'InternalError' : 'BadRequest';
}

/** The agent's Status if it sent one, else a Status carrying its status code and text. */
export function statusFromAgent(code: number, contentType: string | undefined, body: Buffer): Status {
  if ((contentType ?? '').includes('json')) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (isObject(parsed) && parsed.kind === 'Status') return { ...(parsed as unknown as Status), code: typeof parsed.code === 'number' ? parsed.code : code };
    } catch {
      // Not JSON after all: fall through and wrap the text.
    }
  }
  const text = body.toString('utf8').trim();
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: text || `the node agent answered ${code}`, reason: reasonFor(code), code };
}

/** A transport failure talking to an agent, as the 503 the client sees. */
export function unreachable(e: AgentEndpoint, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new ServiceUnavailableError(`cannot reach the node agent of node ${e.nodeName} at ${hostPort(e)}: ${why}`, { cause: err });
}
