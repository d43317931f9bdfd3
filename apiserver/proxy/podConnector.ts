// The connect subresources of pods (log, exec): checks the request as Kubernetes does,
// finds the pod's node agent and hands over to the log stream or the exec pipe.
// Exec arrives as an HTTP upgrade, which express never sees: the server passes those here.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../common/api/meta.js';
import { BadRequestError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import type { RequestInfo, ResourceRequest } from '../http/requestInfo.js';
import { statusFromError } from '../http/status.js';
import type { KubeletClientCredentials } from './agentTls.js';
import { chooseContainer } from './containerChoice.js';
import { agentExecQuery } from './execOptions.js';
import { ExecProxy, type ExecTarget } from './execProxy.js';
import { agentLogQuery } from './logOptions.js';
import { agentEndpointFor, type NodeLookup } from './nodeEndpoint.js';
import { streamPodLogs } from './podLogs.js';
import { writeRawStatus } from './rawResponse.js';
import { RefusalMemory } from './refusalMemory.js';

export interface PodConnectorDeps {
  credentials: KubeletClientCredentials | undefined;
  getNode: NodeLookup;
  getPod: (namespace: string, name: string) => Promise<KubeObject>;
  /** Authenticates and authorizes a request exactly as the HTTP middleware does; throws 401/403. */
  admit: (req: IncomingMessage, url: URL) => { info: RequestInfo; user: { name: string } };
  logger: Logger;
  /** Bound on reaching an agent and getting its answer's headers. */
  agentTimeoutMs?: number;
}

export const onlyWebSocketMessage =
  'only websocket streams (v5.channel.k8s.io, v4.channel.k8s.io) are supported for exec: SPDY is not; use kubectl 1.30 or newer';

const seg = encodeURIComponent;

function requestUrl(req: IncomingMessage): URL {
  // express rewrites req.url under mounted routers; originalUrl is what the client sent.
  const raw = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  return new URL(raw, 'https://gantry');
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export class PodConnector {
  private readonly exec: ExecProxy;
  private readonly timeoutMs: number;
  private readonly refusals = new RefusalMemory();

  constructor(private readonly deps: PodConnectorDeps) {
    this.exec = new ExecProxy(deps.logger);
    this.timeoutMs = deps.agentTimeoutMs ?? 15_000;
  }

  /** ResourceHandlerDeps.connect: pods/log streams; exec without an upgrade is refused after the checks. */
  connect = async (info: ResourceRequest, req: IncomingMessage, res: ServerResponse, pod: KubeObject): Promise<void> => {
    const q = requestUrl(req).searchParams;
    if (info.resource !== 'pods' || info.group !== '') throw new NotFoundError({ resource: `${info.resource}/${info.subresource ?? ''}`, name: info.name ?? '' });
    if (info.subresource === 'exec') {
      await this.execTarget(pod, q);
      throw new BadRequestError(onlyWebSocketMessage);
    }
    if (info.subresource !== 'log') throw new NotFoundError({ resource: `pods/${info.subresource ?? ''}`, name: info.name ?? '' });
    const container = chooseContainer(pod, q.get('container'));
    const query = agentLogQuery(q, pod.metadata.name ?? '');
    const endpoint = await agentEndpointFor(pod, this.deps.getNode);
    const path = `/containerLogs/${seg(pod.metadata.namespace ?? '')}/${seg(pod.metadata.name ?? '')}/${seg(container)}${query.size ? '?' + query.toString() : ''}`;
    this.deps.logger.debug('proxying pod logs', { pod: `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`, node: endpoint.nodeName });
    await streamPodLogs(res, { credentials: this.deps.credentials, endpoint, path, timeoutMs: this.timeoutMs, logger: this.deps.logger });
  };

  /** The HTTP server's 'upgrade' event. Every outcome, including errors, is written to the socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.upgrade(req, socket, head).catch((e: unknown) => {
      const { status, internal } = statusFromError(e);
      if (internal) this.deps.logger.error('exec upgrade failed', { path: req.url, error: e instanceof Error ? e.stack : String(e) });
      writeRawStatus(socket, status);
    });
  }

  close(): void {
    this.exec.close();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = requestUrl(req);
    const { info, user } = this.deps.admit(req, url);
    if (info.kind !== 'resource' || info.resource !== 'pods' || info.group !== '' || info.subresource !== 'exec' || info.verb !== 'connect') {
      throw new BadRequestError(`${url.pathname} does not accept a connection upgrade; only pods/exec does`);
    }
    if (info.version !== 'v1' || !info.namespace || !info.name) throw new NotFoundError({ resource: 'pods/exec', name: info.name ?? '' });
    const pod = await this.deps.getPod(info.namespace, info.name);
    const target = await this.execTarget(pod, url.searchParams);
    const attempt = `${user.name}\n${pod.metadata.uid ?? ''}\n${target.path}`;
    if (!isWebSocketUpgrade(req)) {
      // kubectl tries websockets first and falls back to SPDY on any refusal, printing only the
      // fallback's error: it must say what the websocket attempt was told, down to "agent down".
      const refused = this.refusals.take(attempt);
      if (refused) return writeRawStatus(socket, refused);
      await this.exec.probe(target);
      throw new BadRequestError(onlyWebSocketMessage);
    }
    this.deps.logger.debug('proxying pod exec', { pod: `${info.namespace}/${info.name}`, node: target.endpoint.nodeName });
    this.exec.forward(req, socket, head, target, (status) => this.refusals.remember(attempt, status));
  }

  private async execTarget(pod: KubeObject, q: URLSearchParams): Promise<ExecTarget> {
    const container = chooseContainer(pod, q.get('container'));
    const query = agentExecQuery(q);
    const endpoint = await agentEndpointFor(pod, this.deps.getNode);
    const path = `/exec/${seg(pod.metadata.namespace ?? '')}/${seg(pod.metadata.name ?? '')}/${seg(container)}?${query.toString()}`;
    return { credentials: this.deps.credentials, endpoint, path, timeoutMs: this.timeoutMs };
  }
}
