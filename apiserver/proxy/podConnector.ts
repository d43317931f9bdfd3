// The connect subresources of pods (log, exec, attach, portforward): checks the request as
// Kubernetes does, finds the pod's node agent and hands over to the log stream or the upgrade
// pipe. exec, attach and portforward arrive as HTTP upgrades (websocket or SPDY/3.1), which
// express never sees: the server passes those here, and the agent speaks the protocol.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../common/api/meta.js';
import { BadRequestError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import type { RequestInfo, ResourceRequest } from '../http/requestInfo.js';
import { statusFromError } from '../http/status.js';
import type { KubeletClientCredentials } from './agentTls.js';
import { chooseContainer } from './containerChoice.js';
import { agentAttachQuery, agentExecQuery } from './execOptions.js';
import { ExecProxy, type ExecTarget } from './execProxy.js';
import { agentLogQuery } from './logOptions.js';
import { agentEndpointFor, type NodeLookup } from './nodeEndpoint.js';
import { streamPodLogs } from './podLogs.js';
import { writeRawStatus } from './rawResponse.js';

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

/** The subresources served by upgrading the connection. */
const upgradeSubresources = new Set(['exec', 'attach', 'portforward']);

export function upgradeRequiredMessage(subresource: string): string {
  return `Upgrade request required: pods/${subresource} is served over a websocket or SPDY/3.1 connection upgrade`;
}

const seg = encodeURIComponent;

function requestUrl(req: IncomingMessage): URL {
  // express rewrites req.url under mounted routers; originalUrl is what the client sent.
  const raw = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  return new URL(raw, 'https://gantry');
}

export class PodConnector {
  private readonly exec: ExecProxy;
  private readonly timeoutMs: number;

  constructor(private readonly deps: PodConnectorDeps) {
    this.exec = new ExecProxy(deps.logger);
    this.timeoutMs = deps.agentTimeoutMs ?? 15_000;
  }

  /** ResourceHandlerDeps.connect: pods/log streams; exec without an upgrade is refused after the checks. */
  connect = async (info: ResourceRequest, req: IncomingMessage, res: ServerResponse, pod: KubeObject): Promise<void> => {
    const q = requestUrl(req).searchParams;
    if (info.resource !== 'pods' || info.group !== '') throw new NotFoundError({ resource: `${info.resource}/${info.subresource ?? ''}`, name: info.name ?? '' });
    if (info.subresource && upgradeSubresources.has(info.subresource)) {
      await this.upgradeTarget(info.subresource, pod, q);
      throw new BadRequestError(upgradeRequiredMessage(info.subresource));
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
    const { info } = this.deps.admit(req, url);
    const sub = info.kind === 'resource' ? info.subresource : undefined;
    if (info.kind !== 'resource' || info.resource !== 'pods' || info.group !== '' || !sub || !upgradeSubresources.has(sub) || info.verb !== 'connect') {
      throw new BadRequestError(`${url.pathname} does not accept a connection upgrade; only pods/exec, pods/attach and pods/portforward do`);
    }
    if (info.version !== 'v1' || !info.namespace || !info.name) throw new NotFoundError({ resource: `pods/${sub}`, name: info.name ?? '' });
    const pod = await this.deps.getPod(info.namespace, info.name);
    const target = await this.upgradeTarget(sub, pod, url.searchParams);
    this.deps.logger.debug(`proxying pod ${sub}`, { pod: `${info.namespace}/${info.name}`, node: target.endpoint.nodeName, upgrade: req.headers.upgrade });
    this.exec.forward(req, socket, head, target);
  }

  /** Where on the pod's agent an exec, attach or port-forward goes, checked as Kubernetes checks it. */
  private async upgradeTarget(sub: string, pod: KubeObject, q: URLSearchParams): Promise<ExecTarget> {
    const ns = seg(pod.metadata.namespace ?? '');
    const name = seg(pod.metadata.name ?? '');
    let path: string;
    if (sub === 'portforward') {
      path = `/portForward/${ns}/${name}/${seg(pod.metadata.uid ?? '')}`;
    } else {
      const container = chooseContainer(pod, q.get('container'));
      const query = sub === 'exec' ? agentExecQuery(q) : agentAttachQuery(q);
      path = `/${sub}/${ns}/${name}/${seg(container)}?${query.toString()}`;
    }
    const endpoint = await agentEndpointFor(pod, this.deps.getNode);
    return { credentials: this.deps.credentials, endpoint, path, timeoutMs: this.timeoutMs };
  }
}
