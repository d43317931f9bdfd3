// `gantry-apiserver --workers 2` as a process on a real etcd: two worker processes behind one
// port, each announcing itself with an identity Lease (what the real kubectl lists), client
// connections spread over both, a killed worker replaced while the other keeps serving, and
// SIGTERM to the primary stopping every worker.

import { expect } from 'chai';
import path from 'node:path';
import { RestClient } from '../../common/client/restClient.js';
import type { KubeObject } from '../../common/api/meta.js';
import { childPids, isAlive, pidRuns } from '../../common/proc/pids.js';
import { kubectlFor } from '../../common/testing/kubectl.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { identityLabel } from '../controlplane/identityLease.js';

const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
const cms = '/api/v1/namespaces/default/configmaps';
/** The primary's worker processes (under tsx it also has an esbuild child). */
const workersOf = (pid: number): number[] => childPids(pid).filter((p) => pidRuns(p, 'apiserver/main'));

describe('gantry-apiserver --workers 2 (processes, real etcd)', function () {
  this.timeout(180_000);
  let c: ProcessCluster;

  before(async () => {
    c = await startProcessCluster({ apiServerFlags: ['--workers', '2'], logLevel: 'info', tempPrefix: 'gantry-workers' });
  });
  after(async () => {
    await c?.close();
  });

  /** Resolves with the identity Leases once `done` accepts them, watching rather than polling. */
  const leasesWhen = async (done: (byName: Map<string, KubeObject>) => boolean): Promise<Map<string, KubeObject>> => {
    const byName = new Map<string, KubeObject>();
    const first = await c.client.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(leases, { query: { labelSelector: `${identityLabel}=kube-apiserver` } });
    for (const l of first.body.items) byName.set(l.metadata.name!, l);
    if (done(byName)) return byName;
    let resolve!: () => void;
    const reached = new Promise<void>((r) => (resolve = r));
    const w = c.client.watch(leases, { labelSelector: `${identityLabel}=kube-apiserver`, resourceVersion: first.body.metadata.resourceVersion }, (ev) => {
      const l = ev.object as KubeObject;
      if (ev.type === 'DELETED') byName.delete(l.metadata.name!);
      else byName.set(l.metadata.name!, l);
      if (done(byName)) resolve();
    });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`identity leases now: ${[...byName.keys()].join(', ')}`)), 60_000).unref());
    try {
      await Promise.race([reached, timeout]);
    } finally {
      w.stop();
    }
    return byName;
  };

  const holder = (l: KubeObject | undefined): string => String((l?.spec as { holderIdentity?: string } | undefined)?.holderIdentity);

  it('runs two workers under the primary, each holding an identity Lease the real kubectl lists', async () => {
    expect(workersOf(c.apiServerPid)).to.have.length(2);
    const byName = await leasesWhen((m) => m.size === 2);
    const names = [...byName.keys()].sort();
    expect(names.map((n) => n.slice(-3))).to.deep.equal(['-w0', '-w1']);
    expect(names[0]!.slice(0, -3)).to.equal(names[1]!.slice(0, -3));
    for (const minor of [27, 33]) {
      const k = kubectlFor(c.kubeconfig, path.join(c.dir, 'kubectl'), minor);
      const out = await k(['get', 'leases', '-n', 'kube-system', '-l', identityLabel, '-o', 'name']);
      expect(out.code, out.stderr).to.equal(0);
      expect(out.stdout.trim().split('\n').sort()).to.deep.equal(names.map((n) => `lease.coordination.k8s.io/${n}`));
    }
  });

  it('serves writes and consistent reads over connections spread across the workers', async () => {
    // One connection per client; the primary hands connections to the workers in turn.
    const clients = Array.from({ length: 6 }, () => new RestClient(c.access, { maxSockets: 1 }));
    try {
      for (let round = 0; round < 5; round++) {
        for (const [i, w] of clients.entries()) {
          const name = `spread-${round}-${i}`;
          const made = await w.request<KubeObject>('POST', cms, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { round: String(round) } } });
          expect(made.status, made.text).to.equal(201);
          const reader = clients[(i + 1) % clients.length]!;
          const l = await reader.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(cms);
          expect(l.status, l.text).to.equal(200);
          expect(Number(l.body.metadata.resourceVersion)).to.be.at.least(Number(made.body.metadata.resourceVersion));
          expect(l.body.items.map((o) => o.metadata.name)).to.include(name);
        }
      }
    } finally {
      clients.forEach((x) => x.close());
    }
  });

  it('replaces a killed worker while the other keeps serving; the new one takes over its Lease', async () => {
    const before = await leasesWhen((m) => m.size === 2);
    const [victim, survivor] = workersOf(c.apiServerPid);
    process.kill(victim!, 'SIGKILL');
    // New connections go to the live worker at once.
    for (let i = 0; i < 6; i++) {
      const fresh = new RestClient(c.access, { maxSockets: 1 });
      try {
        const got = await fresh.get(cms);
        expect(got.status, got.text).to.equal(200);
      } finally {
        fresh.close();
      }
    }
    // The replacement renews the victim's Lease under a holder identity of its own.
    const changed = (m: Map<string, KubeObject>): string[] => [...m.keys()].filter((n) => m.has(n) && holder(m.get(n)) !== holder(before.get(n)));
    const after = await leasesWhen((m) => m.size === 2 && changed(m).length === 1);
    expect(after.size).to.equal(2);
    const pids = workersOf(c.apiServerPid);
    expect(pids).to.have.length(2);
    expect(pids).to.include(survivor);
    expect(pids).to.not.include(victim);
  });

  it('SIGTERM to the primary stops every worker, and their Leases are removed', async () => {
    const workers = workersOf(c.apiServerPid);
    expect(workers).to.have.length(2);
    await c.stopApiServer();
    for (const pid of workers) expect(isAlive(pid), `worker ${pid}`).to.equal(false);
    await c.startApiServer();
    // A fresh pair: the two Leases are this pair's (the old holders deleted theirs on the way out).
    const byName = await leasesWhen((m) => m.size === 2);
    expect(byName.size).to.equal(2);
  });
});
