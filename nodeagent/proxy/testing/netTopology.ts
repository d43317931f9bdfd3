// A small network of namespaces for the proxy's integration test, all created by the test
// and removed by close(): a "host" namespace (where the proxy writes its rules) with a pod
// bridge, "pod" namespaces on that bridge running a TCP and a UDP server that answer with
// their name and the address they saw, and a "client" namespace on a separate link, outside
// the cluster CIDR, like another machine. Nothing is added to the machine's own namespace
// but the namespace files; every process started here is stopped by its PID.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { run, runChecked } from '../../../common/proc/run.js';
import { helperScript } from './nsHelper.js';

export interface Reply {
  ok: boolean;
  /** `<name> <address the server saw>` for answers. */
  data?: string;
  error?: string;
  ms: number;
}

export interface Request {
  proto: 'tcp' | 'udp';
  host: string;
  port: number;
  timeoutMs?: number;
  /** UDP: send from this port, so the flow (and its conntrack entry) stays the same across requests. */
  localPort?: number;
}

/** A helper process inside one namespace: maybe a server, always a client taking requests on stdin. */
export class NsHelper {
  private next = 1;
  private readonly pending = new Map<number, (r: Reply) => void>();
  readonly ready: Promise<void>;

  constructor(readonly netns: string, readonly proc: ChildProcessWithoutNullStreams) {
    let readyFn!: () => void;
    this.ready = new Promise((r) => (readyFn = r));
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; id?: number } & Reply;
      if (msg.ready) return readyFn();
      const fn = this.pending.get(msg.id ?? -1);
      this.pending.delete(msg.id ?? -1);
      fn?.(msg);
    });
  }

  request(r: Request): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.proc.stdin.write(`${JSON.stringify({ id, timeoutMs: 2000, ...r })}\n`);
    });
  }

  /** `n` requests one after another; the names of the servers that answered (or `!error`). */
  async names(r: Request, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const rep = await this.request(r);
      out.push(rep.ok ? (rep.data ?? '').split(' ')[0]! : `!${rep.error ?? 'error'}`);
    }
    return out;
  }

  stop(): void {
    if (this.proc.exitCode === null && this.proc.pid) process.kill(this.proc.pid, 'SIGKILL');
  }
}

export interface PodNs {
  name: string;
  netns: string;
  ip: string;
  helper: NsHelper;
}

export interface Topology {
  /** The namespace the proxy programs (a node). */
  hostNs: string;
  /** The host's address on the client link (a node address) and on the pod bridge. */
  hostIP: string;
  bridgeIP: string;
  clusterCidr: string;
  client: NsHelper;
  /** A client on the host itself (node ports on 127.0.0.1). */
  hostClient: NsHelper;
  pods: PodNs[];
  /** Runs a command inside a namespace of the topology. */
  exec(netns: string, cmd: string, args: string[]): Promise<string>;
  close(): Promise<string[]>;
}

const nsPath = (ns: string): string => `/run/netns/${ns}`;

/** Builds the namespaces. `pods` names the pod namespaces (they get .11, .12, ... on 10.244.7.0/24). */
export async function startTopology(pods: string[]): Promise<Topology> {
  const tag = randomBytes(3).toString('hex');
  const ns = (role: string): string => `gantry-pt-${tag}-${role}`;
  const created: string[] = [];
  const helpers: NsHelper[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-pt-'));
  const script = path.join(dir, 'helper.cjs');
  fs.writeFileSync(script, helperScript);

  const close = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const h of helpers) h.stop();
    for (const n of created.reverse()) {
      const r = await run('ip', ['netns', 'del', n]);
      if (r.code !== 0) problems.push(`ip netns del ${n}: ${r.stderr.trim()}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return problems;
  };
  const ip = (args: string[]): Promise<unknown> => runChecked('ip', args);
  const sysctl = (n: string, kv: string): Promise<unknown> => runChecked('nsenter', [`--net=${nsPath(n)}`, '--', 'sysctl', '-q', '-w', kv]);
  const helper = async (netns: string, name: string, serve: boolean): Promise<NsHelper> => {
    const proc = spawn('nsenter', [`--net=${nsPath(netns)}`, '--', process.execPath, script, name, serve ? 'serve' : 'client'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const h = new NsHelper(netns, proc);
    helpers.push(h);
    await Promise.race([h.ready, new Promise((_r, reject) => setTimeout(() => reject(new Error(`helper in ${netns} did not start`)), 10_000))]);
    return h;
  };

  try {
    const hostNs = ns('host');
    const clientNs = ns('client');
    for (const n of [hostNs, clientNs, ...pods.map((p) => ns(p))]) {
      await ip(['netns', 'add', n]);
      created.push(n);
      await ip(['-n', n, 'link', 'set', 'lo', 'up']);
    }
    await sysctl(hostNs, 'net.ipv4.ip_forward=1');
    await ip(['-n', hostNs, 'link', 'add', 'ptbr0', 'type', 'bridge']);
    await ip(['-n', hostNs, 'addr', 'add', '10.244.7.1/24', 'dev', 'ptbr0']);
    await ip(['-n', hostNs, 'link', 'set', 'ptbr0', 'up']);
    const podList: PodNs[] = [];
    for (const [i, name] of pods.entries()) {
      const podNs = ns(name);
      const podIP = `10.244.7.${11 + i}`;
      await ip(['-n', hostNs, 'link', 'add', `veth${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs]);
      await ip(['-n', hostNs, 'link', 'set', `veth${i}`, 'master', 'ptbr0', 'up']);
      // As the CNI bridge plugin's hairpinMode does: a pod reaching itself through a Service
      // is DNATed back out of the bridge port it came in on.
      await ip(['-n', hostNs, 'link', 'set', `veth${i}`, 'type', 'bridge_slave', 'hairpin', 'on']);
      await ip(['-n', podNs, 'addr', 'add', `${podIP}/24`, 'dev', 'eth0']);
      await ip(['-n', podNs, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', podNs, 'route', 'add', 'default', 'via', '10.244.7.1']);
      podList.push({ name, netns: podNs, ip: podIP, helper: await helper(podNs, name, true) });
    }
    await ip(['-n', hostNs, 'link', 'add', 'vclient', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', clientNs]);
    await ip(['-n', hostNs, 'addr', 'add', '172.31.250.1/24', 'dev', 'vclient']);
    await ip(['-n', hostNs, 'link', 'set', 'vclient', 'up']);
    await ip(['-n', clientNs, 'addr', 'add', '172.31.250.2/24', 'dev', 'eth0']);
    await ip(['-n', clientNs, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', clientNs, 'route', 'add', 'default', 'via', '172.31.250.1']);
    // A host has a default route; without one, traffic to a ClusterIP that no rule DNATs is
    // refused by routing (ENETUNREACH) before the proxy's REJECT could answer.
    await ip(['-n', hostNs, 'route', 'add', 'default', 'via', '172.31.250.2']);
    return {
      hostNs,
      hostIP: '172.31.250.1',
      bridgeIP: '10.244.7.1',
      clusterCidr: '10.244.0.0/16',
      client: await helper(clientNs, 'client', false),
      hostClient: await helper(hostNs, 'host', false),
      pods: podList,
      exec: async (netns, cmd, args) => (await runChecked('nsenter', [`--net=${nsPath(netns)}`, '--', cmd, ...args])).stdout,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
