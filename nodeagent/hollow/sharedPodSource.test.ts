import { expect } from 'chai';
import { IndexedStore, objectKey, type InformerEventHandler } from '../../common/client/informer.js';
import type { Pod } from '../agent/podTypes.js';
import { podIndexers, SharedPodSource, type PodInformerLike } from './sharedPodSource.js';

/** An informer fed by hand: the test plays the watch stream. */
class FakeInformer implements PodInformerLike {
  readonly store = new IndexedStore<Pod>(podIndexers);
  private readonly handlers = new Set<InformerEventHandler<Pod>>();
  private synced = false;

  addEventHandler(h: InformerEventHandler<Pod>): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }
  waitForSync(): Promise<void> {
    return Promise.resolve();
  }
  hasSynced(): boolean {
    return this.synced;
  }
  sync(): void {
    this.synced = true;
  }
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', p: Pod): void {
    const key = objectKey(p);
    if (type === 'DELETED') {
      if (this.store.remove(key)) for (const h of this.handlers) h.onDelete?.(p);
      return;
    }
    const old = this.store.set(key, p);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, p);
      else h.onAdd?.(p, !this.synced);
    }
  }
}

function pod(name: string, uid: string, nodeName?: string, extra: Partial<Pod['metadata']> = {}): Pod {
  return { metadata: { name, namespace: 'default', uid, ...extra }, spec: { containers: [{ name: 'c' }], ...(nodeName ? { nodeName } : {}) } };
}

type Step = [type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod];

interface Case {
  name: string;
  steps: Step[];
  /** uids each node's subscriber heard, in order. */
  heard: Record<string, string[]>;
  /** What each node's view holds afterwards. */
  holds: Record<string, string[]>;
}

const cases: Case[] = [
  {
    name: 'a pod bound at creation is heard by its node only',
    steps: [['ADDED', pod('a', 'u1', 'n1')]],
    heard: { n1: ['u1'], n2: [] },
    holds: { n1: ['u1'], n2: [] },
  },
  {
    name: 'a pending pod is heard by no node until it is bound',
    steps: [
      ['ADDED', pod('a', 'u1')],
      ['MODIFIED', pod('a', 'u1', 'n2')],
      ['MODIFIED', pod('a', 'u1', 'n2', { deletionTimestamp: '2026-01-01T00:00:00Z' })],
    ],
    heard: { n1: [], n2: ['u1', 'u1'] },
    holds: { n1: [], n2: ['u1'] },
  },
  {
    name: 'a deleted pod is heard by its node and leaves its view',
    steps: [
      ['ADDED', pod('a', 'u1', 'n1')],
      ['ADDED', pod('b', 'u2', 'n1')],
      ['DELETED', pod('a', 'u1', 'n1')],
    ],
    heard: { n1: ['u1', 'u2', 'u1'], n2: [] },
    holds: { n1: ['u2'], n2: [] },
  },
  {
    name: 'a pod that moves off a node is heard by both nodes',
    steps: [
      ['ADDED', pod('a', 'u1', 'n1')],
      ['MODIFIED', pod('a', 'u1', 'n2')],
    ],
    heard: { n1: ['u1', 'u1'], n2: ['u1'] },
    holds: { n1: [], n2: ['u1'] },
  },
  {
    name: 'a pod replaced under the same name is heard with both uids',
    steps: [
      ['ADDED', pod('a', 'u1', 'n1')],
      ['MODIFIED', pod('a', 'u2', 'n1')],
    ],
    heard: { n1: ['u1', 'u2', 'u1'], n2: [] },
    holds: { n1: ['u2'], n2: [] },
  },
  {
    name: 'pods of nodes without a view are ignored',
    steps: [['ADDED', pod('a', 'u1', 'elsewhere')], ['DELETED', pod('a', 'u1', 'elsewhere')]],
    heard: { n1: [], n2: [] },
    holds: { n1: [], n2: [] },
  },
];

describe('SharedPodSource', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const informer = new FakeInformer();
      const shared = new SharedPodSource(informer);
      const heard: Record<string, string[]> = {};
      for (const n of Object.keys(tc.heard)) {
        heard[n] = [];
        shared.forNode(n).subscribe((uid) => heard[n]!.push(uid));
      }
      for (const [type, p] of tc.steps) informer.apply(type, p);
      expect(heard).to.deep.equal(tc.heard);
      for (const [n, uids] of Object.entries(tc.holds)) expect(shared.forNode(n).uids().sort(), n).to.deep.equal(uids);
    });
  }

  it('reads only its own node through byUid and byName', () => {
    const informer = new FakeInformer();
    const shared = new SharedPodSource(informer);
    informer.apply('ADDED', pod('a', 'u1', 'n1'));
    const n1 = shared.forNode('n1');
    const n2 = shared.forNode('n2');
    expect(n1.byUid('u1')?.metadata.name).to.equal('a');
    expect(n1.byName('default', 'a')?.metadata.uid).to.equal('u1');
    expect(n2.byUid('u1')).to.equal(undefined);
    expect(n2.byName('default', 'a')).to.equal(undefined);
    expect(n1.byUid('nope')).to.equal(undefined);
  });

  it('tells a subscriber that arrives after the first list about the pods already there', () => {
    const informer = new FakeInformer();
    const shared = new SharedPodSource(informer);
    informer.apply('ADDED', pod('a', 'u1', 'n1'));
    informer.apply('ADDED', pod('b', 'u2', 'n2'));
    informer.sync();
    const heard: string[] = [];
    shared.forNode('n1').subscribe((uid) => heard.push(uid));
    expect(heard).to.deep.equal(['u1']);
    expect(shared.forNode('n1').hasSynced()).to.equal(true);
  });

  it('stops telling a released node and detaches on close', () => {
    const informer = new FakeInformer();
    const shared = new SharedPodSource(informer);
    const heard: string[] = [];
    shared.forNode('n1').subscribe((uid) => heard.push(uid));
    shared.release('n1');
    informer.apply('ADDED', pod('a', 'u1', 'n1'));
    const again: string[] = [];
    shared.forNode('n2').subscribe((uid) => again.push(uid));
    shared.close();
    informer.apply('ADDED', pod('b', 'u2', 'n2'));
    expect(heard).to.deep.equal([]);
    expect(again).to.deep.equal([]);
  });

  it('dispatches by index: 5,000 nodes, 20,000 events, each node hears only its own', () => {
    const informer = new FakeInformer();
    const shared = new SharedPodSource(informer);
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) shared.forNode(`n${i}`).subscribe(() => counts.set(`n${i}`, (counts.get(`n${i}`) ?? 0) + 1));
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) informer.apply('ADDED', pod(`p${i}`, `u${i}`, `n${i % 5000}`));
    for (let i = 0; i < 10_000; i++) informer.apply('DELETED', pod(`p${i}`, `u${i}`, `n${i % 5000}`));
    const ms = performance.now() - t0;
    expect([...counts.values()].every((n) => n === 4)).to.equal(true);
    expect(counts.size).to.equal(5000);
    // A scan of every node per event would be 10^8 steps; by index it is a few ms.
    expect(ms).to.be.below(2000);
  });
});
