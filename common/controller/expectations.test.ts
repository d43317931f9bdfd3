import { expect } from 'chai';
import { FakeClock } from '../clock.js';
import type { KubeObject } from '../api/meta.js';
import { Expectations, observeChildren } from './expectations.js';
import { keyString, type ObjectKey } from './types.js';

type Step = (e: Expectations, clock: FakeClock) => void;

describe('controller expectations', () => {
  const cases: { name: string; steps: Step[]; satisfied: boolean }[] = [
    { name: 'nothing recorded is satisfied', steps: [], satisfied: true },
    { name: 'pending creations are not', steps: [(e) => e.expectCreations('ns/rs', 3), (e) => e.creationObserved('ns/rs'), (e) => e.creationObserved('ns/rs')], satisfied: false },
    { name: 'all creations observed', steps: [(e) => e.expectCreations('ns/rs', 2), (e) => e.creationObserved('ns/rs'), (e) => e.creationObserved('ns/rs')], satisfied: true },
    { name: 'failed creations lower the count', steps: [(e) => e.expectCreations('ns/rs', 4), (e) => e.creationObserved('ns/rs', 3), (e) => e.creationObserved('ns/rs')], satisfied: true },
    { name: 'extra observations do not go negative and then block', steps: [(e) => e.expectCreations('ns/rs', 1), (e) => e.creationObserved('ns/rs', 5)], satisfied: true },
    { name: 'pending deletions are not', steps: [(e) => e.expectDeletions('ns/rs', ['ns/a', 'ns/b']), (e) => e.deletionObserved('ns/rs', 'ns/a')], satisfied: false },
    { name: 'a deletion seen twice counts once', steps: [(e) => e.expectDeletions('ns/rs', ['ns/a', 'ns/b']), (e) => e.deletionObserved('ns/rs', 'ns/a'), (e) => e.deletionObserved('ns/rs', 'ns/a')], satisfied: false },
    { name: 'all deletions observed', steps: [(e) => e.expectDeletions('ns/rs', ['ns/a', 'ns/b']), (e) => e.deletionObserved('ns/rs', 'ns/b'), (e) => e.deletionObserved('ns/rs', 'ns/a')], satisfied: true },
    { name: 'another controller’s observations do not count', steps: [(e) => e.expectCreations('ns/rs', 1), (e) => e.creationObserved('ns/other')], satisfied: false },
    { name: 'expired after the TTL', steps: [(e) => e.expectCreations('ns/rs', 1), (_e, c) => c.advance(60_001)], satisfied: true },
    { name: 'not expired before the TTL', steps: [(e) => e.expectCreations('ns/rs', 1), (_e, c) => c.advance(59_999)], satisfied: false },
    { name: 'forget clears', steps: [(e) => e.expectCreations('ns/rs', 1), (e) => e.forget('ns/rs')], satisfied: true },
    { name: 'a new expectation replaces the old one', steps: [(e) => e.expectCreations('ns/rs', 1), (e) => e.expectDeletions('ns/rs', [])], satisfied: true },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const clock = new FakeClock();
      const e = new Expectations(clock, 60_000);
      for (const s of tc.steps) s(e, clock);
      expect(e.satisfied('ns/rs')).to.equal(tc.satisfied);
    });
  }
});

describe('observeChildren: child events settle the owner\'s expectations, then enqueue', () => {
  const child = (name: string, over: { rv?: string; deleting?: boolean; owner?: string } = {}): KubeObject => ({
    metadata: { name, namespace: 'ns', resourceVersion: over.rv ?? '1', ...(over.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}), labels: over.owner ? { owner: over.owner } : {} },
  });
  // The owner, for the test, is named by a label; a child without it is not this controller's.
  const owner = (c: KubeObject): ObjectKey | undefined => (c.metadata.labels?.owner ? { namespace: 'ns', name: c.metadata.labels.owner } : undefined);
  type Fire = (h: ReturnType<typeof observeChildren<KubeObject>>) => void;
  const cases: { name: string; expect: (e: Expectations) => void; fire: Fire; satisfied: boolean; calls: string[] }[] = [
    { name: 'a new child is a creation seen', expect: (e) => e.expectCreations('ns/rs', 1), fire: (h) => h.onAdd!(child('a', { owner: 'rs' }), false), satisfied: true, calls: ['ns/rs a'] },
    { name: 'a child added already terminating is a deletion seen, not a creation', expect: (e) => e.expectCreations('ns/rs', 1), fire: (h) => h.onAdd!(child('a', { owner: 'rs', deleting: true }), false), satisfied: false, calls: ['ns/rs a'] },
    { name: 'a child starting to terminate is a deletion seen', expect: (e) => e.expectDeletions('ns/rs', ['ns/a']), fire: (h) => h.onUpdate!(child('a', { owner: 'rs' }), child('a', { owner: 'rs', rv: '2', deleting: true })), satisfied: true, calls: ['ns/rs a'] },
    { name: 'a resync (same resourceVersion) is skipped', expect: (e) => e.expectDeletions('ns/rs', ['ns/a']), fire: (h) => h.onUpdate!(child('a', { owner: 'rs' }), child('a', { owner: 'rs', deleting: true })), satisfied: false, calls: [] },
    { name: 'an update of a running child settles nothing', expect: (e) => e.expectCreations('ns/rs', 1), fire: (h) => h.onUpdate!(child('a', { owner: 'rs' }), child('a', { owner: 'rs', rv: '2' })), satisfied: false, calls: ['ns/rs a'] },
    { name: 'a deleted child is a deletion seen, and says gone', expect: (e) => e.expectDeletions('ns/rs', ['ns/a']), fire: (h) => h.onDelete!(child('a', { owner: 'rs' })), satisfied: true, calls: ['ns/rs a gone'] },
    { name: 'a child of no owner settles nothing but is still handed on', expect: (e) => e.expectCreations('ns/rs', 1), fire: (h) => h.onAdd!(child('a'), false), satisfied: false, calls: ['- a'] },
    { name: 'another owner\'s child does not count', expect: (e) => e.expectCreations('ns/rs', 1), fire: (h) => h.onAdd!(child('a', { owner: 'other' }), false), satisfied: false, calls: ['ns/other a'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const e = new Expectations(new FakeClock(), 60_000);
      tc.expect(e);
      const calls: string[] = [];
      tc.fire(observeChildren<KubeObject>(e, owner, (c, o, gone) => calls.push(`${o ? keyString(o) : '-'} ${c.metadata.name}${gone ? ' gone' : ''}`)));
      expect(e.satisfied('ns/rs')).to.equal(tc.satisfied);
      expect(calls).to.deep.equal(tc.calls);
    });
  }
});
