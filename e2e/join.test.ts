// A second machine joins a `gantry up` cluster the way an operator does it: the admin runs
// `gantry token create`, and the commands it prints are typed on "machine-2" — a network
// namespace this test puts on the cluster's host network, with its own address and its own
// GANTRY_HOME — `gantry join` there, pods on it reaching pods on host-1 over the overlay,
// through a Service and by DNS name, a restart that rejoins with the credentials it holds,
// and `gantry leave`, after which nothing of the node is left in the machine or the cluster.
// Wrong CA pins, deleted and expired tokens fail with a clear message and leave nothing.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hostCommands } from '../common/proc/hostCommands.js';
import { cgroupDirs, mountsUnder, processesMentioning } from '../common/proc/leftovers.js';
import { pidRuns, stopPid } from '../common/proc/pids.js';
import { eventually } from '../common/testing/eventually.js';
import { gantry, type GantryResult } from '../common/testing/gantryCli.js';
import { showRun, type Kubectl } from '../common/testing/kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';

/** What `gantry up` records in state.json (read as a file: e2e does not import the CLI). */
interface RecordedState {
  registry: string;
  hostNetwork: { bridge: string; cidr: string; gateway: string };
  nodes: Array<{ name: string; address: string; netns: string }>;
}

/** What `gantry join` records beside the node's credentials. */
interface JoinState {
  pid: number;
  marker: string;
  log: string;
  node: { name: string; cgroupRoot: string; root: string };
}

type Run = GantryResult;

/** The `gantry` CLI, in the machine's own namespace or (netns) inside another, with GANTRY_HOME=home. */
const gantryIn = (netns: string | undefined, home: string, args: string[], timeoutMs = 180_000): Promise<Run> => gantry(home, args, { ...(netns ? { netns } : {}), timeoutMs });

/** The address `offset` into an IPv4 /24-or-larger CIDR. */
function addressIn(cidr: string, offset: number): string {
  const [ip, len] = cidr.split('/');
  const base = ip!.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  if (offset >= 2 ** (32 - Number(len)) - 1) throw new Error(`${cidr} has no address at offset ${offset}`);
  const n = base + offset;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** A token and join command as `gantry token create` prints them. */
function parseTokenCreate(r: Run): { token: string; id: string; join: string[] } {
  const token = r.stdout.trim();
  const line = /^\s*gantry (join .*)$/m.exec(r.stderr);
  if (!/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(token) || !line) throw new Error(`token create printed no token and join command:\n${showRun(r)}`);
  return { token, id: token.split('.')[0]!, join: line[1]!.trim().split(/\s+/) };
}

function flagOf(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

const webPod = (name: string, node: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: join-web }
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
    - name: web
      image: gantry/web:v1
      ports: [{ name: http, containerPort: 8080 }]
      readinessProbe:
        httpGet: { path: /healthz, port: http }
        periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: join-web
spec:
  selector: { app: join-web }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

const clientPod = (name: string, node: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
    - name: client
      image: busybox
      command: [sleep, '3600']
`;

describe('e2e: a second machine joins with gantry token/join and leaves with gantry leave', function () {
  this.timeout(150_000);
  const nodeName = 'machine-2';
  let cluster: TestCluster | undefined;
  let kubectl: Kubectl;
  let state: RecordedState;
  /** machine-2: its namespace, its veth on the host bridge, its address and its GANTRY_HOME. */
  let machine: { netns: string; veth: string; address: string; home: string } | undefined;
  let nodeDir: string;
  let join: string[];
  let server: string;

  const root = hostCommands();
  const inMachine = (): ReturnType<typeof hostCommands> => hostCommands(`/run/netns/${machine!.netns}`);
  const onMachine = (args: string[], timeoutMs?: number): Promise<Run> => gantryIn(machine!.netns, machine!.home, args, timeoutMs);
  const asAdmin = (args: string[]): Promise<Run> => gantryIn(undefined, cluster!.home, args);
  const readJoinState = (): JoinState | undefined => (fs.existsSync(path.join(nodeDir, 'join-state.json')) ? (JSON.parse(fs.readFileSync(path.join(nodeDir, 'join-state.json'), 'utf8')) as JoinState) : undefined);
  const ok = async (args: string[], input?: string, timeoutMs = 60_000): Promise<string> => {
    const r = await kubectl(args, { timeoutMs, ...(input !== undefined ? { input } : {}) });
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const nodeExists = async (): Promise<boolean> => {
    const r = await kubectl(['get', 'node', nodeName, '-o', 'name']);
    if (r.code === 0) return true;
    expect(r.stderr).to.contain('NotFound');
    return false;
  };
  const agentLog = (): string => {
    try {
      return fs.readFileSync(readJoinState()?.log ?? '', 'utf8').slice(-4000);
    } catch {
      return '(no agent log)';
    }
  };
  /** The page `url` answers, fetched by busybox wget inside the client pod on machine-2. */
  const fetchFromMachine = (url: string): Promise<string> =>
    eventually(
      `the client pod on ${nodeName} to fetch ${url}`,
      async () => {
        const r = await kubectl(['exec', 'client-m2', '--', 'timeout', '5', 'wget', '-qO-', url], { timeoutMs: 20_000 });
        if (r.code !== 0) throw new Error(showRun(r));
        return r.stdout.trim();
      },
      45_000,
      500,
    );

  before(async function () {
    this.timeout(300_000);
    cluster = await upForTests('gantry-e2e-join', { hosts: 1 });
    kubectl = cluster.kubectl();
    state = JSON.parse(fs.readFileSync(path.join(cluster.home, 'state.json'), 'utf8')) as RecordedState;
    // A second machine on the cluster's host network, made by hand as a VM would be: a
    // namespace with eth0 on the host bridge, an address of its own and a default route.
    const net = state.hostNetwork;
    const netns = `${net.bridge}-m2`;
    const veth = `gj${randomBytes(4).toString('hex')}`;
    machine = { netns, veth, address: addressIn(net.cidr, 50), home: path.join(cluster.tmp.dir, 'm2') };
    nodeDir = path.join(machine.home, 'nodes', nodeName);
    fs.mkdirSync(machine.home, { recursive: true, mode: 0o700 });
    await root.checked('ip', ['netns', 'add', netns]);
    await root.checked('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await root.checked('ip', ['link', 'set', veth, 'master', net.bridge, 'up']);
    const inside = inMachine();
    await inside.checked('ip', ['addr', 'add', `${machine.address}/${net.cidr.split('/')[1]}`, 'dev', 'eth0']);
    await inside.checked('ip', ['link', 'set', 'eth0', 'up']);
    await inside.checked('ip', ['link', 'set', 'lo', 'up']);
    await inside.checked('ip', ['route', 'add', 'default', 'via', net.gateway]);
    await inside.checked('sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  });

  after(async function () {
    this.timeout(240_000);
    const problems: string[] = [];
    try {
      if (machine) {
        // A test that failed half-way: leave (or at least stop the agent) before the namespace goes.
        const js = readJoinState();
        if (js) {
          const r = await onMachine(['leave', '--home', machine.home, '--node-name', nodeName]);
          if (r.code !== 0) problems.push(`gantry leave in after(): ${showRun(r)}`);
          if (pidRuns(js.pid, js.marker)) await stopPid(js.pid, js.marker, 30_000);
        }
        if ((await root.run('ip', ['netns', 'pids', machine.netns])).code === 0) await root.run('ip', ['netns', 'del', machine.netns]);
        if ((await root.run('ip', ['link', 'show', 'dev', machine.veth])).code === 0) await root.run('ip', ['link', 'del', machine.veth]);
        const mounts = mountsUnder(machine.home);
        if (mounts.length) problems.push(`still mounted under ${machine.home}: ${mounts.join(', ')}`);
      }
    } finally {
      await cluster?.down();
    }
    if (problems.length) throw new Error(problems.join('\n'));
  });

  it('token create prints a token and the join command for the address other machines reach; list shows it; delete of an unknown id fails', async () => {
    const r = await asAdmin(['token', 'create', '--ttl', '10m', '--description', 'machine-2']);
    expect(r.code, showRun(r)).to.equal(0);
    const t = parseTokenCreate(r);
    join = t.join;
    server = flagOf(join, '--server')!;
    // Not the admin kubeconfig's 127.0.0.1: the API server's address on the host network.
    expect(server).to.match(new RegExp(`^https://${state.hostNetwork.gateway.replace(/\./g, '\\.')}:\\d+$`));
    expect(flagOf(join, '--token')).to.equal(t.token);
    expect(flagOf(join, '--ca-hash')).to.match(/^sha256:[0-9a-f]{64}$/);
    // The registry: by default the server's host at 5000; said when it is elsewhere.
    const registry = flagOf(join, '--registry');
    expect(registry ?? `http://${state.hostNetwork.gateway}:5000`).to.equal(state.registry);
    expect(r.stderr).to.match(/expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);

    const list = await asAdmin(['token', 'list']);
    expect(list.code, showRun(list)).to.equal(0);
    expect(list.stdout).to.match(new RegExp(`^${t.id}\\s+\\S+Z\\s+authentication\\s+machine-2\\s+system:bootstrappers:gantry:default-node-token$`, 'm'));

    const unknown = await asAdmin(['token', 'delete', 'zzzzzz']);
    expect(unknown.code, showRun(unknown)).to.not.equal(0);
    expect(unknown.stderr).to.contain('bootstrap token "zzzzzz" not found');
  });

  it('join with a wrong --ca-hash refuses to send the token, exits non-zero and leaves nothing', async () => {
    const hash = flagOf(join, '--ca-hash')!;
    const wrong = hash.slice(0, -1) + (hash.endsWith('0') ? '1' : '0');
    const args = join.map((a) => (a === hash ? wrong : a));
    const r = await onMachine([...args, '--node-name', nodeName, '--address', machine!.address, '--home', machine!.home]);
    expect(r.code, showRun(r)).to.not.equal(0);
    expect(r.stderr).to.contain(`the cluster CA does not match --ca-hash: expected ${wrong}, the server at ${server} presented ${hash}`);
    expect(fs.existsSync(nodeDir), nodeDir).to.equal(false);
    expect(processesMentioning(machine!.home)).to.deep.equal([]);
    expect(await nodeExists()).to.equal(false);
  });

  it('join into a home too deep for the container runtime fails before asking for credentials', async () => {
    const deep = path.join(machine!.home, 'x'.repeat(40));
    const r = await onMachine([...join, '--node-name', nodeName, '--address', machine!.address, '--home', deep]);
    expect(r.code, showRun(r)).to.not.equal(0);
    expect(r.stderr).to.contain("is too long for the container runtime's socket paths").and.contain('choose a shorter --home or --node-name');
    expect(fs.existsSync(deep)).to.equal(false);
    expect(await nodeExists()).to.equal(false);
  });

  it('join with a deleted or an expired token fails clearly and leaves nothing', async () => {
    const deleted = parseTokenCreate(await asAdmin(['token', 'create', '--ttl', '10m']));
    const del = await asAdmin(['token', 'delete', deleted.id]);
    expect(del.code, showRun(del)).to.equal(0);
    expect(del.stdout).to.contain(`bootstrap token "${deleted.id}" deleted`);
    expect((await asAdmin(['token', 'list'])).stdout).to.not.contain(deleted.id);

    const expiring = parseTokenCreate(await asAdmin(['token', 'create', '--ttl', '1s']));
    // Expiry is kept to the second: a little over a second later it is past.
    await new Promise((r) => setTimeout(r, 2_200));
    const list = await asAdmin(['token', 'list']);
    expect(list.stdout).to.match(new RegExp(`^${expiring.id}\\s+\\S+Z \\(expired\\)`, 'm'));

    for (const tc of [
      { name: 'deleted', token: deleted.token },
      { name: 'expired', token: expiring.token },
    ]) {
      const args = join.map((a) => (a === flagOf(join, '--token') ? tc.token : a));
      const r = await onMachine([...args, '--node-name', nodeName, '--address', machine!.address, '--home', machine!.home]);
      expect(r.code, `${tc.name}: ${showRun(r)}`).to.not.equal(0);
      expect(r.stderr, tc.name).to.contain('401 Unauthorized').and.contain('the token is wrong, expired or deleted');
      expect(fs.existsSync(nodeDir), `${tc.name}: ${nodeDir}`).to.equal(false);
      expect(processesMentioning(machine!.home), tc.name).to.deep.equal([]);
    }
    expect(await nodeExists()).to.equal(false);
  });

  it('join as printed (plus the node name, address and home) makes machine-2 a Ready node with a pod CIDR; a DaemonSet applied before reaches it', async () => {
    // A DaemonSet that exists before machine-2 joins: its pod runs on host-1 now and must
    // reach the new node once it joins, with nobody touching the DaemonSet.
    const daemon = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'join-daemon' }, spec: { selector: { matchLabels: { app: 'join-daemon' } }, template: { metadata: { labels: { app: 'join-daemon' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'd', image: 'busybox', command: ['sleep', '3600'] }] } } } };
    await ok(['apply', '-f', '-'], JSON.stringify(daemon));
    await ok(['rollout', 'status', 'daemonset/join-daemon', '--timeout=120s'], undefined, 130_000);
    const r = await onMachine([...join, '--node-name', nodeName, '--address', machine!.address, '--home', machine!.home]);
    expect(r.code, `${showRun(r)}\nagent log:\n${agentLog()}`).to.equal(0);
    const js = readJoinState();
    expect(r.stdout).to.contain(`node ${nodeName} joined ${server}; its agent runs as pid ${js?.pid}`);
    expect(pidRuns(js!.pid, js!.marker)).to.equal(true);
    // The cluster DNS address came from the kube-dns Service, not a flag.
    const dnsIp = (await ok(['get', 'service', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(r.stderr).to.contain(`cluster DNS at ${dnsIp}`);
    // The agent runs inside machine-2 with the pod network `up`'s hosts use.
    const agent = processesMentioning(`--node-name ${nodeName}`).find((p) => p.cmdline.includes('nodeagent/main') && !p.cmdline.includes(' supervise '));
    expect(agent, 'the node agent process').to.not.equal(undefined);
    expect(fs.readlinkSync(`/proc/${agent!.pid}/ns/net`)).to.equal(`net:[${fs.statSync(`/run/netns/${machine!.netns}`).ino}]`);
    const flags = agent!.cmdline;
    for (const f of ['--pod-network vxlan', '--proxy-mode iptables', `--cluster-dns ${dnsIp}`, '--cluster-cidr 10.244.0.0/16', `--address ${machine!.address}`]) expect(flags, f).to.contain(f);

    await ok(['wait', '--for=condition=Ready', `node/${nodeName}`, '--timeout=60s'], undefined, 70_000);
    const node = JSON.parse(await ok(['get', 'node', nodeName, '-o', 'json'])) as { spec: { podCIDR?: string }; status: { addresses: Array<{ type: string; address: string }> } };
    expect(node.status.addresses).to.deep.include({ type: 'InternalIP', address: machine!.address });
    expect(node.spec.podCIDR).to.match(/^10\.244\.\d+\.0\/24$/);
    const host1 = JSON.parse(await ok(['get', 'node', 'host-1', '-o', 'json'])) as { spec: { podCIDR?: string } };
    expect(node.spec.podCIDR).to.not.equal(host1.spec.podCIDR);

    // The DaemonSet's pod on the new node, started by its agent.
    type DaemonPods = { items: Array<{ spec: { nodeName?: string }; status: { phase?: string } }> };
    const placed = (d: DaemonPods): string[] => d.items.map((p) => `${p.spec.nodeName} ${p.status.phase}`).sort();
    const want = [`host-1 Running`, `${nodeName} Running`].sort();
    const daemons = await eventually(
      `the DaemonSet's pod Running on ${nodeName}`,
      async () => {
        const d = JSON.parse(await ok(['get', 'pods', '-l', 'app=join-daemon', '-o', 'json'])) as DaemonPods;
        return JSON.stringify(placed(d)) === JSON.stringify(want) ? d : undefined;
      },
      120_000,
      500,
    );
    expect(placed(daemons)).to.deep.equal(want);
    await ok(['delete', 'daemonset', 'join-daemon', '--cascade=foreground', '--timeout=120s'], undefined, 130_000);
  });

  it('a pod on machine-2 reaches a pod on host-1 by its IP, through its Service and by DNS name', async () => {
    await ok(['apply', '-f', '-'], `${webPod('web-h1', 'host-1')}---\n${clientPod('client-m2', nodeName)}`);
    await ok(['wait', '--for=condition=Ready', 'pod/web-h1', 'pod/client-m2', '--timeout=90s'], undefined, 100_000);
    const ips = JSON.parse(await ok(['get', 'pods', 'web-h1', 'client-m2', '-o', 'json'])) as { items: Array<{ metadata: { name: string }; status: { podIP: string } }> };
    const ipOf = (n: string): string => ips.items.find((p) => p.metadata.name === n)!.status.podIP;
    const node = JSON.parse(await ok(['get', 'node', nodeName, '-o', 'json'])) as { spec: { podCIDR: string } };
    expect(ipOf('client-m2').split('.').slice(0, 3).join('.')).to.equal(node.spec.podCIDR.split('.').slice(0, 3).join('.'));

    expect(await fetchFromMachine(`http://${ipOf('web-h1')}:8080/`)).to.equal('gantry web v1');
    const clusterIp = (await ok(['get', 'service', 'join-web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(await fetchFromMachine(`http://${clusterIp}/`)).to.equal('gantry web v1');
    expect(await fetchFromMachine('http://join-web.default.svc.cluster.local/')).to.equal('gantry web v1');
    const resolv = await ok(['exec', 'client-m2', '--', 'cat', '/etc/resolv.conf']);
    const dnsIp = (await ok(['get', 'service', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(resolv).to.match(new RegExp(`^nameserver ${dnsIp.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('join while the agent runs is refused; after the agent stops, join without a token restarts it with the credentials it holds', async () => {
    const before = readJoinState()!;
    const again = await onMachine([...join, '--node-name', nodeName, '--address', machine!.address, '--home', machine!.home]);
    expect(again.code, showRun(again)).to.not.equal(0);
    expect(again.stderr).to.contain(`node ${nodeName} already joined ${server} and its agent runs (pid ${before.pid}`);
    expect(pidRuns(before.pid, before.marker)).to.equal(true);

    // The machine "reboots": its agent stops (its containers keep running, as the kubelet's do).
    await stopPid(before.pid, before.marker, 30_000);
    expect(pidRuns(before.pid, before.marker)).to.equal(false);
    // No token, server, name or address: all from the earlier join under this home.
    const r = await onMachine(['join', '--home', machine!.home]);
    expect(r.code, `${showRun(r)}\nagent log:\n${agentLog()}`).to.equal(0);
    expect(r.stderr).to.contain(`node ${nodeName} already holds valid credentials`);
    expect(r.stdout).to.contain(`node ${nodeName} joined ${server} (with the credentials it held)`);
    const after = readJoinState()!;
    expect(after.pid).to.not.equal(before.pid);
    expect(pidRuns(after.pid, after.marker)).to.equal(true);
    await ok(['wait', '--for=condition=Ready', `node/${nodeName}`, '--timeout=60s'], undefined, 70_000);
    expect(await fetchFromMachine('http://join-web/')).to.equal('gantry web v1');
  });

  it("join fails, with the agent's own error, and stops the agent when it cannot start (its port taken); once fixed, join works", async () => {
    const before = readJoinState()!;
    await stopPid(before.pid, before.marker, 30_000);
    // Something else holds the agent's port on machine-2's address.
    const blocker = spawn('nsenter', [`--net=/run/netns/${machine!.netns}`, '--', process.execPath, '-e', `require('net').createServer().listen(10250, '${machine!.address}', () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        blocker.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
        blocker.once('exit', (code) => reject(new Error(`the port blocker exited (${code})`)));
      });
      const r = await onMachine(['join', '--home', machine!.home]);
      expect(r.code, showRun(r)).to.not.equal(0);
      expect(r.stderr).to.contain(`the node agent of ${nodeName} exited; stopped it`).and.contain('EADDRINUSE');
      const failed = readJoinState()!;
      expect(failed.pid).to.not.equal(before.pid);
      expect(pidRuns(failed.pid, failed.marker), 'the failed agent was stopped').to.equal(false);
    } finally {
      blocker.kill();
      if (blocker.exitCode === null) await new Promise((r) => blocker.once('exit', r));
    }
    const r = await onMachine(['join', '--home', machine!.home]);
    expect(r.code, `${showRun(r)}\nagent log:\n${agentLog()}`).to.equal(0);
    expect(pidRuns(readJoinState()!.pid, readJoinState()!.marker)).to.equal(true);
    expect(await fetchFromMachine('http://join-web/')).to.equal('gantry web v1');
  });

  it('leave stops the agent, removes its containers, mounts, cgroups, bridge, overlay and rules, and deletes the Node', async () => {
    const js = readJoinState()!;
    // From another network namespace (here the machine's root one) the teardown would remove
    // the wrong bridge and rules: refused, and nothing is stopped.
    const elsewhere = await gantryIn(undefined, machine!.home, ['leave', '--home', machine!.home]);
    expect(elsewhere.code, showRun(elsewhere)).to.not.equal(0);
    expect(elsewhere.stderr).to.contain('run `gantry leave` where `gantry join` ran');
    expect(pidRuns(js.pid, js.marker)).to.equal(true);

    const r = await onMachine(['leave', '--home', machine!.home]);
    expect(r.code, showRun(r)).to.equal(0);
    expect(r.stderr).to.contain(`node ${nodeName} left the cluster`);
    expect(pidRuns(js.pid, js.marker)).to.equal(false);
    expect(processesMentioning(machine!.home)).to.deep.equal([]);
    expect(mountsUnder(machine!.home)).to.deep.equal([]);
    expect(cgroupDirs(js.node.cgroupRoot)).to.deep.equal([]);
    expect(fs.existsSync(nodeDir), nodeDir).to.equal(false);

    const inside = inMachine();
    for (const link of ['gantry0', 'gantry.vxlan']) expect((await inside.run('ip', ['link', 'show', 'dev', link])).code, link).to.not.equal(0);
    const rules = (await inside.checked('iptables-save', [])).stdout;
    expect(rules.split('\n').filter((l) => /gantry|KUBE-/i.test(l))).to.deep.equal([]);
    const routes = (await inside.checked('ip', ['-4', 'route', 'show'])).stdout.trim().split('\n');
    expect(routes.filter((l) => l.startsWith('10.244.'))).to.deep.equal([]);

    await eventually('the Node machine-2 to be gone', async () => ((await nodeExists()) ? undefined : true), 20_000, 250);
    // Its pods go with it (the pod garbage collector deletes pods of a Node that is gone).
    await ok(['wait', '--for=delete', 'pod/client-m2', '--timeout=45s'], undefined, 50_000);
    // host-1's agent drops its route to machine-2's pods with the Node.
    const host1 = hostCommands(`/run/netns/${state.nodes[0]!.netns}`);
    await eventually(
      "host-1's route to machine-2's pods to be gone",
      async () => {
        const left = (await host1.checked('ip', ['-4', 'route', 'show'])).stdout.split('\n').filter((l) => l.includes('gantry.vxlan'));
        return left.length === 0 ? true : undefined;
      },
      20_000,
      250,
    );
  });

  it('join after leave needs a token again, and says so', async () => {
    // No --address: the machine's source address toward the server, which the message names.
    const r = await onMachine(['join', '--server', server, '--node-name', nodeName, '--home', machine!.home]);
    expect(r.code, showRun(r)).to.not.equal(0);
    expect(r.stderr).to.contain(`a bootstrap token is needed: ${nodeDir} holds no valid credentials of node ${nodeName} at ${machine!.address} for ${server}`);
    expect(fs.existsSync(nodeDir)).to.equal(false);
    expect(await nodeExists()).to.equal(false);
  });
});
