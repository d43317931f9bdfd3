import { expect } from 'chai';
import { FakeClock } from '../clock.js';
import { combinedPrefix, EventCorrelator, type Correlation, type EventIdentity } from './correlator.js';

const pod = (name: string): EventIdentity['involvedObject'] => ({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name, uid: `uid-${name}` });
const ev = (over: Partial<EventIdentity> = {}): EventIdentity => ({ involvedObject: pod('a'), source: { component: 'test' }, type: 'Normal', reason: 'Pulled', message: 'pulled image', ...over });

/** One step: advance the clock, then correlate; `expect` is the action and, for counts, the count. */
interface Step {
  advanceMs?: number;
  event: EventIdentity;
  expect: 'create' | 'drop' | number;
  /** The Event this step must land on: the index of an earlier step. */
  sameAs?: number;
  message?: string;
}

describe('EventCorrelator', () => {
  const cases: { name: string; opts?: Record<string, number>; steps: Step[] }[] = [
    {
      name: 'a repeat counts on the first Event',
      steps: [{ event: ev(), expect: 'create' }, { event: ev(), expect: 2, sameAs: 0 }, { advanceMs: 30_000, event: ev(), expect: 3, sameAs: 0 }],
    },
    {
      name: 'a different message, type, object or field is another Event',
      steps: [
        { event: ev(), expect: 'create' },
        { event: ev({ message: 'other' }), expect: 'create' },
        { event: ev({ type: 'Warning' }), expect: 'create' },
        { event: ev({ involvedObject: pod('b') }), expect: 'create' },
        { event: ev({ involvedObject: { ...pod('a'), fieldPath: 'spec.containers{c}' } }), expect: 'create' },
        { event: ev({ source: { component: 'test', host: 'n2' } }), expect: 'create' },
      ],
    },
    {
      name: 'a series not seen for the window starts a new Event',
      steps: [{ event: ev(), expect: 'create' }, { advanceMs: 3_600_001, event: ev(), expect: 'create' }, { event: ev(), expect: 2, sameAs: 1 }],
    },
    {
      name: 'the tenth distinct message with one reason is combined, and later ones count on it',
      opts: { maxSimilarEvents: 3 },
      steps: [
        { event: ev({ message: 'm1' }), expect: 'create' },
        { event: ev({ message: 'm2' }), expect: 'create' },
        { event: ev({ message: 'm3' }), expect: 'create', message: `${combinedPrefix}m3` },
        { event: ev({ message: 'm4' }), expect: 2, sameAs: 2, message: `${combinedPrefix}m4` },
        { event: ev({ message: 'm1' }), expect: 3, sameAs: 2, message: `${combinedPrefix}m1` },
      ],
    },
    {
      name: 'the similarity window runs from the last similar event',
      opts: { maxSimilarEvents: 3 },
      steps: [
        { event: ev({ message: 'm1' }), expect: 'create' },
        { advanceMs: 500_000, event: ev({ message: 'm2' }), expect: 'create' },
        { advanceMs: 500_000, event: ev({ message: 'm3' }), expect: 'create', message: `${combinedPrefix}m3` },
      ],
    },
    {
      name: 'similar messages outside the window are not combined',
      opts: { maxSimilarEvents: 2 },
      steps: [{ event: ev({ message: 'm1' }), expect: 'create' }, { advanceMs: 600_001, event: ev({ message: 'm2' }), expect: 'create', message: 'm2' }],
    },
    {
      name: 'the spam filter drops an object past its burst, refills slowly, and spares other objects',
      opts: { spamBurst: 2 },
      steps: [
        { event: ev(), expect: 'create' },
        { event: ev(), expect: 2 },
        { event: ev(), expect: 'drop' },
        { event: ev({ involvedObject: pod('b') }), expect: 'create' },
        { advanceMs: 299_000, event: ev(), expect: 'drop' },
        { advanceMs: 1_000, event: ev(), expect: 3, sameAs: 0 },
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const clock = new FakeClock();
      const c = new EventCorrelator({ clock, ...tc.opts });
      let seq = 0;
      const got: Correlation[] = [];
      tc.steps.forEach((s, i) => {
        if (s.advanceMs) clock.advance(s.advanceMs);
        const r = c.correlate(s.event, () => `e${seq++}`);
        got.push(r);
        const what = r.action === 'count' ? r.count : r.action;
        expect(what, `step ${i}`).to.equal(s.expect);
        if (s.sameAs !== undefined && r.action !== 'drop') expect(r.name, `step ${i}`).to.equal((got[s.sameAs] as { name: string }).name);
        if (s.message !== undefined && r.action !== 'drop') expect(r.message, `step ${i}`).to.equal(s.message);
      });
    });
  }
});
