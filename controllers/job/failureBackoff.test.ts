import { expect } from 'chai';
import { nextRecord, remainingBackoffMs } from './failureBackoff.js';
import { T0, makePod } from './fixtures.js';

const s = 1000;

describe('pod failure back-off', () => {
  it('doubles from 10 s per failure since the last success, up to 6 minutes, from the last failure', () => {
    const delays: number[] = [];
    let rec = nextRecord(undefined, [], [], T0);
    for (let i = 0; i < 8; i++) {
      rec = nextRecord(rec, [], [makePod({ phase: 'Failed', finishedAt: 0 })], T0);
      delays.push(remainingBackoffMs(rec, T0));
    }
    expect(delays.map((d) => d / s)).to.deep.equal([10, 20, 40, 80, 160, 320, 360, 360]);
  });

  it('counts from when the failed pod finished, not from when it was seen', () => {
    const rec = nextRecord(undefined, [], [makePod({ phase: 'Failed', finishedAt: 4 * s })], T0 + 60 * s);
    expect(remainingBackoffMs(rec, T0 + 5 * s)).to.equal(9 * s);
    expect(remainingBackoffMs(rec, T0 + 14 * s)).to.equal(0);
  });

  it('a success resets it; failures that finished after that success count again', () => {
    let rec = nextRecord(undefined, [], [makePod({ phase: 'Failed' }), makePod({ phase: 'Failed' })], T0);
    expect(rec.failuresAfterLastSuccess).to.equal(2);
    rec = nextRecord(rec, [makePod({ phase: 'Succeeded', finishedAt: 5 * s })], [makePod({ phase: 'Failed', finishedAt: 3 * s })], T0);
    expect(rec).to.deep.equal({ failuresAfterLastSuccess: 0 });
    rec = nextRecord(rec, [makePod({ phase: 'Succeeded', finishedAt: 5 * s })], [makePod({ phase: 'Failed', finishedAt: 7 * s })], T0);
    expect(rec).to.deep.equal({ failuresAfterLastSuccess: 1, lastFailureMs: T0 + 7 * s });
    expect(remainingBackoffMs(undefined, T0)).to.equal(0);
  });
});
