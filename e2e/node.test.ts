// `gantry up --hosts 2` on this machine: the image registry on the host network, a node
// agent in each host's network namespace and real busybox containers, driven with the real
// kubectl; then `gantry down` leaves nothing behind (processes, mounts, network namespaces,
// veths, the bridge, cgroups, netfilter rules).

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RestClient } from '../common/client/restClient.js';
import { fetchAnonymously } from '../common/images/registryFetch.js';
import { readKubeconfig } from '../common/kubeconfig.js';
import { cgroupDirs, linkExists, mountsUnder, processesMentioning } from '../common/proc/leftovers.js';
import { pidRuns } from '../common/proc/pids.js';
import { parseYaml } from '../common/yaml.js';
import { type Kubectl } from '../common/testing/kubectl.js';
import { gantry } from '../common/testing/gantryCli.js';
import { upForTests, type TestCluster } from './testCluster.js';
import { eventually } from '../common/testing/eventually.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const busyboxPods = path.join(repoRoot, 'manifests/examples/busybox-pods.yaml');

/** What `gantry up` records in state.json (cli/cluster/state.ts; e2e reads the file, not the CLI's code). */
interface RecordedNode {
  name: string;
  root: string;
  bridge: string;
  cgroupRoot: string;
  port: number;
  address: string;
  netns: string;
  veth: string;
}
interface RecordedState {
  registry: string;
  hostNetwork: { bridge: string; cidr: string; gateway: string };
  nodes: RecordedNode[];
  processes: Array<{ name: string; pid: number; marker: string }>;
}

interface NodeObject {
  status?: {
    conditions?: Array<{ type: string; status: string }>;
    addresses?: Array<{ type: string; address: string }>;
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

function flag(args: string[], name: string): string {
  return args[args.indexOf(name) + 1]!;
}

/** The token of `user` in the API server's tokens.csv line for it, and the whole line. */
function tokenLine(tokens: string, user: string): { token: string; line: string } | undefined {
  const line = tokens.split('\n').find((l) => l.split(',')[1] === user);
  return line ? { token: line.split(',')[0]!, line } : undefined;
}

describe('e2e: gantry up runs hosts in network namespaces, and pods on them', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let home: string;
  let upArgs: string[];
  let upOutput: string;
  let state: RecordedState;
  let first: RecordedNode;
  let kubectl: Kubectl;
  let client: RestClient;

  before(async function () {
    this.timeout(240_000);
    cluster = await upForTests('gantry-e2e-node', { hosts: 2 });
    ({ home, upArgs, upOutput } = cluster);
    state = JSON.parse(fs.readFileSync(path.join(home, 'state.json'), 'utf8')) as RecordedState;
    first = state.nodes[0]!;
    kubectl = cluster.kubectl();
    client = cluster.client();
  });

  after(async function () {
    this.timeout(120_000);
    // The last case runs and checks `down` itself; this one only makes sure it ran.
    await cluster?.down({ exitCode: false });
  });

  it('up says where the registry and each host are, and records them', () => {
    const net = state.hostNetwork;
    expect(net.bridge).to.equal(flag(upArgs, '--bridge'));
    expect(net.gateway).to.equal(net.cidr.replace(/0\/24$/, '1'));
    expect(state.registry).to.equal(`http://${net.gateway}:${state.registry.split(':')[2]}`);
    expect(upOutput).to.contain(`image registry: ${state.registry}`);
    expect(state.nodes.map((n) => n.name)).to.deep.equal(['host-1', 'host-2']);
    for (const n of state.nodes) {
      expect(upOutput).to.contain(`node ${n.name} at ${n.address} (Ready)`);
      expect(n).to.include({ bridge: 'gantry0', cgroupRoot: `${flag(upArgs, '--cgroup-root')}-${n.name}`, netns: `${net.bridge}-${n.name}` });
      expect(n.root).to.equal(path.join(home, 'nodes', n.name, 'root'));
      expect(fs.existsSync(`/run/netns/${n.netns}`), n.netns).to.equal(true);
      expect(linkExists(n.veth), n.veth).to.equal(true);
    }
    expect(state.nodes.map((n) => n.address)).to.deep.equal([net.cidr.replace(/0\/24$/, '11'), net.cidr.replace(/0\/24$/, '12')]);
    expect(state.processes.map((p) => p.name)).to.deep.equal(['etcd-1', 'registry-auth', 'registry', 'apiserver', 'scheduler', 'controller-manager', 'dns', 'nodeagent-host-1', 'nodeagent-host-2']);
    for (const p of state.processes) expect(pidRuns(p.pid, p.marker), `${p.name} runs`).to.equal(true);
  });

  it('the registry serves the images at the port the node mirrors docker.io to', async () => {
    const registries = parseYaml(fs.readFileSync(path.join(home, 'nodes', first.name, 'registries.yaml'), 'utf8')) as {
      mirrors: Record<string, { endpoint: string[] }>;
    };
    const mirror = registries.mirrors['docker.io']!.endpoint[0]!;
    expect(mirror).to.equal(state.registry);
    const cases = [
      { repo: 'busybox', tags: ['latest'] },
      { repo: 'library/busybox', tags: ['latest'] },
      { repo: 'gantry/web', tags: ['v1', 'v2'] },
    ];
    for (const tc of cases) {
      // As a node pulls: anonymously, with the pull-only token the registry's token service grants anyone.
      const r = await fetchAnonymously(`${mirror}/v2/${tc.repo}/tags/list`, {}, `repository:${tc.repo}:pull`);
      expect(r.status, tc.repo).to.equal(200);
      expect(((await r.json()) as { tags: string[] }).tags, tc.repo).to.include.members(tc.tags);
    }
  });

  it('the node, the scheduler, the controller manager and the API server each have their own credentials', () => {
    const node = first.name;
    const pki = path.join(home, 'pki');
    const ca = new X509Certificate(fs.readFileSync(path.join(pki, 'ca.crt')));
    const tokens = fs.readFileSync(path.join(pki, 'tokens.csv'), 'utf8');
    // Nodes joined with a bootstrap token: no static token, a client certificate the CA signed.
    expect(tokenLine(tokens, `system:node:${node}`)).to.equal(undefined);
    const nodeAccess = readKubeconfig(path.join(home, 'nodes', node, 'kubeconfig'));
    const clientCert = new X509Certificate(nodeAccess.certPem ?? '');
    expect(clientCert.subject).to.equal(`O=system:nodes\nCN=system:node:${node}`);
    expect(clientCert.verify(ca.publicKey)).to.equal(true);
    const schedToken = tokenLine(tokens, 'system:kube-scheduler');
    expect(schedToken?.line).to.equal(`${schedToken?.token},system:kube-scheduler,kube-scheduler`);
    expect(readKubeconfig(path.join(home, 'scheduler', 'kubeconfig')).token).to.equal(schedToken!.token);
    const cmToken = tokenLine(tokens, 'system:kube-controller-manager');
    expect(cmToken?.line).to.equal(`${cmToken?.token},system:kube-controller-manager,kube-controller-manager`);
    expect(readKubeconfig(path.join(home, 'controller-manager', 'kubeconfig')).token).to.equal(cmToken!.token);

    const serving = new X509Certificate(fs.readFileSync(path.join(home, 'nodes', node, 'serving.crt')));
    expect(serving.verify(ca.publicKey)).to.equal(true);
    expect(serving.subjectAltName).to.contain(`DNS:${node}`).and.contain(`IP Address:${first.address}`);
    const apiServing = new X509Certificate(fs.readFileSync(path.join(pki, 'apiserver.crt')));
    expect(apiServing.subjectAltName).to.contain(`IP Address:${state.hostNetwork.gateway}`).and.contain('IP Address:10.96.0.1');
    const kubeletClient = new X509Certificate(fs.readFileSync(path.join(pki, 'apiserver-kubelet-client.crt')));
    expect(kubeletClient.verify(ca.publicKey)).to.equal(true);
    expect(kubeletClient.subject).to.equal('CN=gantry-apiserver-kubelet-client');

    const cmdline = (pid: number): string[] => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const api = cmdline(state.processes.find((p) => p.name === 'apiserver')!.pid);
    expect(flag(api, '--kubelet-client-cert-file')).to.equal(path.join(pki, 'apiserver-kubelet-client.crt'));
    expect(flag(api, '--kubelet-client-key-file')).to.equal(path.join(pki, 'apiserver-kubelet-client.key'));
    expect(flag(api, '--kubelet-certificate-authority')).to.equal(path.join(pki, 'ca.crt'));
    // The agent runs under `gantry supervise`, whose command line carries the agent's, entered into its host.
    const agent = cmdline(state.processes.find((p) => p.name === `nodeagent-${node}`)!.pid);
    expect(agent).to.include(`--net=/run/netns/${first.netns}`);
    expect(flag(agent, '--node-name')).to.equal(node);
    // The CA the node learned when it joined (pinned by its hash), kept in its own directory.
    expect(flag(agent, '--client-ca-file')).to.equal(path.join(home, 'nodes', node, 'ca.crt'));
    expect(fs.readFileSync(flag(agent, '--client-ca-file'), 'utf8')).to.equal(fs.readFileSync(path.join(pki, 'ca.crt'), 'utf8'));
    expect(flag(agent, '--port')).to.equal(String(first.port));
    expect(flag(agent, '--pod-network')).to.equal('vxlan');
  });

  // From here on the node agent must be doing its job.

  it('each host registers its Node, Ready, at its own address with a pod CIDR from the node IPAM', async () => {
    const cidrs: string[] = [];
    for (const n of state.nodes) {
      const node = await eventually(
        `the Node ${n.name} to be Ready`,
        async () => {
          const r = await client.get<NodeObject & { spec?: { podCIDR?: string } }>(`/api/v1/nodes/${n.name}`);
          return r.status === 200 && r.body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? r.body : undefined;
        },
        60_000,
      );
      expect(node.status?.addresses).to.deep.include({ type: 'InternalIP', address: n.address });
      expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.equal(n.port);
      expect(node.spec?.podCIDR).to.match(/^10\.244\.\d+\.0\/24$/);
      cidrs.push(node.spec!.podCIDR!);
    }
    expect(new Set(cidrs).size).to.equal(cidrs.length);
    const r = await kubectl(['get', 'nodes']);
    for (const n of state.nodes) expect(r.stdout).to.match(new RegExp(`^${n.name}\\s+Ready\\s`, 'm'));
  });

  it('gantry status lists every component running under its supervisor, the API server ready and the nodes Ready', async () => {
    const r = await gantry(home, ['status']);
    expect(r.code, r.out).to.equal(0);
    for (const p of state.processes) expect(r.out, p.name).to.match(new RegExp(`^${p.name}\\s+\\d+\\s+yes\\s`, 'm'));
    // Supervised ones report their restarts (none yet) and their supervisor's PID.
    expect(r.out).to.match(new RegExp(`^scheduler\\s+\\d+\\s+yes\\s+0\\s+${state.processes.find((p) => p.name === 'scheduler')!.pid}\\s`, 'm'));
    expect(r.out).to.contain('API server https://127.0.0.1:').and.contain(': ready');
    for (const n of state.nodes) expect(r.out).to.contain(`node ${n.name}: Ready`);
  });

  it('a busybox pod pulled through the mirror reaches Running on this node', async () => {
    const r = await kubectl(['apply', '-f', busyboxPods]);
    expect(r.code, r.stderr).to.equal(0);
    const phase = await eventually(
      'pod shell to run',
      async () => {
        const got = await kubectl(['get', 'pod', 'shell', '-o', 'jsonpath={.status.phase} {.spec.nodeName} {.status.podIP}']);
        return got.stdout.startsWith('Running ') ? got.stdout : undefined;
      },
      90_000,
    );
    const [, nodeName, podIp] = phase.split(' ');
    const node = await client.get<{ spec?: { podCIDR?: string } }>(`/api/v1/nodes/${nodeName}`);
    expect(podIp!.split('.').slice(0, 3)).to.deep.equal(node.body.spec!.podCIDR!.split('.').slice(0, 3));
  });

  it('pods on different hosts reach each other by pod IP over the overlay, and reach the control plane', async () => {
    const pods = [
      { name: 'web-on-2', node: 'host-2', image: 'gantry/web:v1', command: undefined },
      { name: 'client-on-1', node: 'host-1', image: 'busybox', command: ['sleep', '3600'] },
    ];
    for (const p of pods) {
      const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name }, spec: { nodeName: p.node, containers: [{ name: 'c', image: p.image, ...(p.command ? { command: p.command } : {}) }] } };
      const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
      expect(r.code, r.stderr).to.equal(0);
    }
    const ips = await eventually(
      'both pods to run',
      async () => {
        const got = await kubectl(['get', 'pod', 'web-on-2', 'client-on-1', '-o', 'jsonpath={range .items[*]}{.status.phase} {.status.podIP};{end}']);
        const parts = got.stdout.split(';').filter(Boolean);
        return parts.length === 2 && parts.every((x) => x.startsWith('Running ')) ? parts.map((x) => x.split(' ')[1]!) : undefined;
      },
      90_000,
    );
    const answer = await eventually(
      'the web pod to answer across hosts',
      async () => {
        const r = await kubectl(['exec', 'client-on-1', '--', 'wget', '-qO-', `http://${ips[0]}:8080/`]);
        return r.code === 0 ? r.stdout : undefined;
      },
      30_000,
    );
    expect(answer.trim()).to.equal('gantry web v1');
    // The registry listens on the control plane's address: pods leave their host masqueraded.
    // It answers /v2/ with 401 (token auth: no token yet): the answer is the proof of the path.
    const r = await kubectl(['exec', 'client-on-1', '--', 'wget', '-S', '-qO-', `${state.registry}/v2/`]);
    expect(r.stderr, 'the registry answered the pod').to.contain('HTTP/1.1 401 Unauthorized');
  });

  it('a pod that prints runs to completion and kubectl logs shows its output', async () => {
    await eventually(
      'pod hello to succeed',
      async () => {
        const got = await kubectl(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}']);
        if (got.stdout === 'Failed') throw new Error('pod hello failed');
        return got.stdout === 'Succeeded' ? true : undefined;
      },
      90_000,
    );
    const r = await kubectl(['logs', 'hello']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^hello from gantry: pod hello, Linux /);
  });

  it('kubectl exec runs commands in the running container, with stdin and exit codes', async () => {
    let r = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo $((6 * 7)); echo oops >&2']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('42\n');
    expect(r.stderr).to.contain('oops');
    r = await kubectl(['exec', '-i', 'shell', '--', 'cat'], { input: 'through stdin\n' });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('through stdin\n');
    r = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
    expect(r.code).to.equal(3);
  });

  it('down stops every process and leaves no mount, netns, bridge, cgroup or NAT rule behind', async () => {
    const r = await cluster!.stop();
    expect(r.code, r.out).to.equal(0);
    for (const p of state.processes) expect(pidRuns(p.pid, p.marker), `${p.name} (pid ${p.pid}) still runs`).to.equal(false);
    // The agent, conmon and anything else started with a path in $GANTRY_HOME.
    expect(processesMentioning(home), 'processes naming the cluster home').to.deep.equal([]);
    // Container roots, pod /dev/shm and the pinned network namespaces are all mounts under the node root.
    expect(mountsUnder(cluster!.tmp.dir), 'mounts').to.deep.equal([]);
    expect(linkExists(state.hostNetwork.bridge), `ip link show ${state.hostNetwork.bridge}`).to.equal(false);
    for (const n of state.nodes) {
      expect(fs.existsSync(`/run/netns/${n.netns}`), n.netns).to.equal(false);
      expect(linkExists(n.veth), `ip link show ${n.veth}`).to.equal(false);
      expect(cgroupDirs(n.cgroupRoot), 'cgroups').to.deep.equal([]);
    }
    const filter = spawnSync('iptables', ['-S'], { encoding: 'utf8' });
    expect(filter.stdout.split('\n').filter((l) => l.includes(state.hostNetwork.bridge)), 'the host network FORWARD rule').to.deep.equal([]);
    expect(fs.existsSync(home)).to.equal(false);
  });
});
