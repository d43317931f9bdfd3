import { expect } from 'chai';
import { firstAckedSince, summarizeFailures, type AckedWrite, type WriteLog } from './ackedWrites.js';

const write = (name: string, sentAt: number, ackedAt: number): AckedWrite => ({ name, value: 'v', rv: 1, sentAt, ackedAt });
const logOf = (acked: AckedWrite[]): WriteLog => ({ acked, failures: [], counterAcked: 0, slowestMs: 0 });

describe('firstAckedSince: when writes went through again after a kill', () => {
  const cases: Array<{ name: string; acked: AckedWrite[]; since: number; want: string | undefined }> = [
    { name: 'nothing acknowledged', acked: [], since: 100, want: undefined },
    { name: 'only writes sent before the kill (acknowledged after it) do not count', acked: [write('a', 90, 150), write('b', 99, 300)], since: 100, want: undefined },
    { name: 'a write sent at the kill counts', acked: [write('a', 100, 180)], since: 100, want: 'a' },
    // The log is in acknowledgement order per writer, not overall: the earliest 201 wins.
    { name: 'the earliest acknowledgement wins, not the earliest sent', acked: [write('slow', 101, 500), write('fast', 200, 250)], since: 100, want: 'fast' },
  ];
  for (const tc of cases) it(tc.name, () => expect(firstAckedSince(logOf(tc.acked), tc.since)?.name).to.equal(tc.want));
});

describe('summarizeFailures', () => {
  it('groups failures by kind, quoted names elided', () => {
    expect(summarizeFailures(['create: HTTP 409 AlreadyExists: "a-1" exists', 'create: HTTP 409 AlreadyExists: "a-2" exists', 'counter: socket hang up'])).to.equal(
      '2x create: HTTP 409 AlreadyExists: "…" exists; 1x counter: socket hang up',
    );
  });
  it('says none when nothing failed', () => expect(summarizeFailures([])).to.equal('none'));
});
