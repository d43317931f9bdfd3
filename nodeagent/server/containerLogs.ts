// `GET /containerLogs/{namespace}/{pod}/{container}`: the container's CRI log file as plain
// text. Everything that can fail with a status (parameters, the container, the file) is
// checked before the 200 goes out; after that a failure can only cut the stream short.
// Following ends when the container stops or the client goes away, whichever comes first.

import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import type { RuntimeService } from '../cri/services.js';
import { readLogs } from '../runtime/logs/readLogs.js';
import { parseLogQuery } from './logOptions.js';
import type { ContainerLocator, ContainerTarget } from './types.js';

export interface ContainerLogsContext {
  locator: ContainerLocator;
  runtime: RuntimeService;
  logger: Logger;
}

/** Asking the runtime on every poll of the file would be wasteful; the answer changes rarely. */
const runningCheckIntervalMs = 500;

class ClientGone extends Error {}

export async function serveContainerLogs(ctx: ContainerLogsContext, target: ContainerTarget, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const params = parseLogQuery(query, Date.now());
  const located = await ctx.locator.locate(target.namespace, target.pod, target.container, { previous: params.previous });
  try {
    await fs.access(located.logPath);
  } catch (e) {
    throw new ApiError('NotFound', `no log file for container "${target.container}" in pod "${target.namespace}/${target.pod}"${params.previous ? ' (previous instance)' : ''}`, {}, { cause: e });
  }
  const follow = params.follow && located.running;
  const log = ctx.logger.child({ namespace: target.namespace, pod: target.pod, container: target.container, containerId: located.containerId });
  log.debug('serving container logs', { follow, previous: params.previous, ...params.read });

  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  // A follower must see the headers now, not with the first line, which may be long in coming.
  res.flushHeaders();

  const abort = new AbortController();
  const onClose = (): void => abort.abort();
  res.on('close', onClose);
  req.on('close', onClose);
  const sink = async (chunk: Buffer): Promise<void> => {
    if (abort.signal.aborted) throw new ClientGone();
    if (!res.write(chunk)) await drainedOrClosed(res);
    if (abort.signal.aborted) throw new ClientGone();
  };
  try {
    await readLogs(located.logPath, { ...params.read, follow, keepFollowing: stillRunning(ctx.runtime, located.containerId, log), signal: abort.signal }, sink);
    if (!abort.signal.aborted) res.end();
  } catch (e) {
    if (e instanceof ClientGone || abort.signal.aborted) return;
    log.warn('reading container logs failed', { error: e instanceof Error ? e.message : String(e) });
    res.destroy();
  } finally {
    res.off('close', onClose);
    req.off('close', onClose);
    log.debug('container logs done', { clientGone: abort.signal.aborted });
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** readLogs' keepFollowing: false once the container has exited or is gone. */
function stillRunning(runtime: RuntimeService, containerId: string, log: Logger): () => Promise<boolean> {
  let checkedAt = 0;
  let answer = true;
  return async () => {
    const now = Date.now();
    if (now - checkedAt < runningCheckIntervalMs) return answer;
    checkedAt = now;
    try {
      const status = await runtime.containerStatus(containerId);
      answer = status.state !== 'CONTAINER_EXITED';
    } catch (e) {
      if (isApiError(e) && e.reason === 'NotFound') answer = false;
      // Anything else may pass; the client can always hang up.
      else log.warn('could not tell whether the container still runs', { error: e instanceof Error ? e.message : String(e) });
    }
    return answer;
  };
}
