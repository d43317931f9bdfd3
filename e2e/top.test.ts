// `kubectl top` and `gantry top` on ONE `gantry up --hosts 2` cluster: each node agent samples
// its cgroups, the API server fans out to both for metrics.k8s.io, and the real kubectl 1.27 and
// 1.33 print a busy pod (a shell loop under a half-core limit, holding some memory) with
// real CPU and memory, an idle one with next to no CPU, and the node with its share of
// allocatable. `gantry top` must show the same usage, beside the pods' requests and limits.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { componentCommand } from '../common/proc/components.js';
import { eventually } from '../common/testing/eventually.js';
import { upForTests, type TestCluster } from './testCluster.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const pod = (name: string, script: string, resources: object = {}): object => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name, tier: 'top-test' } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], resources }] },
});

/** Rows of a kubectl/gantry table, split on runs of spaces. */
const rows = (out: string): string[][] =>
  out
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));
const millis = (cell: string | undefined): number => (cell && /^\d+m$/.test(cell) ? Number(cell.slice(0, -1)) : NaN);
const mebis = (cell: string | undefined): number => (cell && /^\d+Mi$/.test(cell) ? Number(cell.slice(0, -2)) : NaN);

describe('e2e: kubectl top and gantry top on a gantry up cluster', function () {
  this.timeout(240_000);
  let cluster: TestCluster | undefined;
  const cli = componentCommand('cli/main');

  function gantry(args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(cli.command, [...cli.args, args[0]!, '--kubeconfig', cluster!.kubeconfig, ...args.slice(1)], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  before(async function () {
    this.timeout(400_000);
    cluster = await upForTests('gantry-e2e-top', { hosts: 2 });
    const k = cluster.kubectl(33);
    // ~16 MB held in a shell variable, then a busy loop capped at half a core.
    const busy = pod('burner', "x=$(head -c 16000000 /dev/zero | tr '\\0' a); while :; do :; done", { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    for (const o of [busy, pod('idler', 'sleep 3600')]) {
      const r = await k(['create', '-f', '-'], { input: JSON.stringify(o) });
      expect(r.code, r.stderr).to.equal(0);
    }
    const client = cluster.client();
    await eventually(
      'both pods running',
      async () => {
        const list = (await client.get('/api/v1/namespaces/default/pods?labelSelector=tier%3Dtop-test')).body as { items: { status?: { phase?: string } }[] };
        return list.items.filter((p) => p.status?.phase === 'Running').length === 2 ? true : undefined;
      },
      240_000,
      500,
    );
    // Two samples of the pods' cgroups (10 s apart) before there is a rate to report.
    await eventually(
      'usage of the busy pod',
      async () => {
        const r = await k(['top', 'pod', 'burner', '--no-headers']);
        return r.code === 0 && millis(rows(r.stdout)[0]?.[1]) > 0 ? true : undefined;
      },
      90_000,
      2000,
    );
  });
  after(async function () {
    this.timeout(120_000);
    await cluster?.down();
  });

  for (const minor of [27, 33]) {
    it(`kubectl 1.${minor} top node: both nodes with CPU and memory in use and their share of allocatable`, async () => {
      const r = await cluster!.kubectl(minor)(['top', 'node']);
      expect(r.code, r.stderr).to.equal(0);
      const [header, ...nodes] = rows(r.stdout);
      // Newer kubectls write CPU(%) where older ones wrote CPU%.
      expect(header!.join(' ')).to.match(/^NAME CPU\(cores\) CPU(%|\(%\)) MEMORY\(bytes\) MEMORY(%|\(%\))$/);
      expect(nodes, r.stdout).to.have.length(2);
      for (const [, cpu, cpuPct, mem, memPct] of nodes) {
        // Each node reports the whole host (as the kubelet does), busy pod included: both hosts share this machine.
        expect(millis(cpu), r.stdout).to.be.at.least(50);
        expect(mebis(mem), r.stdout).to.be.greaterThan(16);
        expect(cpuPct).to.match(/^\d+%$/);
        expect(memPct).to.match(/^\d+%$/);
      }
    });

    it(`kubectl 1.${minor} top pod: the busy pod near its half-core limit with its memory, the idle one near zero`, async () => {
      const r = await cluster!.kubectl(minor)(['top', 'pod', '-l', 'tier=top-test']);
      expect(r.code, r.stderr).to.equal(0);
      const [header, ...pods] = rows(r.stdout);
      expect(header).to.deep.equal(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
      const byName = new Map(pods.map((p) => [p[0]!, p]));
      expect([...byName.keys()].sort()).to.deep.equal(['burner', 'idler']);
      const burner = byName.get('burner')!;
      // Capped at 500m; a shared 2-core machine may give it less, never much more.
      expect(millis(burner[1]), r.stdout).to.be.within(100, 600);
      expect(mebis(burner[2]), r.stdout).to.be.within(15, 128);
      expect(millis(byName.get('idler')![1]), r.stdout).to.be.below(20);
      const containers = await cluster!.kubectl(minor)(['top', 'pod', 'burner', '--containers', '--no-headers']);
      expect(rows(containers.stdout).map((x) => x.slice(0, 2)), containers.stderr).to.deep.equal([['burner', 'main']]);
    });
  }

  it('gantry top pods: the same usage as kubectl top, beside each pod\'s request and limit', async () => {
    // Within the API server's cache period both read the same fan-out; allow for a new one.
    const [g, kk] = await Promise.all([gantry(['top', 'pods', '-l', 'tier=top-test']), cluster!.kubectl(33)(['top', 'pod', '-l', 'tier=top-test'])]);
    expect(g.code, g.stderr).to.equal(0);
    expect(g.stderr).to.equal('');
    const lines = g.stdout.trim().split('\n');
    expect(lines[0]!.split(/\s+/)).to.deep.equal(['NAME', 'CPU', 'MEMORY']);
    // burner   480m (480% of request 100m, limit 500m)   17Mi (26% of request 64Mi, limit 128Mi)
    const cell = /^(\S+)\s+(\d+)m \((?:(\d+)% of request (\S+)|no request), (?:limit (\S+)|no limit)\)\s+(\d+)Mi \((?:(\d+)% of request (\S+)|no request), (?:limit (\S+)|no limit)\)$/;
    const byName = new Map(lines.slice(1).map((l) => [l.split(/\s+/)[0]!, cell.exec(l)]));
    expect([...byName.keys()].sort()).to.deep.equal(['burner', 'idler']);
    const b = byName.get('burner');
    expect(b, g.stdout).to.not.equal(null);
    const [, , cpu, cpuPct, cpuReq, cpuLim, mem, memPct, memReq, memLim] = b!;
    expect([cpuReq, cpuLim, memReq, memLim]).to.deep.equal(['100m', '500m', '64Mi', '128Mi']);
    expect(Number(cpuPct)).to.equal(Math.trunc(Number(cpu))); // of a 100m request
    // Memory shows in whole Mi rounded down; its percent is of the bytes.
    expect(Number(memPct)).to.be.within(Math.trunc((Number(mem) / 64) * 100), Math.trunc(((Number(mem) + 1) / 64) * 100));
    const kBurner = rows(kk.stdout).find((r) => r[0] === 'burner')!;
    expect(Math.abs(Number(cpu) - millis(kBurner[1])), `${g.stdout}\n${kk.stdout}`).to.be.at.most(150);
    expect(Math.abs(Number(mem) - mebis(kBurner[2])), `${g.stdout}\n${kk.stdout}`).to.be.at.most(4);
    const idler = byName.get('idler');
    expect(idler, g.stdout).to.not.equal(null);
    expect(idler![3] ?? idler![5], g.stdout).to.equal(undefined); // no request, no limit
    expect(Number(idler![2])).to.be.below(20);

    const containers = await gantry(['top', 'pod', 'burner', '--containers', '--no-headers']);
    expect(containers.stdout, containers.stderr).to.match(/^burner\s+main\s+\d+m \(\d+% of request 100m, limit 500m\)\s+\d+Mi \(\d+% of request 64Mi, limit 128Mi\)\n$/);
    const sorted = await gantry(['top', 'pods', '-A', '--sort-by=cpu', '--no-headers']);
    expect(rows(sorted.stdout)[0]?.slice(0, 2), sorted.stdout).to.deep.equal(['default', 'burner']);
  });

  it('gantry top nodes: usage beside requests and limits against allocatable, per node and resource; --requests without usage', async () => {
    const nodes = await gantry(['top', 'nodes']);
    expect(nodes.code, nodes.stderr).to.equal(0);
    expect(nodes.stderr).to.equal('');
    const [header, ...nodeRows] = rows(nodes.stdout);
    expect(header).to.deep.equal(['NAME', 'RESOURCE', 'USAGE', 'REQUESTS', 'LIMITS', 'ALLOCATABLE']);
    expect(nodeRows.map((r) => r[1])).to.deep.equal(['cpu', 'memory', 'pods', 'cpu', 'memory', 'pods']);
    for (const r of nodeRows.filter((x) => x[1] === 'cpu')) {
      // NAME cpu USED PCT REQ PCT LIM PCT ALLOC: the whole host's use, as the kubelet reports it.
      expect(millis(r[2]), nodes.stdout).to.be.at.least(50);
      expect(r[3]).to.match(/^\d+%$/);
      expect(millis(r[8])).to.be.greaterThan(0);
    }
    // The busy pod's 100m request and 500m limit are on its node's cpu row.
    const where = await cluster!.kubectl(33)(['get', 'pod', 'burner', '-o', 'jsonpath={.spec.nodeName}']);
    const cpuRow = nodeRows.find((r) => r[0] === where.stdout && r[1] === 'cpu')!;
    expect(millis(cpuRow[4]), nodes.stdout).to.be.at.least(100);
    expect(millis(cpuRow[6]), nodes.stdout).to.be.at.least(500);
    const podsRow = nodeRows.find((r) => r[0] === where.stdout && r[1] === 'pods')!;
    expect(Number(podsRow[3])).to.be.at.least(1);

    const one = await gantry(['top', 'node', where.stdout, '--requests', '--no-headers']);
    expect(rows(one.stdout).map((r) => r.slice(0, 2)), one.stderr).to.deep.equal([[where.stdout, 'cpu'], [where.stdout, 'memory'], [where.stdout, 'pods']]);
    expect(one.stdout).to.not.contain('<unknown>');
    expect(one.stderr).to.equal('');
  });

  it('the raw metrics objects carry the sampling window, and a pod without usage is NotFound', async () => {
    const k = cluster!.kubectl(33);
    const raw = await k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burner']);
    expect(raw.code, raw.stderr).to.equal(0);
    const pm = JSON.parse(raw.stdout) as { kind: string; window: string; containers: { name: string; usage: { cpu: string; memory: string } }[] };
    expect(pm.kind).to.equal('PodMetrics');
    // Sampled every 10 s: the window is about that.
    expect(Number(pm.window.replace(/s$/, ''))).to.be.within(8, 20);
    expect(pm.containers[0]!.usage.cpu).to.match(/^\d+n$/);
    const missing = await k(['top', 'pod', 'no-such-pod']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('podmetrics.metrics.k8s.io "default/no-such-pod" not found');
  });
});
