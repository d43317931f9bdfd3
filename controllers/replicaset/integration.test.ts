// The ReplicaSet controller against a real etcd and API server (separate processes), run by
// the controller manager in-process under its own identity (system:kube-controller-manager,
// so the API server's rules for it are exercised) with leader election on its Lease. A tiny
// in-test "kubelet" marks pods Running and Ready (or not), which is all the controller reads
// of a node; real containers are not the point here.

import { expect } from 'chai';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { Api } from '../../common/client/api.js';
import type { ApiClient } from '../../common/client/apiClient.js';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor, type ResourceDescriptor } from '../../common/api/resources.js';
import { freePort } from '../../common/proc/ports.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { eventually } from '../../common/testing/eventually.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet } from '../testing/tinyKubelet.js';
import type { ControllerManagerApp } from '../app.js';
import { controllerManagerUser, httpGet, logTail, spawnControllerManager } from '../testing/controllerManagerProcess.js';
import { replicaSetControllerFactory } from './index.js';
import { isPodActive } from './podState.js';
import { podsResource, replicaSetsResource, type Pod, type ReplicaSet } from './types.js';

const run = promisify(execFile);

/** Counts the controller's pod creations, and how many were in flight at once, per namespace. */
class CreateCounter {
  readonly attempts = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  wrap(api: Api): Api {
    return {
      ...api,
      get: api.get.bind(api),
      list: api.list.bind(api),
      update: api.update.bind(api),
      updateStatus: api.updateStatus.bind(api),
      patch: api.patch.bind(api),
      delete: api.delete.bind(api),
      createSubresource: api.createSubresource.bind(api),
      updateSubresource: api.updateSubresource.bind(api),
      create: async <T extends KubeObject = KubeObject>(r: ResourceDescriptor, ns: string | undefined, obj: T, opts?: object): Promise<T> => {
        if (r.plural !== 'pods') return api.create(r, ns, obj, opts);
        const k = ns ?? '';
        this.attempts.set(k, (this.attempts.get(k) ?? 0) + 1);
        this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
        this.maxInFlight.set(k, Math.max(this.maxInFlight.get(k) ?? 0, this.inFlight.get(k)!));
        try {
          return await api.create(r, ns, obj, opts);
        } finally {
          this.inFlight.set(k, this.inFlight.get(k)! - 1);
        }
      },
    };
  }
}

describe('ReplicaSet controller integration (etcd + API server processes, controller manager in-process)', function () {
  this.timeout(180_000);
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp;
  let kubelet: TinyKubelet;
  const counter = new CreateCounter();

  const replicaSet = (ns: string, replicas: number, over: { minReadySeconds?: number; podSpec?: Record<string, unknown> } = {}): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: ns },
    spec: {
      replicas,
      ...(over.minReadySeconds !== undefined ? { minReadySeconds: over.minReadySeconds } : {}),
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox:1' }], ...over.podSpec } },
    },
  });
  const getRs = (ns: string): Promise<ReplicaSet> => admin.get<ReplicaSet>(replicaSetsResource, ns, 'web');
  const podsOf = async (ns: string, rs?: ReplicaSet): Promise<Pod[]> => {
    const all = (await admin.list<Pod>(podsResource, ns)).items.filter(isPodActive);
    return rs ? all.filter((p) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === rs.metadata.uid)) : all;
  };
  const events = async (ns: string, reason: string): Promise<{ count: number; messages: string[]; type: string[] }> => {
    const items = (await admin.list<KubeObject & { reason?: string; message?: string; count?: number; type?: string }>(resourceFor('Event'), ns)).items.filter((e) => e.reason === reason);
    return { count: items.reduce((n, e) => n + (e.count ?? 1), 0), messages: items.map((e) => e.message ?? ''), type: items.map((e) => e.type ?? '') };
  };
  /** Waits until the set's status says all of `want` (and has observed its generation). */
  const statusIs = (ns: string, want: Partial<Record<'replicas' | 'readyReplicas' | 'availableReplicas' | 'fullyLabeledReplicas', number>>, timeoutMs = 30_000): Promise<ReplicaSet> =>
    eventually(
      `${ns}/web status ${JSON.stringify(want)}`,
      async () => {
        const rs = await getRs(ns);
        const s = (rs.status ?? {}) as unknown as Record<string, number | undefined>;
        if (s.observedGeneration !== rs.metadata.generation) return undefined;
        return Object.entries(want).every(([k, v]) => (s[k] ?? 0) === v) ? rs : undefined;
      },
      timeoutMs,
    );
  const scale = (ns: string, replicas: number): Promise<KubeObject> => admin.patch(replicaSetsResource, ns, 'web', 'merge', { spec: { replicas } });

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    kubelet = new TinyKubelet(admin);
    kubelet.start();
    app = await startTestManager({ kubeconfig: harness.cluster.kubeconfig, client: harness.client, registry: { replicaset: replicaSetControllerFactory }, wrapApi: (api) => counter.wrap(api) });
  });
  after(async () => {
    await app?.stop();
    await kubelet?.stop();
    await harness?.close();
  });

  it('leads through the kube-system/kube-controller-manager Lease', async () => {
    const lease = await admin.get<KubeObject & { spec?: { holderIdentity?: string } }>(resourceFor('Lease'), 'kube-system', 'kube-controller-manager');
    expect(lease.spec?.holderIdentity).to.equal(app.identity);
    expect(app.controllers).to.deep.equal(['replicaset']);
  });

  it('scales 0 -> 5 -> 2, deleting the least valuable pods, with the events Kubernetes records', async () => {
    const ns = 'rs-scale';
    await createNamespace(admin, ns);
    await admin.create(replicaSetsResource, ns, replicaSet(ns, 0));
    await statusIs(ns, { replicas: 0 });
    expect(await podsOf(ns)).to.have.length(0);

    await scale(ns, 5);
    const rs = await statusIs(ns, { replicas: 5, fullyLabeledReplicas: 5, readyReplicas: 5, availableReplicas: 5 });
    const pods = await podsOf(ns);
    expect(pods).to.have.length(5);
    for (const p of pods) {
      expect(p.metadata.generateName).to.equal('web-');
      expect(p.metadata.name).to.match(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).to.deep.equal([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const created = await eventually('5 SuccessfulCreate events', async () => {
      const e = await events(ns, 'SuccessfulCreate');
      return e.count === 5 ? e : undefined;
    });
    expect(created.messages.every((m) => /^Created pod: web-[a-z0-9]{5}$/.test(m))).to.equal(true);

    // The one pod that is not ready goes first.
    const sick = pods[2]!.metadata.name;
    kubelet.ready = (p) => p.metadata.name !== sick;
    await statusIs(ns, { replicas: 5, readyReplicas: 4 });
    await scale(ns, 2);
    await statusIs(ns, { replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    const left = await eventually('2 pods left', async () => {
      const p = await podsOf(ns);
      return p.length === 2 ? p : undefined;
    });
    expect(left.map((p) => p.metadata.name)).to.not.include(sick);
    const deleted = await eventually('3 SuccessfulDelete events', async () => {
      const e = await events(ns, 'SuccessfulDelete');
      return e.count === 3 ? e : undefined;
    });
    expect(deleted.messages).to.include(`Deleted pod: ${sick}`);
    kubelet.ready = () => true;
  });

  it('adopts a matching orphan instead of creating a pod', async () => {
    const ns = 'rs-adopt';
    await createNamespace(admin, ns);
    await admin.create(podsResource, ns, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } });
    const rs = await admin.create<ReplicaSet>(replicaSetsResource, ns, replicaSet(ns, 1));
    const orphan = await eventually('the orphan adopted', async () => {
      const p = await admin.get<Pod>(podsResource, ns, 'orphan');
      return p.metadata.ownerReferences?.some((r) => r.controller && r.uid === rs.metadata.uid) ? p : undefined;
    });
    expect(orphan.metadata.ownerReferences).to.have.length(1);
    await statusIs(ns, { replicas: 1, readyReplicas: 1 });
    // Give a wrong controller time to create a second pod; none may appear.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await podsOf(ns)).map((p) => p.metadata.name)).to.deep.equal(['orphan']);
    expect((await events(ns, 'SuccessfulCreate')).count).to.equal(0);
  });

  it('releases a pod relabelled out of the selector and replaces it', async () => {
    const ns = 'rs-release';
    await createNamespace(admin, ns);
    const rs = await admin.create<ReplicaSet>(replicaSetsResource, ns, replicaSet(ns, 2));
    await statusIs(ns, { replicas: 2, readyReplicas: 2 });
    const [moved] = await podsOf(ns, rs);
    await admin.patch(podsResource, ns, moved!.metadata.name ?? '', 'merge', { metadata: { labels: { app: 'debug' } } });
    const released = await eventually('the relabelled pod released', async () => {
      const p = await admin.get<Pod>(podsResource, ns, moved!.metadata.name ?? '');
      return (p.metadata.ownerReferences ?? []).length === 0 ? p : undefined;
    });
    expect(released.metadata.labels).to.deep.equal({ app: 'debug' });
    // The status said 2 before the release too: wait for the replacement itself.
    const owned = await eventually('a replacement', async () => {
      const p = await podsOf(ns, rs);
      return p.length === 2 ? p : undefined;
    });
    expect(owned.map((p) => p.metadata.name)).to.not.include(moved!.metadata.name);
    await statusIs(ns, { replicas: 2, readyReplicas: 2 });
    expect(await podsOf(ns)).to.have.length(3);
  });

  it('replaces pods that someone else deletes', async () => {
    const ns = 'rs-replace';
    await createNamespace(admin, ns);
    const rs = await admin.create<ReplicaSet>(replicaSetsResource, ns, replicaSet(ns, 3));
    await statusIs(ns, { replicas: 3, readyReplicas: 3 });
    const before = (await podsOf(ns, rs)).map((p) => p.metadata.name ?? '');
    for (const name of before.slice(0, 2)) await admin.delete(podsResource, ns, name);
    const after = await eventually('3 pods again, two of them new', async () => {
      const names = (await podsOf(ns, rs)).map((p) => p.metadata.name ?? '');
      return names.length === 3 && names.filter((n) => !before.includes(n)).length === 2 ? names : undefined;
    });
    expect(after).to.include(before[2]);
    await statusIs(ns, { replicas: 3, readyReplicas: 3 });
  });

  it('a template the API refuses: ReplicaFailure, one create at a time, and recovery once it is fixed', async () => {
    const ns = 'rs-broken';
    await createNamespace(admin, ns);
    await admin.create(replicaSetsResource, ns, replicaSet(ns, 10, { podSpec: { priorityClassName: 'rs-broken-missing' } }));
    const failed = await eventually(
      'the ReplicaFailure condition',
      async () => {
        const rs = await getRs(ns);
        return rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
      },
      30_000,
    );
    expect(failed).to.include({ status: 'True', reason: 'FailedCreate' });
    expect(failed.message).to.match(/no PriorityClass with name rs-broken-missing was found/);
    const warn = await eventually('a FailedCreate event', async () => {
      const e = await events(ns, 'FailedCreate');
      return e.count > 0 ? e : undefined;
    });
    expect(warn.type.every((t) => t === 'Warning')).to.equal(true);
    expect(warn.messages[0]).to.match(/^Error creating: .*no PriorityClass with name rs-broken-missing/);
    expect(await podsOf(ns)).to.have.length(0);
    // Slow start: every attempt is a first batch of one that fails, never ten at once.
    expect(counter.attempts.get(ns)).to.be.greaterThan(0);
    expect(counter.maxInFlight.get(ns)).to.equal(1);

    await admin.create(resourceFor('PriorityClass'), undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'rs-broken-missing' }, value: 10 });
    await statusIs(ns, { replicas: 10, readyReplicas: 10 }, 60_000);
    const rs = await getRs(ns);
    expect(rs.status?.conditions ?? []).to.deep.equal([]);
    // Batches of 1, 2, 4, then the remaining 3 once creations succeed.
    expect(counter.maxInFlight.get(ns)).to.equal(4);
  });

  it('kubectl scale rs works', async () => {
    const ns = 'rs-kubectl';
    await createNamespace(admin, ns);
    await admin.create(replicaSetsResource, ns, replicaSet(ns, 1));
    await statusIs(ns, { replicas: 1, readyReplicas: 1 });
    const env = { ...process.env, KUBECONFIG: harness.cluster.kubeconfig };
    const out = await run('kubectl', ['scale', 'rs', 'web', '--replicas=3', '-n', ns], { env });
    expect(out.stdout.trim()).to.equal('replicaset.apps/web scaled');
    await statusIs(ns, { replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    const got = await run('kubectl', ['get', 'rs', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas} {.status.replicas} {.status.readyReplicas}'], { env });
    expect(got.stdout).to.equal('3 3 3');
    expect(await podsOf(ns)).to.have.length(3);
  });

  it('readyReplicas and availableReplicas follow readiness and minReadySeconds', async () => {
    const ns = 'rs-ready';
    await createNamespace(admin, ns);
    kubelet.ready = (p) => p.metadata.namespace !== ns;
    await admin.create(replicaSetsResource, ns, replicaSet(ns, 2, { minReadySeconds: 3 }));
    await statusIs(ns, { replicas: 2, readyReplicas: 0, availableReplicas: 0 });

    kubelet.ready = () => true;
    const readyAt = Date.now();
    await statusIs(ns, { replicas: 2, readyReplicas: 2, availableReplicas: 0 }, 10_000);
    // No pod event marks the end of minReadySeconds: the controller looks again by itself.
    await statusIs(ns, { replicas: 2, readyReplicas: 2, availableReplicas: 2 }, 15_000);
    expect(Date.now() - readyAt).to.be.greaterThan(2_000);

    const [one] = await podsOf(ns);
    kubelet.ready = (p) => p.metadata.name !== one!.metadata.name;
    await statusIs(ns, { replicas: 2, readyReplicas: 1, availableReplicas: 1 });
    kubelet.ready = () => true;
  });

  // Last: it stops the in-process manager.
  it('the controller-manager process: standby while another leads, takes over when it stops, exits cleanly on SIGTERM', async () => {
    const ns = 'rs-process';
    await createNamespace(admin, ns);
    const port = await freePort();
    const { child, log } = spawnControllerManager(harness.cluster, 'process-1', ['--metrics-port', String(port), '--lease-duration-seconds', '4', '--renew-deadline-seconds', '3', '--retry-period-seconds', '1']);
    try {
      await eventually('the process serves /healthz', async () => ((await httpGet(`http://127.0.0.1:${port}/healthz`)).status === 200 ? true : undefined), 30_000);
      await admin.create(replicaSetsResource, ns, replicaSet(ns, 1));
      await statusIs(ns, { replicas: 1 });
      const lease = await admin.get<KubeObject & { spec?: { holderIdentity?: string } }>(resourceFor('Lease'), 'kube-system', 'kube-controller-manager');
      expect(lease.spec?.holderIdentity).to.equal(app.identity);

      await app.stop();
      await eventually(
        'the process holds the Lease',
        async () => {
          const l = await admin.get<KubeObject & { spec?: { holderIdentity?: string } }>(resourceFor('Lease'), 'kube-system', 'kube-controller-manager');
          return l.spec?.holderIdentity === 'process-1' ? true : undefined;
        },
        30_000,
      );
      await scale(ns, 3);
      await statusIs(ns, { replicas: 3, readyReplicas: 3 }, 30_000);
      const metrics = await httpGet(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.text).to.match(/workqueue_adds_total\{[^}]*name="replicaset"/);
      expect((await httpGet(`http://127.0.0.1:${port}/readyz`)).status).to.equal(200);

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
      expect(code, logTail(log)).to.equal(0);
    } finally {
      await stopChild(child, 5_000);
    }
  });

  it('kill -9 of the controller-manager process mid scale-up: the next one finishes it without extra pods', async () => {
    const ns = 'rs-kill';
    await createNamespace(admin, ns);
    const added = new Set<string>();
    const w = harness.cluster.client.watch(`/api/v1/namespaces/${ns}/pods`, {}, (ev) => {
      if (ev.type === 'ADDED') added.add(String((ev.object.metadata as { name?: string }).name));
    });
    // A low QPS keeps the scale-up going long enough to be interrupted.
    const start = (identity: string): ChildProcess =>
      spawnControllerManager(harness.cluster, identity, ['--metrics-port', '-1', '--kube-api-qps', '40', '--kube-api-burst', '1', '--lease-duration-seconds', '3', '--renew-deadline-seconds', '2', '--retry-period-seconds', '1']).child;
    const first = start('doomed');
    let second: ChildProcess | undefined;
    try {
      await admin.create(replicaSetsResource, ns, replicaSet(ns, 150));
      await eventually('the first manager half-way', async () => ((await podsOf(ns)).length >= 20 ? true : undefined), 30_000);
      first.kill('SIGKILL');
      const atKill = (await podsOf(ns)).length;
      expect(atKill).to.be.lessThan(150);
      second = start('successor');
      await statusIs(ns, { replicas: 150, readyReplicas: 150 }, 90_000);
      expect(await podsOf(ns)).to.have.length(150);
      // Every pod ever created in the namespace is still there: nothing extra was made and removed.
      expect(added.size).to.equal(150);
    } finally {
      w.stop();
      await stopChild(first, 1_000);
      if (second) await stopChild(second, 5_000);
    }
  });
});
