// The ReplicaSet reconciler against a cache that lags its own writes: real Informers fed by a
// scripted list/watch (the test decides when the controller's writes show up), an in-memory
// Api that records calls, and a fake clock for the expectations' TTL.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { Api, ObjectList } from '../../common/client/api.js';
import { resourcePath } from '../../common/client/apiClient.js';
import { Informer, type InformedObject } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import { FakeClock } from '../../common/clock.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import type { EventRecorder, InformerSource, ObjectKey } from '../../common/controller/types.js';
import { ForbiddenError, NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/logging.js';
import { ReplicaSetController } from './controller.js';
import { makeReplicaSet, rsPod } from './testing.js';
import { podsResource, replicaSetsResource, type Pod, type ReplicaSet } from './types.js';

/** A list/watch source for Informers: list once, then whatever the test pushes. */
class ScriptedWatch {
  private readonly items = new Map<string, InformedObject[]>();

  /** What the first list of `r` answers. */
  listed(r: ResourceDescriptor, objs: InformedObject[]): void {
    this.items.set(resourcePath(r, undefined), objs);
  }
  private readonly watchers = new Map<string, (ev: { type: string; object: Record<string, unknown> }) => void>();
  private rv = 1;

  client(): RestClient {
    const fake = {
      get: async (path: string) => ({ status: 200, text: '', headers: {}, body: { metadata: { resourceVersion: String(this.rv) }, items: this.items.get(path) ?? [] } }),
      watch: (path: string, _q: unknown, onEvent: (ev: { type: string; object: Record<string, unknown> }) => void) => {
        this.watchers.set(path, onEvent);
        let stop = (): void => undefined;
        const done = new Promise<number>((resolve) => (stop = () => resolve(200)));
        return { done, stop: () => stop() };
      },
    };
    return fake as unknown as RestClient;
  }
  /** Delivers a watch event (synchronously, as one chunk of a stream would). */
  push(r: ResourceDescriptor, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const o = structuredClone(obj);
    o.metadata.resourceVersion = String(++this.rv);
    const w = this.watchers.get(resourcePath(r, undefined));
    if (!w) throw new Error(`nobody watches ${r.plural}`);
    w({ type, object: o as unknown as Record<string, unknown> });
  }
}

/** The Api the controller writes through: pods it creates get names and uids; failures on demand. */
class RecordingApi implements Api {
  creates: Pod[] = [];
  deletes: string[] = [];
  statuses: ReplicaSet['status'][] = [];
  patches: { name: string; patch: unknown }[] = [];
  failCreate: (() => Error) | undefined;
  private seq = 0;
  constructor(private readonly sets: () => ReplicaSet[]) {}

  async get<T extends KubeObject = KubeObject>(r: ResourceDescriptor, ns: string | undefined, name: string): Promise<T> {
    const rs = this.sets().find((s) => s.metadata.namespace === ns && s.metadata.name === name);
    if (r !== replicaSetsResource || !rs) throw new NotFoundError({ resource: r.plural, name });
    return structuredClone(rs) as unknown as T;
  }
  async list<T extends KubeObject = KubeObject>(): Promise<ObjectList<T>> {
    return { items: [], resourceVersion: '1' };
  }
  async create<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, ns: string | undefined, obj: T): Promise<T> {
    if (this.failCreate) throw this.failCreate();
    const n = ++this.seq;
    const pod = structuredClone(obj) as unknown as Pod;
    pod.metadata = { ...pod.metadata, name: `${pod.metadata.generateName ?? ''}${n}`, namespace: ns, uid: `pod-uid-${n}` };
    this.creates.push(pod);
    return pod as unknown as T;
  }
  async update<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, obj: T): Promise<T> {
    return obj;
  }
  async updateStatus<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, obj: T): Promise<T> {
    this.statuses.push(structuredClone((obj as unknown as ReplicaSet).status));
    return obj;
  }
  async patch<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, _ns: string | undefined, name: string, _t: string, patch: unknown): Promise<T> {
    this.patches.push({ name, patch });
    return { metadata: { name } } as unknown as T;
  }
  async delete(_r: ResourceDescriptor, ns: string | undefined, name: string): Promise<KubeObject | undefined> {
    this.deletes.push(`${ns}/${name}`);
    return undefined;
  }
  async createSubresource(): Promise<void> {}
  async updateSubresource<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, obj: T): Promise<T> {
    return obj;
  }
}

class RecordingEvents implements EventRecorder {
  readonly events: string[] = [];
  event(_obj: KubeObject, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
  }
}

describe('ReplicaSet reconciler with a lagging cache', () => {
  let watch: ScriptedWatch;
  let api: RecordingApi;
  let events: RecordingEvents;
  let clock: FakeClock;
  let controller: ReplicaSetController;
  let informers: Informer<InformedObject>[];
  let sets: ReplicaSet[];
  const key: ObjectKey = { namespace: 'default', name: 'web' };

  async function setUp(rs: ReplicaSet, pods: Pod[] = []): Promise<void> {
    watch = new ScriptedWatch();
    sets = [rs];
    api = new RecordingApi(() => sets);
    events = new RecordingEvents();
    clock = new FakeClock();
    controller = new ReplicaSetController({ api, events, logger: silentLogger(), clock, expectationsTTLms: 60_000 });
    informers = [];
    const client = watch.client();
    watch.listed(replicaSetsResource, [rs]);
    watch.listed(podsResource, pods);
    const source: InformerSource = {
      informer: <T extends InformedObject>(r: ResourceDescriptor) => {
        const inf = new Informer<InformedObject>({ client, path: resourcePath(r, undefined) });
        informers.push(inf);
        return inf as unknown as Informer<T>;
      },
    };
    controller.watch(source, () => undefined);
    for (const i of informers) i.start();
    await Promise.all(informers.map((i) => i.waitForSync()));
  }
  afterEach(async () => {
    await Promise.all(informers.map((i) => i.stop()));
  });

  it('does not create again until its creations are observed', async () => {
    await setUp(makeReplicaSet('web', { replicas: 3 }));
    await controller.reconcile(key);
    expect(api.creates).to.have.length(3);
    expect(events.events.filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-'))).to.have.length(3);

    // The cache has not seen the pods: a second sync must wait, not create three more.
    await controller.reconcile(key);
    expect(api.creates).to.have.length(3);

    for (const p of api.creates.slice(0, 2)) watch.push(podsResource, 'ADDED', p);
    await controller.reconcile(key);
    expect(api.creates).to.have.length(3);

    watch.push(podsResource, 'ADDED', api.creates[2]!);
    await controller.reconcile(key);
    expect(api.creates).to.have.length(3);
    expect(api.statuses.at(-1)).to.deep.include({ replicas: 3, observedGeneration: 1 });
  });

  it('acts again once expectations expire, in case an event was lost', async () => {
    await setUp(makeReplicaSet('web', { replicas: 2 }));
    await controller.reconcile(key);
    expect(api.creates).to.have.length(2);
    clock.advance(59_000);
    await controller.reconcile(key);
    expect(api.creates).to.have.length(2);
    clock.advance(2_000);
    await controller.reconcile(key);
    expect(api.creates).to.have.length(4);
  });

  it('does not delete again until its deletions are observed', async () => {
    const pods = ['a', 'b', 'c'].map((n) => {
      const p = rsPod(`web-${n}`, { node: `n-${n}`, ready: '2026-01-01T00:00:00Z' });
      p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true }];
      return p;
    });
    pods[1]!.status!.conditions = [{ type: 'Ready', status: 'False' }];
    await setUp(makeReplicaSet('web', { replicas: 1 }), pods);
    await controller.reconcile(key);
    expect(api.deletes).to.have.length(2);
    expect(api.deletes).to.include('default/web-b');
    await controller.reconcile(key);
    expect(api.deletes).to.have.length(2);
    for (const d of api.deletes) watch.push(podsResource, 'DELETED', pods.find((p) => `default/${p.metadata.name}` === d)!);
    await controller.reconcile(key);
    expect(api.deletes).to.have.length(2);
    expect(api.statuses.at(-1)).to.deep.include({ replicas: 1 });
  });

  it('a refused create: one attempt per sync, FailedCreate, ReplicaFailure, and a retry', async () => {
    await setUp(makeReplicaSet('web', { replicas: 5 }));
    api.failCreate = () => new ForbiddenError('pods "web-" is forbidden: exceeded quota: pods');
    let thrown: unknown;
    await controller.reconcile(key).catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(ForbiddenError);
    expect(events.events).to.deep.equal(['Warning FailedCreate Error creating: pods "web-" is forbidden: exceeded quota: pods']);
    expect(api.statuses.at(-1)?.conditions).to.deep.equal([
      { type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'FailedCreate', message: 'pods "web-" is forbidden: exceeded quota: pods' },
    ]);
    // Nothing is awaited from a failed or skipped creation: the retry tries again at once.
    api.failCreate = undefined;
    await controller.reconcile(key);
    expect(api.creates).to.have.length(5);
  });

  it('a deposed leader records no FailedCreate for the writes it may no longer make', async () => {
    await setUp(makeReplicaSet('web', { replicas: 2 }));
    api.failCreate = () => new NotLeaderError('create', podsResource);
    let thrown: unknown;
    await controller.reconcile(key).catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(NotLeaderError);
    expect(events.events).to.deep.equal([]);
  });

  it('adopts matching orphans and releases owned pods that stopped matching', async () => {
    const orphan = rsPod('stray', {});
    orphan.metadata.resourceVersion = '7';
    const moved = rsPod('web-moved', { labels: { app: 'debug' } });
    moved.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true }];
    moved.metadata.resourceVersion = '8';
    const foreign = rsPod('theirs', {});
    foreign.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: 'uid-other', controller: true }];
    await setUp(makeReplicaSet('web', { replicas: 1 }), [orphan, moved, foreign]);
    await controller.reconcile(key);
    expect(api.patches).to.deep.equal([
      { name: 'web-moved', patch: { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'uid-web' }], resourceVersion: '8' } } },
      {
        name: 'stray',
        patch: { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }], resourceVersion: '7' } },
      },
    ]);
    // The adopted orphan is the one replica: nothing created, nothing deleted.
    expect(api.creates).to.have.length(0);
    expect(api.deletes).to.have.length(0);
  });

  it('forgets a set that is gone', async () => {
    await setUp(makeReplicaSet('web', { replicas: 1 }));
    await controller.reconcile(key);
    expect(controller.expectations.pending('default/web')).to.deep.equal({ adds: 1, deletes: 0 });
    watch.push(replicaSetsResource, 'DELETED', sets[0]!);
    await controller.reconcile(key);
    expect(controller.expectations.pending('default/web')).to.equal(undefined);
  });
});
