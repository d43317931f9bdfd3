import { expect } from 'chai';
import { formatCriLogLine, parseCriLogLine, parseTimestamp } from './criLog.js';

describe('CRI log lines', () => {
  const cases = [
    {
      name: 'Z timestamp, full line',
      line: '2016-10-06T00:17:09.669794202Z stdout F the message',
      want: { timestamp: '2016-10-06T00:17:09.669794202Z', stream: 'stdout', partial: false, content: 'the message' },
    },
    {
      name: "conmon's +00:00 offset, partial",
      line: '2026-11-23T04:47:53.651531631+00:00 stderr P part',
      want: { timestamp: '2026-11-23T04:47:53.651531631Z', stream: 'stderr', partial: true, content: 'part' },
    },
    {
      name: 'another offset is converted to UTC',
      line: '2024-01-01T10:00:00.5-02:00 stdout F x',
      want: { timestamp: '2024-01-01T12:00:00.5Z', stream: 'stdout', partial: false, content: 'x' },
    },
    { name: 'empty content with its space', line: '2024-01-01T00:00:00Z stdout F ', want: { timestamp: '2024-01-01T00:00:00Z', stream: 'stdout', partial: false, content: '' } },
    { name: 'empty content without a space', line: '2024-01-01T00:00:00Z stdout F', want: { timestamp: '2024-01-01T00:00:00Z', stream: 'stdout', partial: false, content: '' } },
    { name: 'content keeps its spaces', line: '2024-01-01T00:00:00Z stdout F  a  b ', want: { timestamp: '2024-01-01T00:00:00Z', stream: 'stdout', partial: false, content: ' a  b ' } },
  ];
  for (const tc of cases) {
    it(`parses: ${tc.name}`, () => {
      const p = parseCriLogLine(Buffer.from(tc.line));
      expect(p).to.not.equal(undefined);
      expect({ timestamp: p!.timestamp, stream: p!.stream, partial: p!.partial, content: p!.content.toString() }).to.deep.equal(tc.want);
    });
  }

  for (const bad of ['', 'garbage', 'notatime stdout F x', '2024-01-01T00:00:00Z stdin F x', '2024-01-01T00:00:00Z stdout X x']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      expect(parseCriLogLine(Buffer.from(bad))).to.equal(undefined);
    });
  }

  it('times compare at millisecond precision', () => {
    expect(parseTimestamp('2024-01-01T00:00:00.123456789Z')!.time).to.equal(Date.parse('2024-01-01T00:00:00.123Z'));
    expect(parseTimestamp('2024-01-01T00:00:00+01:00')!.time).to.equal(Date.parse('2023-12-31T23:00:00Z'));
  });

  it('formats what it parses', () => {
    const line = formatCriLogLine(new Date('2024-05-06T07:08:09.010Z'), 'stderr', 'oops', true);
    expect(line.toString()).to.equal('2024-05-06T07:08:09.010000000Z stderr P oops\n');
    const p = parseCriLogLine(line.subarray(0, line.length - 1))!;
    expect(p.content.toString()).to.equal('oops');
    expect(p.partial).to.equal(true);
  });
});
