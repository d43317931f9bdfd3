// The fair dispatcher of one in-flight budget, step by step on a fake clock: who gets a
// seat, in which order, who waits and who is refused.

import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { FairQueue, type FairQueueOptions, type Refusal } from './fairQueue.js';

type Step =
  /** Request `id` of flow id's letters before the digits (a1 -> flow a). */
  | { req: string }
  /** The request ends (its seat released). */
  | { end: string }
  /** The client of a waiting request goes away. */
  | { leave: string }
  | { advanceMs: number };

interface Case {
  name: string;
  opts: Partial<FairQueueOptions>;
  steps: Step[];
  /** Ids in the order they got their seat. */
  granted: string[];
  refused?: Record<string, Refusal>;
  inflight: number;
  queued: number;
}

const flowOf = (id: string): string => id.replace(/\d+$/, '');

const cases: Case[] = [
  {
    name: 'free seats are taken at once, in order',
    opts: { seats: 3, maxSeatsPerFlow: 3 },
    steps: [{ req: 'a1' }, { req: 'b1' }, { req: 'a2' }],
    granted: ['a1', 'b1', 'a2'],
    inflight: 3,
    queued: 0,
  },
  {
    name: 'a flood from one user stops at its share; another user still gets a seat at once',
    opts: { seats: 4, maxSeatsPerFlow: 2 },
    steps: [{ req: 'a1' }, { req: 'a2' }, { req: 'a3' }, { req: 'a4' }, { req: 'b1' }],
    granted: ['a1', 'a2', 'b1'],
    inflight: 3,
    queued: 2,
  },
  {
    name: 'freed seats go round-robin: each waiting user gets one turn before the flooder gets another',
    opts: { seats: 2, maxSeatsPerFlow: 2 },
    steps: [{ req: 'a1' }, { req: 'a2' }, { req: 'a3' }, { req: 'a4' }, { req: 'a5' }, { req: 'b1' }, { req: 'c1' }, { end: 'a1' }, { end: 'a2' }, { end: 'a3' }, { end: 'b1' }],
    granted: ['a1', 'a2', 'a3', 'b1', 'c1', 'a4'],
    inflight: 2,
    queued: 1,
  },
  {
    name: 'a user at its share is passed over when a seat frees; the next user takes it',
    opts: { seats: 3, maxSeatsPerFlow: 2 },
    steps: [{ req: 'a1' }, { req: 'a2' }, { req: 'b1' }, { req: 'a3' }, { req: 'b2' }, { end: 'b1' }],
    granted: ['a1', 'a2', 'b1', 'b2'],
    inflight: 3,
    queued: 1,
  },
  {
    name: "a user's full queue is refused, others still queue",
    opts: { seats: 1, maxSeatsPerFlow: 1, queueLengthPerFlow: 2 },
    steps: [{ req: 'a1' }, { req: 'a2' }, { req: 'a3' }, { req: 'a4' }, { req: 'b1' }],
    granted: ['a1'],
    refused: { a4: 'queue full' },
    inflight: 1,
    queued: 3,
  },
  {
    name: 'the total of waiting requests is bounded across users',
    opts: { seats: 1, maxSeatsPerFlow: 1, queueLengthPerFlow: 5, maxQueued: 2 },
    steps: [{ req: 'a1' }, { req: 'b1' }, { req: 'c1' }, { req: 'd1' }],
    granted: ['a1'],
    refused: { d1: 'queue full' },
    inflight: 1,
    queued: 2,
  },
  {
    name: 'a request waiting longer than maxWaitMs is refused and never served later',
    opts: { seats: 1, maxSeatsPerFlow: 1, maxWaitMs: 1_000 },
    steps: [{ req: 'a1' }, { req: 'b1' }, { advanceMs: 600 }, { req: 'c1' }, { advanceMs: 500 }, { end: 'a1' }],
    granted: ['a1', 'c1'],
    refused: { b1: 'waited too long' },
    inflight: 1,
    queued: 0,
  },
  {
    name: 'a client gone while waiting leaves the queue; the seat goes to the next',
    opts: { seats: 1, maxSeatsPerFlow: 1 },
    steps: [{ req: 'a1' }, { req: 'b1' }, { req: 'c1' }, { leave: 'b1' }, { end: 'a1' }, { advanceMs: 60_000 }],
    granted: ['a1', 'c1'],
    inflight: 1,
    queued: 0,
  },
  {
    name: 'without queues a request finding no seat is refused at once',
    opts: { seats: 1, maxSeatsPerFlow: 1, queueLengthPerFlow: 0 },
    steps: [{ req: 'a1' }, { req: 'b1' }],
    granted: ['a1'],
    refused: { b1: 'queue full' },
    inflight: 1,
    queued: 0,
  },
  {
    name: 'no seats configured means no limit',
    opts: { seats: 0, maxSeatsPerFlow: 1, queueLengthPerFlow: 0 },
    steps: [{ req: 'a1' }, { req: 'a2' }, { req: 'a3' }],
    granted: ['a1', 'a2', 'a3'],
    inflight: 3,
    queued: 0,
  },
  {
    name: 'a seat released twice is freed once',
    opts: { seats: 1, maxSeatsPerFlow: 1 },
    steps: [{ req: 'a1' }, { req: 'b1' }, { req: 'c1' }, { end: 'a1' }, { end: 'a1' }],
    granted: ['a1', 'b1'],
    inflight: 1,
    queued: 1,
  },
];

describe('FairQueue', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const clock = new FakeClock();
      const q = new FairQueue({ seats: 2, maxSeatsPerFlow: 1, queueLengthPerFlow: 50, maxQueued: 100, maxWaitMs: 15_000, clock, ...tc.opts });
      const granted: string[] = [];
      const refused: Record<string, Refusal> = {};
      const releases = new Map<string, () => void>();
      const cancels = new Map<string, () => void>();
      for (const step of tc.steps) {
        if ('req' in step) {
          const id = step.req;
          cancels.set(id, q.request(flowOf(id), (release) => {
            granted.push(id);
            releases.set(id, release);
          }, (why) => (refused[id] = why)));
        } else if ('end' in step) {
          releases.get(step.end)!();
        } else if ('leave' in step) {
          cancels.get(step.leave)!();
        } else {
          clock.advance(step.advanceMs);
        }
      }
      expect(granted).to.deep.equal(tc.granted);
      expect(refused).to.deep.equal(tc.refused ?? {});
      expect(q.inflight()).to.equal(tc.inflight);
      expect(q.queued()).to.equal(tc.queued);
    });
  }

  it('refuses a per-user share outside 1..seats', () => {
    const clock = new FakeClock();
    expect(() => new FairQueue({ seats: 2, maxSeatsPerFlow: 3, queueLengthPerFlow: 1, maxQueued: 1, maxWaitMs: 1, clock })).to.throw(/maxSeatsPerFlow/);
    expect(() => new FairQueue({ seats: 2, maxSeatsPerFlow: 0, queueLengthPerFlow: 1, maxQueued: 1, maxWaitMs: 1, clock })).to.throw(/maxSeatsPerFlow/);
  });
});
