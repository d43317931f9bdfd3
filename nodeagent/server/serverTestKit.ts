// Test support for the streaming server's protocol tests: certificates, an in-memory
// locator, a fake RuntimeService whose exec and attach sessions are PassThrough streams driven
// by a scripted "program" and whose port-forward dials a real TCP server on 127.0.0.1, and
// HTTPS / websocket clients. The real runc path is covered by the
// node agent's integration tests, not here.

import { once } from 'node:events';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { PassThrough, Writable, type Duplex, type Readable } from 'node:stream';
import { WebSocket } from 'ws';
import { NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/logging.js';
import { makeCA, makeSignedCert, type KeyPair } from '../../common/pki/certs.js';
import type { RuntimeService } from '../cri/services.js';
import { PortForwardError } from '../cri/portForwardError.js';
import type { AttachRequest, AttachSession, ContainerState, ContainerStatus, ExecRequest, ExecSession, PodSandbox, PodSandboxFilter } from '../cri/types.js';
import { startAgentServer } from './agentServer.js';
import { SpdyTestClient } from './spdy/spdyTestClient.js';
import type { AgentServer, AgentServerOptions, ContainerLocator, LocatedContainer } from './types.js';

export const apiServerClientName = 'gantry-apiserver-kubelet-client';

export interface TestPki {
  /** Signs the agent's serving certificate; what clients trust. */
  servingCa: KeyPair;
  serving: KeyPair;
  /** The client CA the agent trusts. */
  clientCa: KeyPair;
  apiServer: KeyPair;
  wrongName: KeyPair;
  /** Right name, signed by a CA the agent does not trust. */
  stranger: KeyPair;
}

let pki: TestPki | undefined;
/** RSA keys are slow to make: one set per test process. */
export function testPki(): TestPki {
  if (pki) return pki;
  const servingCa = makeCA('test-cluster-ca');
  const clientCa = makeCA('test-client-ca');
  const strangerCa = makeCA('test-stranger-ca');
  const client = (ca: KeyPair, commonName: string): KeyPair => makeSignedCert(ca, { commonName, dnsNames: [], ips: [], usage: 'client' });
  pki = {
    servingCa,
    serving: makeSignedCert(servingCa, { commonName: 'node-a', dnsNames: ['node-a', 'localhost'], ips: ['127.0.0.1'] }),
    clientCa,
    apiServer: client(clientCa, apiServerClientName),
    wrongName: client(clientCa, 'system:node:node-b'),
    stranger: client(strangerCa, apiServerClientName),
  };
  return pki;
}

// ---- locator ---------------------------------------------------------------------------

export class FakeLocator implements ContainerLocator {
  private readonly entries = new Map<string, LocatedContainer>();
  private key(ns: string, pod: string, container: string, previous: boolean): string {
    return `${ns}/${pod}/${container}${previous ? '#previous' : ''}`;
  }
  set(ns: string, pod: string, container: string, located: LocatedContainer, opts: { previous?: boolean } = {}): void {
    this.entries.set(this.key(ns, pod, container, opts.previous ?? false), located);
  }
  async locate(ns: string, pod: string, container: string, opts: { previous: boolean }): Promise<LocatedContainer> {
    const found = this.entries.get(this.key(ns, pod, container, opts.previous));
    if (!found) throw new NotFoundError({ resource: 'containers', name: `${ns}/${pod}/${container}${opts.previous ? ' (previous)' : ''}` });
    return { ...found };
  }
}

// ---- runtime -----------------------------------------------------------------------------

/** The process side of a fake exec session. */
export interface FakeProcess {
  containerId: string;
  req: ExecRequest;
  /** What the client typed; ends when the server closes stdin. */
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  resizes: { width: number; height: number }[];
  /** Resolves when the server kills the session. */
  killed: Promise<void>;
}

/** A scripted command: writes what it likes, returns its exit code (or throws). */
export type FakeProgram = (p: FakeProcess) => Promise<number>;

function notPartOfTheProtocol(method: string): never {
  throw new Error(`${method} is not used by the streaming server's protocol tests`);
}

const discard = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

/** A RuntimeService for the streaming server's protocol tests only: exec and containerStatus. */
export class FakeRuntimeForProtocolTests implements RuntimeService {
  readonly states = new Map<string, ContainerState>();
  statusCalls = 0;
  program: FakeProgram = async () => 0;
  execFailure: Error | undefined;
  readonly processes: FakeProcess[] = [];
  readonly kills: string[] = [];

  /** What an attached container does: like `program`, run once per attachment. */
  attachProgram: FakeProgram = async () => 0;
  readonly attachments: FakeProcess[] = [];
  readonly detaches: string[] = [];
  /** Pod port -> a port on 127.0.0.1 that stands in for the pod's loopback. */
  readonly forwardedPorts = new Map<number, number>();
  readonly sandboxes: PodSandbox[] = [];
  readonly dials: { sandboxId: string; port: number }[] = [];

  async attach(containerId: string, req: AttachRequest): Promise<AttachSession> {
    const s = await this.exec(containerId, { ...req, cmd: ['<attach>'] }, true);
    return {
      stdin: s.stdin,
      stdout: s.stdout,
      stderr: s.stderr,
      resize: s.resize,
      ended: s.exitCode.then(() => undefined),
      close: () => {
        this.detaches.push(containerId);
        s.kill();
      },
    };
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    this.dials.push({ sandboxId: podSandboxId, port });
    const local = this.forwardedPorts.get(port);
    if (local === undefined) throw new PortForwardError(podSandboxId, port, 'refused', 'connect: connection refused');
    const conn = net.connect(local, '127.0.0.1');
    await once(conn, 'connect');
    return conn;
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const sel = Object.entries(filter?.labelSelector ?? {});
    return this.sandboxes.filter((s) => sel.every(([k, v]) => s.labels[k] === v) && (!filter?.state || s.state === filter.state));
  }

  async exec(containerId: string, req: ExecRequest, attaching = false): Promise<ExecSession> {
    if (this.execFailure) throw this.execFailure;
    const stdin = req.stdin ? new PassThrough() : undefined;
    const stdout = req.stdout ? new PassThrough() : undefined;
    const stderr = req.stderr ? new PassThrough() : undefined;
    let markKilled!: () => void;
    const proc: FakeProcess = {
      containerId,
      req,
      stdin: stdin ?? new PassThrough().end(),
      stdout: stdout ?? discard(),
      stderr: stderr ?? discard(),
      resizes: [],
      killed: new Promise<void>((resolve) => (markKilled = resolve)),
    };
    (attaching ? this.attachments : this.processes).push(proc);
    const program = attaching ? this.attachProgram : this.program;
    const exitCode = (async () => {
      try {
        return await program(proc);
      } finally {
        stdout?.end();
        stderr?.end();
      }
    })();
    // Tests that expect a failure look at the Status; do not let the rejection go unhandled.
    exitCode.catch(() => undefined);
    return {
      stdin,
      stdout,
      stderr,
      exitCode,
      resize: (width, height) => void proc.resizes.push({ width, height }),
      kill: () => {
        this.kills.push(containerId);
        markKilled();
      },
    };
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    this.statusCalls++;
    const state = this.states.get(id);
    if (!state) throw new NotFoundError({ resource: 'containers', name: id });
    return {
      id,
      podSandboxId: 'sandbox',
      metadata: { name: 'c', attempt: 0 },
      image: { image: 'busybox' },
      imageRef: 'sha256:0',
      state,
      createdAt: 0,
      labels: {},
      annotations: {},
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      message: '',
      mounts: [],
      logPath: '',
    };
  }

  version = (): never => notPartOfTheProtocol('version');
  runPodSandbox = (): never => notPartOfTheProtocol('runPodSandbox');
  stopPodSandbox = (): never => notPartOfTheProtocol('stopPodSandbox');
  removePodSandbox = (): never => notPartOfTheProtocol('removePodSandbox');
  podSandboxStatus = (): never => notPartOfTheProtocol('podSandboxStatus');
  createContainer = (): never => notPartOfTheProtocol('createContainer');
  startContainer = (): never => notPartOfTheProtocol('startContainer');
  stopContainer = (): never => notPartOfTheProtocol('stopContainer');
  removeContainer = (): never => notPartOfTheProtocol('removeContainer');
  listContainers = (): never => notPartOfTheProtocol('listContainers');
  containerStats = (): never => notPartOfTheProtocol('containerStats');
  execSync = (): never => notPartOfTheProtocol('execSync');
  orphans = (): never => notPartOfTheProtocol('orphans');
}

// ---- the server and its clients ------------------------------------------------------------

export interface TestServer {
  server: AgentServer;
  port: number;
  runtime: FakeRuntimeForProtocolTests;
  locator: FakeLocator;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<AgentServerOptions> = {}): Promise<TestServer> {
  const p = testPki();
  const runtime = new FakeRuntimeForProtocolTests();
  const locator = new FakeLocator();
  const server = await startAgentServer({
    host: '127.0.0.1',
    port: 0,
    tls: { certPem: p.serving.certPem, keyPem: p.serving.keyPem, clientCaPem: p.clientCa.certPem },
    allowedClientNames: [apiServerClientName],
    locator,
    runtime,
    logger: silentLogger(),
    ...overrides,
  });
  return { server, port: server.port, runtime, locator, close: () => server.close() };
}

export interface ClientOptions {
  /** The client certificate; undefined sends none. Default: the API server's. */
  identity?: KeyPair | undefined;
  method?: string;
}

function identityOf(opts: ClientOptions): KeyPair | undefined {
  return 'identity' in opts ? opts.identity : testPki().apiServer;
}

/** Starts a request and resolves with the response head; the body is left to the caller. */
export function request(port: number, path: string, opts: ClientOptions = {}): Promise<IncomingMessage> {
  const id = identityOf(opts);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', ca: testPki().servingCa.certPem, cert: id?.certPem, key: id?.keyPem, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

export async function get(port: number, path: string, opts: ClientOptions = {}): Promise<{ status: number; contentType: string; body: string }> {
  const res = await request(port, path, opts);
  return { status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: await readBody(res) };
}

export interface ExecMessage {
  channel: number;
  data: Buffer;
}

export interface OpenExec {
  ws: WebSocket;
  protocol: string;
  messages: ExecMessage[];
  /** Resolves with the close code once the socket has closed. */
  closed: Promise<number>;
  send(channel: number, payload: Buffer | string): void;
  /** Everything received on a channel, as text. */
  text(channel: number): string;
}

export type ExecAttempt = { kind: 'open'; exec: OpenExec } | { kind: 'refused'; status: number; body: string };

export function openExec(port: number, path: string, opts: ClientOptions & { protocols?: string[]; autoPong?: boolean } = {}): Promise<ExecAttempt> {
  const id = identityOf(opts);
  const ws = new WebSocket(`wss://127.0.0.1:${port}${path}`, opts.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
    ca: testPki().servingCa.certPem,
    cert: id?.certPem,
    key: id?.keyPem,
    autoPong: opts.autoPong ?? true,
  });
  const messages: ExecMessage[] = [];
  ws.on('message', (raw: Buffer) => messages.push({ channel: raw[0] ?? -1, data: raw.subarray(1) }));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (req, res) => {
      void readBody(res).then((body) => {
        req.destroy();
        resolve({ kind: 'refused', status: res.statusCode ?? 0, body });
      });
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        kind: 'open',
        exec: {
          ws,
          protocol: ws.protocol,
          messages,
          closed,
          send: (channel, payload) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(payload)])),
          text: (channel) => Buffer.concat(messages.filter((m) => m.channel === channel).map((m) => m.data)).toString(),
        },
      }),
    );
  });
}

export type SpdyAttempt = { kind: 'open'; client: SpdyTestClient; protocol: string | undefined } | { kind: 'refused'; status: number; body: string };

/** A SPDY/3.1 upgrade as kubectl sends it (a POST offering X-Stream-Protocol-Version values). */
export function openSpdy(port: number, path: string, protocols: string[], opts: ClientOptions = {}): Promise<SpdyAttempt> {
  const id = identityOf(opts);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1',
      port,
      path,
      method: opts.method ?? 'POST',
      ca: testPki().servingCa.certPem,
      cert: id?.certPem,
      key: id?.keyPem,
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocols },
    });
    req.on('upgrade', (res, socket, head) => {
      const client = new SpdyTestClient(socket);
      if (head.length) socket.unshift(head);
      resolve({ kind: 'open', client, protocol: res.headers['x-stream-protocol-version'] as string | undefined });
    });
    req.on('response', (res) => void readBody(res).then((body) => resolve({ kind: 'refused', status: res.statusCode ?? 0, body })));
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
