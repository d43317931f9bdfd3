// What an upgrade request to the agent asks for, checked before anything is upgraded:
// exec, attach or port-forward; over a websocket or SPDY/3.1; with which protocol version;
// and what it will start. Every refusal is a typed error the caller turns into a Status.

import type { IncomingMessage } from 'node:http';
import { ApiError, BadRequestError, MethodNotAllowedError } from '../../common/errors.js';
import type { Duplex } from 'node:stream';
import type { RunningCommand } from './commandBridge.js';
import { parseAttachQuery, parseExecQuery } from './execOptions.js';
import { chooseSubprotocol, execSubprotocols, exitStatus, failureStatus, offeredSubprotocols, type ExitStatus } from './execProtocol.js';
import { readySandboxOf } from './podSandbox.js';
import { portForwardProtocol, portForwardWebSocketProtocol, type PortForwardTarget } from './portForward.js';
import { matchRoute } from './routes.js';
import { chooseStreamProtocol, spdyCommandProtocols, type ExpectedStreams } from './spdyCommandTransport.js';
import type { AgentServerOptions } from './types.js';

export type Transport = 'websocket' | 'spdy';

export interface CommandPlan {
  kind: 'exec' | 'attach';
  transport: Transport;
  protocol: string;
  containerId: string;
  streams: ExpectedStreams;
  start(): Promise<RunningCommand>;
}

export interface PortForwardPlan {
  kind: 'portForward';
  transport: Transport;
  protocol: string;
  target: PortForwardTarget;
}

export type UpgradePlan = CommandPlan | PortForwardPlan;

const success: ExitStatus = { metadata: {}, status: 'Success' };

function transportOf(req: IncomingMessage): Transport {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return 'websocket';
  if (upgrade === 'spdy/3.1') return 'spdy';
  throw new BadRequestError(`unsupported upgrade ${JSON.stringify(req.headers.upgrade)}: websocket and SPDY/3.1 are served`);
}

function negotiate(req: IncomingMessage, transport: Transport, kind: UpgradePlan['kind']): string {
  if (transport === 'websocket') {
    const offered = offeredSubprotocols(req.headers['sec-websocket-protocol']);
    const chosen = kind === 'portForward' ? offered.find((p) => p === portForwardWebSocketProtocol) : chooseSubprotocol(offered);
    const supported = kind === 'portForward' ? [portForwardWebSocketProtocol] : execSubprotocols;
    if (!chosen) throw new BadRequestError(`none of the requested subprotocols [${offered.join(', ')}] is supported; supported: ${supported.join(', ')}`);
    return chosen;
  }
  const header = req.headers['x-stream-protocol-version'];
  const supported = kind === 'portForward' ? [portForwardProtocol] : spdyCommandProtocols;
  const chosen = chooseStreamProtocol(header, supported);
  if (!chosen) throw new BadRequestError(`none of the requested stream protocols [${String(header ?? '')}] is supported; supported: ${supported.join(', ')}`);
  return chosen;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function planUpgrade(req: IncomingMessage, opts: Pick<AgentServerOptions, 'locator' | 'runtime'>, fields: Record<string, unknown>): Promise<UpgradePlan> {
  const url = new URL(req.url ?? '/', 'https://node-agent');
  const route = matchRoute(url.pathname);
  if (route.kind !== 'exec' && route.kind !== 'attach' && route.kind !== 'portForward') throw new BadRequestError(`${url.pathname} cannot be upgraded`);
  // Websockets upgrade a GET; kubectl's SPDY requests are POSTs.
  if (req.method !== 'GET' && req.method !== 'POST') throw new MethodNotAllowedError(`the server does not allow the method ${String(req.method)} on ${url.pathname}`);
  const transport = transportOf(req);
  const protocol = negotiate(req, transport, route.kind);

  if (route.kind === 'portForward') {
    const sandboxId = await readySandboxOf(opts.runtime, route.namespace, route.pod, route.uid);
    Object.assign(fields, { namespace: route.namespace, pod: route.pod, sandboxId });
    const target: PortForwardTarget = { pod: `${route.namespace}/${route.pod}`, uid: route.uid ?? '', dial: (port) => opts.runtime.portForward(sandboxId, port) as Promise<Duplex> };
    return { kind: 'portForward', transport, protocol, target };
  }

  const q = url.searchParams;
  const execRequest = route.kind === 'exec' ? parseExecQuery(q) : undefined;
  const attachRequest = route.kind === 'attach' ? parseAttachQuery(q) : undefined;
  Object.assign(fields, { namespace: route.namespace, pod: route.pod, container: route.container, tty: (execRequest ?? attachRequest)?.tty, ...(execRequest ? { command: execRequest.cmd } : {}) });
  const located = await opts.locator.locate(route.namespace, route.pod, route.container, { previous: false });
  if (!located.running) throw new BadRequestError(`container "${route.container}" in pod "${route.namespace}/${route.pod}" is not running`);
  fields.containerId = located.containerId;
  const { runtime } = opts;
  const containerId = located.containerId;

  if (execRequest) {
    const request = execRequest;
    return {
      kind: 'exec',
      transport,
      protocol,
      containerId,
      streams: request,
      start: async () => {
        const session = await runtime.exec(containerId, request);
        return {
          stdin: session.stdin,
          stdout: session.stdout,
          stderr: session.stderr,
          resize: (w, h) => session.resize(w, h),
          finished: session.exitCode.then(
            (code) => exitStatus(code, request.cmd),
            (e: unknown) => failureStatus('InternalError', `error executing command in container: ${errorText(e)}`),
          ),
          stop: () => session.kill(),
        };
      },
    };
  }
  const request = attachRequest!;
  return {
    kind: 'attach',
    transport,
    protocol,
    containerId,
    streams: request,
    start: async () => {
      const session = await runtime.attach(containerId, request);
      return {
        stdin: session.stdin,
        stdout: session.stdout,
        stderr: session.stderr,
        resize: (w, h) => session.resize(w, h),
        // Attach ends when the container does (or we detach); like the kubelet it reports Success.
        finished: session.ended.then(
          () => success,
          (e: unknown) => (e instanceof ApiError ? failureStatus(e.reason, e.message) : failureStatus('InternalError', `error attaching to container: ${errorText(e)}`)),
        ),
        stop: () => session.close(),
      };
    },
  };
}
