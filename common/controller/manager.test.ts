// The Manager against a real etcd and API server (separate processes): controllers see what
// is created through the API from shared informers that synced before the workers started;
// resync re-enqueues unchanged objects; of two managers on one Lease only the leader runs
// reconcilers (a standby does not even list), and the other takes over when the leader stops
// or is deposed; a deposed leader's fenced writes are refused.

import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { KubeObject } from '../api/meta.js';
import { resourceFor } from '../api/resources.js';
import { ApiClient } from '../client/apiClient.js';
import { silentLogger } from '../logging.js';
import { eventually } from '../testing/eventually.js';
import { startProcessCluster, type ProcessCluster } from '../testing/cluster.js';
import { fencedApi, NotLeaderError } from './fencedApi.js';
import { enqueueObject } from './handlers.js';
import { Manager, type ManagerOptions } from './manager.js';
import { keyString, type ControllerRegistration } from './types.js';

const configMaps = resourceFor('ConfigMap');
const secrets = resourceFor('Secret');

interface Seen {
  key: string;
  /** Whether the object was in the informer's cache when reconcile ran. */
  cached: boolean;
}

/** A controller of ConfigMaps in `ns` that records what it reconciles. */
function recordingController(name: string, ns: string, seen: Seen[]): ControllerRegistration {
  let cache: ((k: string) => boolean) | undefined;
  return {
    name,
    workers: 2,
    reconciler: {
      async reconcile(key) {
        seen.push({ key: keyString(key), cached: cache?.(keyString(key)) ?? false });
      },
    },
    watch(source, enqueue) {
      const inf = source.informer(configMaps, { namespace: ns });
      cache = (k) => inf.store.has(k);
      inf.addEventHandler(enqueueObject(enqueue));
      // A second watch of another kind: the first one stays the primary (resync).
      source.informer(secrets, { namespace: ns }).addEventHandler({});
    },
  };
}

describe('controller Manager (etcd + API server processes)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  const managers: Manager[] = [];
  let nsCount = 0;

  before(async () => {
    c = await startProcessCluster();
  });
  after(async () => {
    await c?.close();
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
  });

  const newNamespace = async (): Promise<string> => {
    const ns = `mgr-${++nsCount}`;
    const r = await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    expect(r.status, r.text).to.equal(201);
    return ns;
  };
  const createConfigMap = async (ns: string, name: string): Promise<void> => {
    const r = await c.client.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } } });
    expect(r.status, r.text).to.equal(201);
  };
  const manager = (opts: Partial<ManagerOptions> = {}): Manager => {
    const m = new Manager({ client: c.client, logger: silentLogger(), ...opts });
    managers.push(m);
    return m;
  };
  const keysOf = (seen: Seen[]): string[] => [...new Set(seen.map((s) => s.key))].sort();

  it('reconciles objects listed before start and created after, from caches synced first, over one shared informer', async () => {
    const ns = await newNamespace();
    await createConfigMap(ns, 'before');
    const seenA: Seen[] = [];
    const seenB: Seen[] = [];
    const registry = new Registry();
    const m = manager({ registry });
    m.add(recordingController('a', ns, seenA));
    m.add(recordingController('b', ns, seenB));
    const shared = m.informer(configMaps, { namespace: ns });
    expect(m.informer(configMaps, { namespace: ns }), 'same arguments, same informer').to.equal(shared);
    expect(m.informer(configMaps, { namespace: ns, labelSelector: 'x=y' })).to.not.equal(shared);
    m.start();
    await m.started();
    expect(m.hasSynced()).to.equal(true);
    await createConfigMap(ns, 'after');
    await eventually('both controllers reconciled both ConfigMaps', async () => (keysOf(seenA).length === 2 && keysOf(seenB).length === 2 ? true : undefined));
    expect(keysOf(seenA)).to.deep.equal([`${ns}/after`, `${ns}/before`]);
    expect(keysOf(seenB)).to.deep.equal([`${ns}/after`, `${ns}/before`]);
    expect(seenA.every((s) => s.cached), 'reconcile reads a synced cache').to.equal(true);
    expect(shared.stats.lists, 'one list for both controllers').to.equal(1);
    expect(await registry.metrics()).to.match(/workqueue_adds_total\{name="a"\} [1-9]/);
    expect(() => m.add(recordingController('late', ns, []))).to.throw(/before start/);
  });

  it('merges the indexes controllers ask for into one shared store, indexing what was listed before', async () => {
    const ns = await newNamespace();
    await createConfigMap(ns, 'listed');
    const byData = (o: KubeObject & { data?: Record<string, string> }): string[] => Object.keys(o.data ?? {});
    const byName = (o: KubeObject): string[] => [o.metadata.name ?? ''];
    const m = manager();
    const indexing = (name: string, indexers: Record<string, (o: KubeObject) => string[]>): ControllerRegistration => ({
      name,
      reconciler: { reconcile: async () => undefined },
      watch: (source) => void source.informer(configMaps, { namespace: ns, indexers }),
    });
    m.add(indexing('one', { byData }));
    m.add(indexing('two', { byData, byName }));
    // A third controller with its own function under a name taken: refused when it wires its watches.
    expect(() => m.add(indexing('three', { byName: (o) => [o.metadata.uid ?? ''] }))).to.throw(/index named "byName" exists with another function/);
    const shared = m.informer<KubeObject>(configMaps, { namespace: ns });
    m.start();
    await m.started();
    await createConfigMap(ns, 'watched');
    await eventually('the watched ConfigMap in the index', async () => (shared.store.byIndex('byName', 'watched').length === 1 ? true : undefined));
    expect(shared.store.byIndex('byData', 'a').map((o) => o.metadata.name).sort()).to.deep.equal(['listed', 'watched']);
    expect(shared.store.byIndex('byName', 'listed')).to.have.length(1);
    // Asked for after the start, on a running informer: indexed at once from the store.
    m.informer<KubeObject>(configMaps, { namespace: ns, indexers: { byUid: (o) => [o.metadata.uid ?? ''] } });
    const listed = shared.store.byIndex('byName', 'listed')[0]!;
    expect(shared.store.byIndex('byUid', listed.metadata.uid ?? '')).to.deep.equal([listed]);
  });

  it('resyncs: re-enqueues every object of the primary informer each period', async () => {
    const ns = await newNamespace();
    await createConfigMap(ns, 'one');
    const seen: Seen[] = [];
    const m = manager({ resyncPeriodMs: 200 });
    m.add(recordingController('r', ns, seen));
    m.start();
    await eventually('three reconciles of an unchanged object', async () => (seen.length >= 3 ? true : undefined));
    expect(keysOf(seen)).to.deep.equal([`${ns}/one`]);
  });

  it('with one Lease, only the leader runs reconcilers; the other takes over when the leader stops', async () => {
    const ns = await newNamespace();
    await createConfigMap(ns, 'x');
    const lease = { namespace: 'kube-system', name: `mgr-lease-${ns}`, leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 300 };
    const seen: Record<string, Seen[]> = { one: [], two: [] };
    const m1 = manager({ leaderElection: { ...lease, identity: 'one' } });
    const m2 = manager({ leaderElection: { ...lease, identity: 'two' } });
    m1.add(recordingController('c', ns, seen.one));
    m2.add(recordingController('c', ns, seen.two));
    m1.start();
    await m1.started();
    m2.start();
    await eventually('the leader reconciled', async () => (seen.one.length > 0 ? true : undefined));
    await createConfigMap(ns, 'y');
    await eventually('the leader reconciled the new object', async () => (keysOf(seen.one).includes(`${ns}/y`) ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000)); // several retry periods of the standby
    expect(seen.two, 'the standby reconciled nothing').to.deep.equal([]);
    expect(m2.informer(configMaps, { namespace: ns }).stats.lists, 'the standby does not list').to.equal(0);
    expect([m1.isLeader(), m2.isLeader()]).to.deep.equal([true, false]);

    await m1.stop();
    await m2.started();
    await eventually('the new leader reconciled everything', async () => (keysOf(seen.two).length === 2 ? true : undefined));
    expect(keysOf(seen.two)).to.deep.equal([`${ns}/x`, `${ns}/y`]);
    expect(m2.isLeader()).to.equal(true);
  });

  it('a deposed leader stops its controllers, refuses fenced writes and reports the loss', async () => {
    const ns = await newNamespace();
    const leaseName = `mgr-lease-${ns}`;
    const seen: Seen[] = [];
    let lost = false;
    const m = manager({ leaderElection: { namespace: 'kube-system', name: leaseName, identity: 'victim', leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 300 }, onLostLeadership: () => (lost = true) });
    m.add(recordingController('c', ns, seen));
    const api = fencedApi(new ApiClient({ client: c.client }), () => m.isLeader());
    m.start();
    await m.started();
    await api.create(configMaps, ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-leading' } } as KubeObject);
    await eventually('reconciled while leading', async () => (seen.length > 0 ? true : undefined));

    // Someone else takes the Lease (as after a partition): our next renewal is refused.
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${leaseName}`;
    const got = await c.client.get<KubeObject & { spec: Record<string, unknown> }>(path);
    const put = await c.client.request('PUT', path, { body: { ...got.body, spec: { ...got.body.spec, holderIdentity: 'intruder', leaseDurationSeconds: 600 } } });
    expect(put.status, put.text).to.equal(200);
    await eventually('the loss is reported', async () => (lost ? true : undefined), 15_000);
    expect(m.isLeader()).to.equal(false);
    const before = seen.length;
    await createConfigMap(ns, 'after-loss');
    const refused = await api.create(configMaps, ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fenced' } } as KubeObject).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(NotLeaderError);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.length, 'no reconciles after losing the lease').to.equal(before);
  });
});
