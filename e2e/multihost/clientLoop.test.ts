import { expect } from 'chai';
import { between, clientLoopPod, isFailure, parseTimestamped, tally } from './clientLoop.js';

describe('e2e/multihost client loop', () => {
  const logs = [
    '2026-12-07T06:39:01.069613724Z gantry web v1',
    '2026-12-07T06:39:01.153079167Z FAIL wget: can\'t connect to remote host (10.96.0.20): Connection refused',
    '2026-12-07T06:39:02.000000001Z FAIL ',
    '2026-12-07T06:39:03.5Z gantry web v2',
    '',
  ].join('\n');

  it('reads kubectl logs --timestamps lines to the millisecond, keeping the text whole', () => {
    const lines = parseTimestamped(logs);
    expect(lines.map((l) => l.at)).to.deep.equal([Date.UTC(2026, 11, 7, 6, 39, 1, 69), Date.UTC(2026, 11, 7, 6, 39, 1, 153), Date.UTC(2026, 11, 7, 6, 39, 2, 0), Date.UTC(2026, 11, 7, 6, 39, 3, 500)]);
    expect(lines[1]!.text).to.equal("FAIL wget: can't connect to remote host (10.96.0.20): Connection refused");
    expect(lines.filter(isFailure)).to.have.length(2);
  });

  it('refuses a line without a timestamp rather than miscounting it', () => {
    expect(() => parseTimestamped('gantry web v1 without a stamp')).to.throw(/not a timestamped log line/);
  });

  const windows = [
    { name: 'from a time on', from: Date.UTC(2026, 11, 7, 6, 39, 1, 100), to: undefined, want: 3 },
    { name: 'a closed window', from: Date.UTC(2026, 11, 7, 6, 39, 1, 100), to: Date.UTC(2026, 11, 7, 6, 39, 2, 0), want: 2 },
    { name: 'before anything', from: 0, to: 1, want: 0 },
  ];
  for (const tc of windows) it(`between: ${tc.name}`, () => expect(between(parseTimestamped(logs), tc.from, tc.to)).to.have.length(tc.want));

  it('tallies answers by text', () => {
    expect(tally(parseTimestamped(logs))).to.equal("gantry web v1 x1, FAIL wget: can't connect to remote host (10.96.0.20): Connection refused x1, FAIL  x1, gantry web v2 x1");
    expect(tally([])).to.equal('no requests');
  });

  it('pins the client pod to its host and bounds each request with timeout, not wget -T', () => {
    const pod = clientLoopPod('c', 'host-2', 'http://web/');
    expect(pod.spec.nodeName).to.equal('host-2');
    const script = (pod.spec.containers as Array<{ command: string[] }>)[0]!.command[2]!;
    expect(script).to.contain('timeout 5 wget -qO- http://web/').and.not.contain('-T');
  });
});
