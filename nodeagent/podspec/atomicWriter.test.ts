import { expect } from 'chai';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PayloadError, writeAtomically, type Payload } from './atomicWriter.js';

function payload(files: Record<string, string | [string, number]>): Payload {
  return new Map(Object.entries(files).map(([p, v]) => [p, typeof v === 'string' ? { data: Buffer.from(v), mode: 0o644 } : { data: Buffer.from(v[0]), mode: v[1] }]));
}

async function listing(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

describe('podspec/atomicWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-atomic-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lays files out behind ..data and one link per top-level name', async () => {
    expect(await writeAtomically(dir, payload({ 'app.conf': 'a=1', 'nested/deep/key': 'k', secret: ['s', 0o400] }))).to.equal(true);
    const names = await listing(dir);
    expect(names.filter((n) => !n.startsWith('..2'))).to.deep.equal(['..data', 'app.conf', 'nested', 'secret']);
    expect(names.filter((n) => n.startsWith('..2'))).to.have.length(1);
    expect(await fs.readlink(path.join(dir, 'app.conf'))).to.equal('..data/app.conf');
    expect(await fs.readFile(path.join(dir, 'app.conf'), 'utf8')).to.equal('a=1');
    expect(await fs.readFile(path.join(dir, 'nested/deep/key'), 'utf8')).to.equal('k');
    expect((await fs.stat(path.join(dir, 'secret'))).mode & 0o777).to.equal(0o400);
    expect((await fs.stat(path.join(dir, 'app.conf'))).mode & 0o777).to.equal(0o644);
  });

  it('does nothing when the content is unchanged, and swaps versions when it changes', async () => {
    await writeAtomically(dir, payload({ a: '1', b: '2' }));
    const v1 = await fs.readlink(path.join(dir, '..data'));
    expect(await writeAtomically(dir, payload({ a: '1', b: '2' }))).to.equal(false);
    expect(await fs.readlink(path.join(dir, '..data'))).to.equal(v1);

    expect(await writeAtomically(dir, payload({ a: '1', b: ['2', 0o600] }))).to.equal(true, 'a mode change is a change');
    expect(await writeAtomically(dir, payload({ a: 'changed', c: '3' }))).to.equal(true);
    const names = await listing(dir);
    expect(names.filter((n) => !n.startsWith('..2'))).to.deep.equal(['..data', 'a', 'c']);
    expect(names.filter((n) => n.startsWith('..2')), 'old versions are removed').to.have.length(1);
    expect(await fs.readFile(path.join(dir, 'a'), 'utf8')).to.equal('changed');
  });

  it('writes an empty payload as an empty volume', async () => {
    await writeAtomically(dir, payload({ a: '1' }));
    await writeAtomically(dir, new Map());
    expect((await listing(dir)).filter((n) => !n.startsWith('..2'))).to.deep.equal(['..data']);
  });

  it('never shows a reader a partial file while versions change', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => `v${i};`.repeat(20000));
    await writeAtomically(dir, payload({ data: versions[0]! }));
    let writing = true;
    const writer = (async () => {
      try {
        for (const v of versions.slice(1)) await writeAtomically(dir, payload({ data: v }));
      } finally {
        writing = false;
      }
    })();
    let reads = 0;
    while (writing) {
      // A reader that resolved ..data just before the swap may find the old version gone
      // (ENOENT, as with the kubelet's writer); what it must never get is a partial file.
      const got = await fs.readFile(path.join(dir, 'data'), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
      if (got !== undefined) {
        expect(versions).to.include(got);
        reads++;
      }
      await new Promise((r) => setImmediate(r));
    }
    await writer;
    expect(reads).to.be.greaterThan(0);
  });

  const bad: { name: string; files: Record<string, string | [string, number]>; message: RegExp }[] = [
    { name: 'absolute path', files: { '/etc/passwd': 'x' }, message: /relative/ },
    { name: 'climbing path', files: { 'a/../../x': 'x' }, message: /'\.\.'/ },
    { name: 'name of the writer', files: { '..data': 'x' }, message: /start with/ },
    { name: 'empty path', files: { '': 'x' }, message: /empty/ },
    { name: 'file and directory at once', files: { a: 'x', 'a/b': 'y' }, message: /both a file and the directory/ },
    { name: 'mode out of range', files: { a: ['x', 0o1777] }, message: /mode/ },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, async () => {
      const err = await writeAtomically(dir, payload(tc.files)).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(PayloadError);
      expect((err as Error).message).to.match(tc.message);
      expect(await listing(dir)).to.deep.equal([]);
    });
  }

  it('refuses to replace something that is not its own link', async () => {
    await fs.mkdir(path.join(dir, 'a'));
    const err = await writeAtomically(dir, payload({ a: 'x' })).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PayloadError);
  });
});
