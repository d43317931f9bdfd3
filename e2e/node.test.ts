// `gantry up` on this machine: the image registry, this machine's node agent and real
// busybox containers, driven with the real kubectl; then `gantry down` leaves nothing
// behind (processes, mounts, network namespaces, the bridge, cgroups, NAT rules).

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RestClient } from '../common/client/restClient.js';
import { readKubeconfig } from '../common/kubeconfig.js';
import { cgroupDirs, linkExists, mountsUnder, processesMentioning } from '../common/proc/leftovers.js';
import { pidRuns } from '../common/proc/pids.js';
import { parseYaml } from '../common/yaml.js';
import type { Kubectl } from './kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';
import { eventually } from '../common/testing/eventually.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const busyboxPods = path.join(repoRoot, 'manifests/examples/busybox-pods.yaml');

/** What `gantry up` records in state.json (cli/cluster/state.ts; e2e reads the file, not the CLI's code). */
interface RecordedState {
  registry: string;
  node: { name: string; root: string; bridge: string; podSubnet: string; cgroupRoot: string; port: number };
  processes: Array<{ name: string; pid: number; marker: string }>;
}

interface NodeObject {
  status?: {
    conditions?: Array<{ type: string; status: string }>;
    addresses?: Array<{ type: string; address: string }>;
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

function getJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      })
      .on('error', reject);
  });
}

function flag(args: string[], name: string): string {
  return args[args.indexOf(name) + 1]!;
}

/** The token of `user` in the API server's tokens.csv line for it, and the whole line. */
function tokenLine(tokens: string, user: string): { token: string; line: string } | undefined {
  const line = tokens.split('\n').find((l) => l.split(',')[1] === user);
  return line ? { token: line.split(',')[0]!, line } : undefined;
}

describe('e2e: gantry up runs pods on this machine', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let home: string;
  let upArgs: string[];
  let upOutput: string;
  let state: RecordedState;
  let kubectl: Kubectl;
  let client: RestClient;

  before(async function () {
    this.timeout(240_000);
    cluster = await upForTests('gantry-e2e-node');
    ({ home, upArgs, upOutput } = cluster);
    state = JSON.parse(fs.readFileSync(path.join(home, 'state.json'), 'utf8')) as RecordedState;
    kubectl = cluster.kubectl();
    client = cluster.client();
  });

  after(async function () {
    this.timeout(120_000);
    // The last case runs and checks `down` itself; this one only makes sure it ran.
    await cluster?.down({ exitCode: false });
  });

  it('up says where the registry is and which node it runs, and records both', () => {
    expect(state.registry).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(upOutput).to.contain(`image registry: ${state.registry}`);
    expect(upOutput).to.contain(`node: ${state.node.name}`);
    expect(state.node.name).to.match(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(state.processes.map((p) => p.name)).to.deep.equal(['etcd', 'registry', 'apiserver', 'scheduler', 'controller-manager', 'nodeagent']);
    expect(state.node).to.include({ bridge: flag(upArgs, '--bridge'), cgroupRoot: flag(upArgs, '--cgroup-root'), podSubnet: flag(upArgs, '--pod-subnet') });
    expect(state.node.root).to.equal(path.join(home, 'nodes', state.node.name, 'root'));
    for (const p of state.processes) expect(pidRuns(p.pid, p.marker), `${p.name} runs`).to.equal(true);
  });

  it('the registry serves the images at the port the node mirrors docker.io to', async () => {
    const registries = parseYaml(fs.readFileSync(path.join(home, 'nodes', state.node.name, 'registries.yaml'), 'utf8')) as {
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
      const r = await getJson(`${mirror}/v2/${tc.repo}/tags/list`);
      expect(r.status, tc.repo).to.equal(200);
      expect((r.body as { tags: string[] }).tags, tc.repo).to.include.members(tc.tags);
    }
  });

  it('the node, the scheduler, the controller manager and the API server each have their own credentials', () => {
    const node = state.node.name;
    const pki = path.join(home, 'pki');
    const ca = new X509Certificate(fs.readFileSync(path.join(pki, 'ca.crt')));
    const tokens = fs.readFileSync(path.join(pki, 'tokens.csv'), 'utf8');
    const nodeToken = tokenLine(tokens, `system:node:${node}`);
    expect(nodeToken?.line).to.equal(`${nodeToken?.token},system:node:${node},node-${node},"system:nodes"`);
    const schedToken = tokenLine(tokens, 'system:kube-scheduler');
    expect(schedToken?.line).to.equal(`${schedToken?.token},system:kube-scheduler,kube-scheduler`);
    expect(readKubeconfig(path.join(home, 'nodes', node, 'kubeconfig')).token).to.equal(nodeToken!.token);
    expect(readKubeconfig(path.join(home, 'scheduler', 'kubeconfig')).token).to.equal(schedToken!.token);
    const cmToken = tokenLine(tokens, 'system:kube-controller-manager');
    expect(cmToken?.line).to.equal(`${cmToken?.token},system:kube-controller-manager,kube-controller-manager`);
    expect(readKubeconfig(path.join(home, 'controller-manager', 'kubeconfig')).token).to.equal(cmToken!.token);

    const serving = new X509Certificate(fs.readFileSync(path.join(home, 'nodes', node, 'serving.crt')));
    expect(serving.verify(ca.publicKey)).to.equal(true);
    expect(serving.subjectAltName).to.contain(`DNS:${node}`).and.contain('IP Address:127.0.0.1');
    const kubeletClient = new X509Certificate(fs.readFileSync(path.join(pki, 'apiserver-kubelet-client.crt')));
    expect(kubeletClient.verify(ca.publicKey)).to.equal(true);
    expect(kubeletClient.subject).to.equal('CN=gantry-apiserver-kubelet-client');

    const cmdline = (pid: number): string[] => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const api = cmdline(state.processes.find((p) => p.name === 'apiserver')!.pid);
    expect(flag(api, '--kubelet-client-cert-file')).to.equal(path.join(pki, 'apiserver-kubelet-client.crt'));
    expect(flag(api, '--kubelet-client-key-file')).to.equal(path.join(pki, 'apiserver-kubelet-client.key'));
    expect(flag(api, '--kubelet-certificate-authority')).to.equal(path.join(pki, 'ca.crt'));
    // The agent runs under `gantry supervise`, whose command line carries the agent's.
    const agent = cmdline(state.processes.find((p) => p.name === 'nodeagent')!.pid);
    expect(flag(agent, '--node-name')).to.equal(node);
    expect(flag(agent, '--client-ca-file')).to.equal(path.join(pki, 'ca.crt'));
    expect(flag(agent, '--port')).to.equal(String(state.node.port));
  });

  // From here on the node agent must be doing its job.

  it('the Node for this machine registers and becomes Ready, advertising its endpoint', async () => {
    const node = await eventually(
      'the Node to be Ready',
      async () => {
        const r = await client.get<NodeObject>(`/api/v1/nodes/${state.node.name}`);
        return r.status === 200 && r.body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? r.body : undefined;
      },
      60_000,
    );
    expect(node.status?.addresses).to.deep.include({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.equal(state.node.port);
    const r = await kubectl(['get', 'nodes']);
    expect(r.stdout).to.match(new RegExp(`^${state.node.name}\\s+Ready\\s`, 'm'));
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
    expect(nodeName).to.equal(state.node.name);
    expect(podIp).to.match(new RegExp(`^${flag(upArgs, '--pod-subnet').split('.').slice(0, 3).join('\\.')}\\.`));
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
    expect(linkExists(state.node.bridge), `ip link show ${state.node.bridge}`).to.equal(false);
    expect(cgroupDirs(state.node.cgroupRoot), 'cgroups').to.deep.equal([]);
    const subnetPrefix = state.node.podSubnet.split('.').slice(0, 3).join('.') + '.';
    const nat = spawnSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' });
    expect(nat.stdout.split('\n').filter((l) => l.includes(subnetPrefix)), 'NAT rules for the pod subnet').to.deep.equal([]);
    expect(fs.existsSync(home)).to.equal(false);
  });
});
