import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatCriLogLine } from './criLog.js';
import { readLogs, type ReadLogsOptions } from './readLogs.js';

const t0 = Date.parse('2024-01-01T00:00:00Z');
const line = (sec: number, stream: 'stdout' | 'stderr', text: string, partial = false): Buffer => formatCriLogLine(new Date(t0 + sec * 1000), stream, text, partial);

async function read(file: string, opts: ReadLogsOptions): Promise<string> {
  const out: Buffer[] = [];
  await readLogs(file, opts, (c) => void out.push(c));
  return Buffer.concat(out).toString();
}

describe('readLogs', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-logs-'));
    file = path.join(dir, '0.log');
    fs.writeFileSync(
      file,
      Buffer.concat([
        line(1, 'stdout', 'one'),
        line(2, 'stderr', 'two'),
        line(3, 'stdout', 'thr', true),
        line(3, 'stdout', 'ee'),
        line(4, 'stdout', 'four'),
        Buffer.from('not a cri line\n'),
        line(5, 'stderr', 'five'),
      ]),
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: { name: string; opts: ReadLogsOptions; want: string }[] = [
    { name: 'everything, partial lines joined, junk skipped', opts: {}, want: 'one\ntwo\nthree\nfour\nfive\n' },
    // Lines of the file, as the kubelet counts them: the junk line counts, then is skipped.
    { name: 'tail 2', opts: { tail: 2 }, want: 'five\n' },
    { name: 'tail 3', opts: { tail: 3 }, want: 'four\nfive\n' },
    { name: 'tail 0', opts: { tail: 0 }, want: '' },
    { name: 'tail larger than the file', opts: { tail: 100 }, want: 'one\ntwo\nthree\nfour\nfive\n' },
    { name: 'since a time', opts: { sinceTime: t0 + 3000 }, want: 'three\nfour\nfive\n' },
    { name: 'stdout only', opts: { stream: 'stdout' }, want: 'one\nthree\nfour\n' },
    { name: 'stderr only', opts: { stream: 'stderr' }, want: 'two\nfive\n' },
    { name: 'limit bytes', opts: { limitBytes: 6 }, want: 'one\ntw' },
    { name: 'timestamps', opts: { tail: 1, timestamps: true }, want: '2024-01-01T00:00:05.000000000Z five\n' },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      expect(await read(file, tc.opts)).to.equal(tc.want);
    });
  }

  it('tails a large file by reading from its end', async () => {
    const big = path.join(dir, 'big.log');
    const chunks: Buffer[] = [];
    for (let i = 0; i < 20_000; i++) chunks.push(line(i, 'stdout', `line ${i}`));
    fs.writeFileSync(big, Buffer.concat(chunks));
    expect(await read(big, { tail: 3 })).to.equal('line 19997\nline 19998\nline 19999\n');
  });

  it('follows appended lines and a rotated file until told to stop', async () => {
    let stop = false;
    const got: string[] = [];
    const done = readLogs(file, { tail: 1, follow: true, pollIntervalMs: 10, keepFollowing: async () => !stop }, (c) => void got.push(c.toString()));
    await new Promise((r) => setTimeout(r, 50));
    fs.appendFileSync(file, line(6, 'stdout', 'six'));
    await new Promise((r) => setTimeout(r, 80));
    // Rotation: the file is replaced by a new one.
    const rotated = path.join(dir, 'new.log');
    fs.writeFileSync(rotated, line(7, 'stdout', 'seven'));
    fs.renameSync(rotated, file);
    await new Promise((r) => setTimeout(r, 80));
    fs.appendFileSync(file, line(8, 'stdout', 'eight'));
    stop = true;
    await done;
    expect(got.join('')).to.equal('five\nsix\nseven\neight\n');
  });

  it('stops following when aborted', async () => {
    const ac = new AbortController();
    const done = read(file, { tail: 0, follow: true, pollIntervalMs: 10, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(await done).to.equal('');
  });
});
