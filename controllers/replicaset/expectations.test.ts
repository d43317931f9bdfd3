import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { Expectations } from './expectations.js';

type Step = (e: Expectations, clock: FakeClock) => void;

describe('ReplicaSet expectations', () => {
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
