// Hollow nodes against a real etcd and API server: registration, leases, and pods bound to
// the nodes running, failing and being deleted through the real agent code.

import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { silentLogger } from '../../common/logging.js';
import { componentCommand } from '../../common/proc/components.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { hollowPodSubnet, startHollowNodes, type HollowNodes } from './hollowNodes.js';

interface PodJson {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { state: { terminated?: { exitCode: number } } }[];
  };
}

interface NodeJson {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { podCIDR?: string };
  status: { conditions?: { type: string; status: string }[]; allocatable?: Record<string, string> };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function podBody(name: string, nodeName: string, extra: { restartPolicy?: string; command?: string[] } = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName,
      ...(extra.restartPolicy ? { restartPolicy: extra.restartPolicy } : {}),
      containers: [{ name: 'app', image: 'registry.local/app:1', ...(extra.command ? { command: extra.command } : {}) }],
    },
  };
}

const count = 50;
const prefix = 'hollow-t-';

describe('hollow nodes', function () {
  this.timeout(120_000);
  let cluster: ProcessCluster;
  let hollow: HollowNodes;

  before(async () => {
    cluster = await startProcessCluster();
    hollow = startHollowNodes({ client: cluster.client, count, namePrefix: prefix, zones: 3, leaseDurationSeconds: 4, relistMs: 200, logger: silentLogger() });
    await hollow.registered;
  });

  after(async () => {
    await hollow?.stop();
    await cluster?.close();
  });

  const getPod = async (name: string): Promise<PodJson | undefined> => {
    const r = await cluster.client.get<PodJson>(`/api/v1/namespaces/default/pods/${name}`);
    return r.status === 200 ? r.body : undefined;
  };

  it(`registers ${count} Ready nodes with distinct pod subnets and renews their leases`, async () => {
    const nodes = (await cluster.client.get<{ items: NodeJson[] }>('/api/v1/nodes')).body.items.filter((n) => n.metadata.name.startsWith(prefix));
    expect(nodes.map((n) => n.metadata.name).sort()).to.deep.equal([...hollow.nodeNames].sort());
    for (const n of nodes) {
      expect(n.status.conditions?.find((c) => c.type === 'Ready')?.status, n.metadata.name).to.equal('True');
      expect(n.status.allocatable).to.include({ cpu: '4', pods: '110' });
      expect(n.metadata.labels?.['topology.kubernetes.io/zone']).to.match(/^zone-[012]$/);
    }
    expect(new Set(nodes.map((n) => n.spec.podCIDR)).size).to.equal(count);
    const leases = async (): Promise<Map<string, string>> => {
      const r = await cluster.client.get<{ items: { metadata: { name: string }; spec: { renewTime: string } }[] }>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
      return new Map(r.body.items.filter((l) => l.metadata.name.startsWith(prefix)).map((l) => [l.metadata.name, l.spec.renewTime]));
    };
    const first = await leases();
    expect(first.size).to.equal(count);
    // Renewed every quarter of the 4 s lease.
    await until('every lease renewed', async () => {
      const now = await leases();
      return [...first].every(([name, t]) => now.get(name) !== t) ? true : undefined;
    }, 5_000);
  });

  it('runs pods bound to the nodes: Running, with a pod IP from the node subnet, Ready', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `run-${i}`);
    const t0 = Date.now();
    await Promise.all(names.map((n, i) => cluster.client.request('POST', '/api/v1/namespaces/default/pods', { body: podBody(n, hollow.nodeNames[i % count]!) })));
    for (const [i, name] of names.entries()) {
      const p = await until(`${name} running`, async () => {
        const got = await getPod(name);
        return got?.status?.phase === 'Running' && got.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? got : undefined;
      });
      const subnet = hollowPodSubnet('10.64.0.0', i % count).replace(/\.0\/24$/, '.');
      expect(p.status?.podIP, name).to.satisfy((ip: string) => ip.startsWith(subnet));
    }
    expect(Date.now() - t0).to.be.below(10_000);
    // Settled: no status write keeps going once the pods run (a diff that never comes out
    // empty would make every write trigger the next).
    const versions = async (): Promise<string[]> => {
      const r = await cluster.client.get<{ items: (PodJson & { metadata: { resourceVersion: string } })[] }>('/api/v1/namespaces/default/pods');
      return r.body.items.filter((p) => p.metadata.name.startsWith('run-')).map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort();
    };
    await new Promise((r) => setTimeout(r, 1000));
    const before = await versions();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await versions()).to.deep.equal(before);
  });

  it('ends a restartPolicy Never pod whose command exits 3 as Failed with exit code 3', async () => {
    await cluster.client.request('POST', '/api/v1/namespaces/default/pods', { body: podBody('fails', hollow.nodeNames[7]!, { restartPolicy: 'Never', command: ['sh', '-c', 'exit 3'] }) });
    const p = await until('fails to fail', async () => {
      const got = await getPod('fails');
      return got?.status?.phase === 'Failed' ? got : undefined;
    });
    expect(p.status?.containerStatuses?.[0]?.state.terminated?.exitCode).to.equal(3);
  });

  it('finishes a graceful deletion: the pod object disappears', async () => {
    await cluster.client.request('POST', '/api/v1/namespaces/default/pods', { body: podBody('doomed', hollow.nodeNames[3]!) });
    await until('doomed running', async () => ((await getPod('doomed'))?.status?.phase === 'Running' ? true : undefined));
    const host = hollow.node(hollow.nodeNames[3]!)!.host;
    expect(host.sandboxes.size).to.be.above(0);
    const before = host.sandboxes.size;
    const r = await cluster.client.request('DELETE', '/api/v1/namespaces/default/pods/doomed');
    expect(r.status).to.equal(200);
    await until('doomed gone', async () => ((await getPod('doomed')) === undefined ? true : undefined), 5_000);
    // The agent removed the sandbox and containers it ran for the pod.
    await until('sandbox removed', async () => (host.sandboxes.size === before - 1 ? true : undefined), 2_000);
  });
});

describe('hollow node process', function () {
  this.timeout(120_000);
  let cluster: ProcessCluster;

  before(async () => {
    cluster = await startProcessCluster();
  });
  after(async () => {
    await cluster?.close();
  });

  it('prints one line when its nodes are registered, stops on SIGTERM and leaves the Node objects', async () => {
    const { command, args } = componentCommand('nodeagent/hollow/main');
    const child = spawn(command, [...args, '--kubeconfig', cluster.kubeconfig, '--count', '5', '--name-prefix', 'proc-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await until('the registered line', async () => {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${err}`);
        return out.includes('\n') ? true : undefined;
      }, 60_000);
      expect(out).to.match(/^hollow nodes registered: 5 \(proc-0 \.\. proc-4\) in [\d.]+ s; rss \d+ MiB\n$/);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      const nodes = (await cluster.client.get<{ items: NodeJson[] }>('/api/v1/nodes')).body.items.map((n) => n.metadata.name);
      expect(nodes.filter((n) => n.startsWith('proc-')).sort()).to.deep.equal(['proc-0', 'proc-1', 'proc-2', 'proc-3', 'proc-4']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) await stopChild(child, 5_000);
    }
  });

  it('refuses an invalid setting with a clear message', async () => {
    const { command, args } = componentCommand('nodeagent/hollow/main');
    const child = spawn(command, [...args, '--kubeconfig', cluster.kubeconfig, '--count', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).to.equal(2);
    expect(err).to.include('count');
  });
});
