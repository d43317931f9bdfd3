// The node lifecycle reconciler on a FakeClock with in-memory caches: when a silent node turns
// Unknown and tainted, when its pods are evicted, how taints are rate-limited per zone, and
// that a cluster-wide silence taints and evicts nothing. Writes go to an in-memory Api that
// also updates the caches (as if the watch delivered them at once).

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { Api, ObjectList } from '../../common/client/api.js';
import { objectKey } from '../../common/client/informer.js';
import { microTime } from '../../common/client/leaderElection.js';
import { FakeClock, rfc3339 } from '../../common/clock.js';
import type { EventRecorder, ObjectKey } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/logging.js';
import { NodeLifecycleController } from './controller.js';
import { nodeLifecycleDefaults } from './options.js';
import { readyCondition } from './taints.js';
import { World } from './testing.js';
import type { Lease, Node, Pod } from './types.js';

class WorldApi implements Api {
  readonly deleted: string[] = [];
  readonly statusWrites: string[] = [];
  /** Status patches: `pods/ns/name <reason>` for each DisruptionTarget set. */
  readonly disrupted: string[] = [];
  constructor(private readonly world: World) {}
  async get<T extends KubeObject = KubeObject>(r: ResourceDescriptor, ns: string | undefined, name: string): Promise<T> {
    const o = this.world.get<T>(r.plural, ns ? `${ns}/${name}` : name);
    if (!o) throw new NotFoundError({ resource: r.plural, name });
    return o;
  }
  async list<T extends KubeObject = KubeObject>(): Promise<ObjectList<T>> {
    return { items: [], resourceVersion: '1' };
  }
  async create<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, _ns: string | undefined, obj: T): Promise<T> {
    return obj;
  }
  async update<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T): Promise<T> {
    this.world.put(r.plural, obj);
    return obj;
  }
  async updateStatus<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T): Promise<T> {
    this.statusWrites.push(`${r.plural}/${objectKey(obj)}`);
    this.world.put(r.plural, obj);
    return obj;
  }
  async updateSubresource<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T): Promise<T> {
    return this.updateStatus(r, obj);
  }
  async patch<T extends KubeObject = KubeObject>(r: ResourceDescriptor, ns: string | undefined, name: string, _type: string, body: unknown): Promise<T> {
    const conditions = (body as { status?: { conditions?: Array<{ type: string; reason?: string }> } }).status?.conditions ?? [];
    for (const c of conditions) this.disrupted.push(`${r.plural}/${ns}/${name} ${c.type} ${c.reason ?? ''}`);
    return this.world.get<T>(r.plural, ns ? `${ns}/${name}` : name)!;
  }
  async delete(r: ResourceDescriptor, ns: string | undefined, name: string): Promise<KubeObject | undefined> {
    const key = ns ? `${ns}/${name}` : name;
    const o = this.world.get<KubeObject>(r.plural, key);
    if (!o) throw new NotFoundError({ resource: r.plural, name });
    this.deleted.push(key);
    this.world.put(r.plural, { ...o, metadata: { ...o.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
    return o;
  }
  async createSubresource(): Promise<void> {}
}

const events: EventRecorder = { event: () => undefined };

interface Setup {
  clock: FakeClock;
  world: World;
  api: WorldApi;
  c: NodeLifecycleController;
  alive: Set<string>;
  /** Renews the Leases of the live nodes (now), then reconciles every node once; returns the requeue delays. */
  tick(): Promise<Map<string, number | undefined>>;
  node(name: string): Node;
}

function setUp(nodeNames: string[], pods: { name: string; node: string; tolerationSeconds?: number }[], options = {}): Setup {
  const clock = new FakeClock();
  const world = new World();
  const api = new WorldApi(world);
  const c = new NodeLifecycleController({ api, events, logger: silentLogger(), clock, options: { ...nodeLifecycleDefaults, ...options } });
  const enqueued: ObjectKey[] = [];
  c.registration().watch(world, (k) => enqueued.push(k), (k) => enqueued.push(k));
  const t = rfc3339(clock.now());
  for (const name of nodeNames) {
    world.put('nodes', { metadata: { name }, spec: {}, status: { conditions: ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: t, lastTransitionTime: t })) } } as Node);
  }
  for (const p of pods) {
    const tolerations = p.tolerationSeconds === undefined ? [] : [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: p.tolerationSeconds }];
    const pod: Pod = { metadata: { name: p.name, namespace: 'ns', uid: `uid-${p.name}` }, spec: { nodeName: p.node, tolerations }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
    // Through the handlers: they keep the node -> pods index.
    world.add('pods', pod);
  }
  const alive = new Set(nodeNames);
  const setup: Setup = {
    clock,
    world,
    api,
    c,
    alive,
    node: (name) => world.get<Node>('nodes', name)!,
    tick: async () => {
      for (const name of alive) world.put('leases', { metadata: { name, namespace: 'kube-node-lease' }, spec: { renewTime: microTime(clock.now()) } } as Lease);
      const out = new Map<string, number | undefined>();
      for (const name of nodeNames) out.set(name, (await c.reconcile({ name }))?.requeueAfterMs);
      return out;
    },
  };
  return setup;
}

const ready = (n: Node): string | undefined => readyCondition(n.status?.conditions)?.status;
/** The node's NoExecute taint keys (the eviction decisions). */
const taintKeys = (n: Node): string[] => (n.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute').map((t) => t.key);
const noScheduleKeys = (n: Node): string[] => (n.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule').map((t) => t.key);

describe('NodeLifecycleController (FakeClock, in-memory caches)', () => {
  it('a silent node: Unknown after the grace, tainted, pods marked not ready, then evicted when the toleration runs out', async () => {
    const s = setUp(['n1', 'n2', 'n3'], [{ name: 'tolerant', node: 'n1', tolerationSeconds: 4 }, { name: 'intolerant', node: 'n1' }, { name: 'elsewhere', node: 'n2' }]);
    await s.tick();
    s.alive.delete('n1');
    s.clock.advance(8_000);
    await s.tick();
    expect(ready(s.node('n1')), 'at the grace exactly').to.equal('True');
    s.clock.advance(1);
    await s.tick();
    expect(ready(s.node('n1'))).to.equal('Unknown');
    expect(taintKeys(s.node('n1'))).to.deep.equal(['node.kubernetes.io/unreachable']);
    expect(noScheduleKeys(s.node('n1'))).to.deep.equal(['node.kubernetes.io/unreachable']);
    expect(s.node('n1').spec?.taints?.map((t) => t.timeAdded)).to.deep.equal([rfc3339(s.clock.now()), rfc3339(s.clock.now())]);
    expect(ready(s.node('n2'))).to.equal('True');
    expect(s.api.statusWrites.filter((w) => w.startsWith('pods/')).sort(), 'pods of n1 marked not ready').to.deep.equal(['pods/ns/intolerant', 'pods/ns/tolerant']);
    expect(s.world.get<Pod>('pods', 'ns/tolerant')!.status?.conditions).to.deep.equal([{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(s.clock.now()) }]);

    expect((await s.c.reconcile({ namespace: 'ns', name: 'intolerant' }))?.requeueAfterMs).to.equal(undefined);
    expect(s.api.deleted).to.deep.equal(['ns/intolerant']);
    const wait = (await s.c.reconcile({ namespace: 'ns', name: 'tolerant' }))?.requeueAfterMs ?? 0;
    expect(wait).to.be.within(3_000, 4_000); // timeAdded has second precision
    s.clock.advance(wait);
    await s.tick();
    await s.c.reconcile({ namespace: 'ns', name: 'tolerant' });
    await s.c.reconcile({ namespace: 'ns', name: 'elsewhere' });
    expect(s.api.deleted).to.deep.equal(['ns/intolerant', 'ns/tolerant']);
    expect(s.api.disrupted, 'each marked DisruptionTarget before its delete').to.deep.equal(['pods/ns/intolerant DisruptionTarget DeletionByTaintManager', 'pods/ns/tolerant DisruptionTarget DeletionByTaintManager']);
  });

  it('a node that reports Ready again loses the taint', async () => {
    const s = setUp(['n1', 'n2', 'n3'], []);
    await s.tick();
    s.alive.delete('n1');
    s.clock.advance(9_000);
    await s.tick();
    expect(taintKeys(s.node('n1'))).to.deep.equal(['node.kubernetes.io/unreachable']);
    s.alive.add('n1');
    const n1 = s.node('n1');
    const t = rfc3339(s.clock.now());
    s.world.put('nodes', { ...n1, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: t, lastTransitionTime: t }] } });
    await s.tick();
    expect(s.node('n1').spec?.taints).to.deep.equal([]);
  });

  it('a node reporting Ready=False gets the not-ready taint even while its Lease is renewed', async () => {
    const s = setUp(['n1', 'n2'], []);
    const n1 = s.node('n1');
    s.world.put('nodes', { ...n1, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] } });
    await s.tick();
    expect(taintKeys(s.node('n1'))).to.deep.equal(['node.kubernetes.io/not-ready']);
  });

  const disruption: { name: string; nodes: number; silent: number; tainted: number }[] = [
    { name: '1 of 3 silent: tainted', nodes: 3, silent: 1, tainted: 1 },
    { name: '2 of 3 silent: both tainted (not more than 2 not ready)', nodes: 3, silent: 2, tainted: 2 },
    { name: '3 of 3 silent: full disruption, nothing tainted', nodes: 3, silent: 3, tainted: 0 },
    { name: '1 of 1 silent: full disruption, nothing tainted', nodes: 1, silent: 1, tainted: 0 },
    { name: '3 of 4 silent: partial disruption of a small zone, nothing tainted', nodes: 4, silent: 3, tainted: 0 },
    { name: '3 of 6 silent: below the 0.55 threshold, tainted', nodes: 6, silent: 3, tainted: 3 },
  ];
  for (const tc of disruption) {
    it(`disruption: ${tc.name}`, async () => {
      const names = Array.from({ length: tc.nodes }, (_, i) => `n${i}`);
      const s = setUp(names, [{ name: 'p', node: 'n0' }], { nodeEvictionRate: 100 });
      await s.tick();
      for (const n of names.slice(0, tc.silent)) s.alive.delete(n);
      for (let i = 0; i < 14; i++) {
        s.clock.advance(1_000);
        await s.tick();
      }
      expect(names.filter((n) => ready(s.node(n)) === 'Unknown')).to.have.length(tc.silent);
      expect(names.filter((n) => taintKeys(s.node(n)).length > 0)).to.have.length(tc.tainted);
      // The scheduler is kept off every silent node, disruption or not.
      expect(names.filter((n) => noScheduleKeys(s.node(n)).length > 0)).to.have.length(tc.silent);
      await s.c.reconcile({ namespace: 'ns', name: 'p' });
      expect(s.api.deleted).to.deep.equal(tc.tainted > 0 ? ['ns/p'] : []);
    });
  }

  it('taints are added at the zone rate: the second silent node waits for a token', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `n${i}`);
    const s = setUp(names, [], { nodeEvictionRate: 0.5 });
    await s.tick();
    s.alive.delete('n0');
    s.alive.delete('n1');
    s.clock.advance(8_001);
    const delays = await s.tick();
    expect(names.filter((n) => taintKeys(s.node(n)).length > 0)).to.deep.equal(['n0']);
    expect(delays.get('n1')).to.equal(2_000);
    s.clock.advance(1_000);
    await s.tick();
    expect(names.filter((n) => taintKeys(s.node(n)).length > 0)).to.deep.equal(['n0']);
    s.clock.advance(1_000);
    await s.tick();
    expect(names.filter((n) => taintKeys(s.node(n)).length > 0)).to.deep.equal(['n0', 'n1']);
  });

  it('nodes silent within one heartbeat of each other count together: the first is not evicted from', async () => {
    // n0 renewed 4 s before the others; all stop together. When n0 turns silent the others
    // have missed a renewal too, so the view is "everything is down".
    const s = setUp(['n0', 'n1', 'n2'], [{ name: 'p', node: 'n0', tolerationSeconds: 4 }]);
    await s.tick();
    s.alive.delete('n0');
    s.clock.advance(4_000);
    await s.tick();
    s.alive.clear();
    for (let i = 0; i < 30; i++) {
      s.clock.advance(500);
      await s.tick();
      await s.c.reconcile({ namespace: 'ns', name: 'p' });
    }
    expect(s.api.deleted).to.deep.equal([]);
    expect(['n0', 'n1', 'n2'].map((n) => taintKeys(s.node(n)).length)).to.deep.equal([0, 0, 0]);
  });
});
