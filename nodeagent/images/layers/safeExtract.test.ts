// Safe extraction against real files (as root): every malicious tarball is refused
// and a canary directory outside the layer stays byte-for-byte the same; legitimate
// layers come out with their metadata, whiteouts and opaque directories.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { silentLogger } from '../../../common/logging.js';
import { makeTar, type TarEntrySpec } from '../../testing/tarLayer.js';
import { snapshotTree } from '../../testing/imageFixtures.js';
import { UnsafeLayerError } from '../errors.js';
import { extractLayer, type ExtractStats } from './safeExtract.js';

describe('safe layer extraction', function () {
  let work: string;
  let canary: string;
  let layer: string;
  let canaryBefore: Record<string, string>;

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-extract-'));
    canary = path.join(work, 'canary');
    fs.mkdirSync(path.join(canary, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(canary, 'victim'), 'original');
    fs.chmodSync(canary, 0o755);
    layer = path.join(work, 'store', 'layer');
    fs.mkdirSync(layer, { recursive: true });
    canaryBefore = snapshotTree(canary);
  });

  afterEach(() => {
    expect(snapshotTree(canary), 'the canary outside the layer changed').to.deep.equal(canaryBefore);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const extract = async (entries: TarEntrySpec[] | Buffer): Promise<ExtractStats> => {
    const tar = Buffer.isBuffer(entries) ? entries : await makeTar(entries);
    return extractLayer(Readable.from([tar]), layer, { layer: 'test-layer', log: silentLogger() });
  };
  const up = '../'.repeat(20);

  // The canary path is only known inside each test, so cases are functions of it.
  const refused: Array<{ name: string; entries: (canary: string) => TarEntrySpec[]; why: RegExp }> = [
    { name: 'path traversal with ..', entries: (c) => [{ name: `${up}${c}/victim`, body: 'pwned' }], why: /"\.\." component/ },
    { name: 'path traversal in the middle', entries: () => [{ name: 'a/../../x', body: 'pwned' }], why: /"\.\." component/ },
    { name: 'an absolute path', entries: (c) => [{ name: `${c}/victim`, body: 'pwned' }], why: /absolute path/ },
    { name: 'a symlink to outside, then a file beneath it', entries: (c) => [{ name: 'escape', type: 'symlink', linkname: c }, { name: 'escape/victim', body: 'pwned' }], why: /beneath the symlink escape/ },
    {
      name: 'a relative symlink climbing out, then a file beneath it',
      entries: (c) => [{ name: 'up', type: 'symlink', linkname: `${up}${c}` }, { name: 'up/sub/new', body: 'pwned' }],
      why: /beneath the symlink up/,
    },
    {
      name: 'a directory replaced by a symlink, then a file beneath it',
      entries: (c) => [{ name: 'd', type: 'directory' }, { name: 'd', type: 'symlink', linkname: c }, { name: 'd/victim', body: 'pwned' }],
      why: /beneath the symlink d/,
    },
    { name: 'a symlinked directory below a real one', entries: (c) => [{ name: 'a/b', type: 'symlink', linkname: c }, { name: 'a/b/c/victim', body: 'x' }], why: /beneath the symlink a\/b/ },
    { name: 'a file beneath a file', entries: () => [{ name: 'f', body: 'x' }, { name: 'f/g', body: 'y' }], why: /not a directory/ },
    { name: 'a hardlink to an absolute path', entries: (c) => [{ name: 'h', type: 'link', linkname: `${c}/victim` }], why: /links to .* absolute path/ },
    { name: 'a hardlink climbing out', entries: (c) => [{ name: 'h', type: 'link', linkname: `${up}${c}/victim` }], why: /links to .* "\.\." component/ },
    { name: 'a hardlink through a symlink', entries: (c) => [{ name: 's', type: 'symlink', linkname: c }, { name: 'h', type: 'link', linkname: 's/victim' }], why: /beneath the symlink s/ },
    { name: 'a hardlink to a file not yet extracted', entries: () => [{ name: 'h', type: 'link', linkname: 'later' }, { name: 'later', body: 'x' }], why: /not \(yet\) in this layer/ },
    { name: 'a hardlink to a directory', entries: () => [{ name: 'd', type: 'directory' }, { name: 'h', type: 'link', linkname: 'd' }], why: /links to the directory/ },
    { name: 'a hardlink to itself', entries: () => [{ name: 'h', body: 'x' }, { name: 'h', type: 'link', linkname: 'h' }], why: /to itself/ },
    { name: 'a whiteout of ..', entries: () => [{ name: 'a/.wh...', body: '' }], why: /whiteout of "\.\."/ },
    { name: 'a whiteout of nothing', entries: () => [{ name: 'a/.wh.', body: '' }], why: /whiteout of ""/ },
    { name: 'an AUFS metadata whiteout', entries: () => [{ name: '.wh..wh.plnk', body: '' }], why: /AUFS/ },
    { name: 'a whiteout beneath a symlink', entries: (c) => [{ name: 's', type: 'symlink', linkname: c }, { name: 's/.wh.victim', body: '' }], why: /beneath the symlink s/ },
    {
      name: 'a whiteout whose directory is then replaced by a symlink',
      entries: (c) => [{ name: 'd/.wh.victim', body: '' }, { name: 'd', type: 'symlink', linkname: c }],
      why: /beneath the symlink d/,
    },
    {
      name: 'an opaque directory then replaced by a symlink',
      entries: (c) => [{ name: 'd/.wh..wh..opq', body: '' }, { name: 'd', type: 'symlink', linkname: c }],
      why: /beneath the symlink d/,
    },
    { name: 'a whiteout and the same name in one layer', entries: () => [{ name: '.wh.x', body: '' }, { name: 'x', body: 'y' }], why: /ambiguous/ },
    { name: 'a whiteout that is a directory', entries: () => [{ name: '.wh.x', type: 'directory' }], why: /not a regular file/ },
    { name: 'a root entry that is a file', entries: () => [{ name: './', body: 'x' }], why: /layer root/ },
    { name: 'a symlink without a target', entries: () => [{ name: 's', type: 'symlink', linkname: '' }], why: /no target/ },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.name}`, async () => {
      let err: unknown;
      try {
        await extract(tc.entries(canary));
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(UnsafeLayerError);
      expect((err as Error).message).to.match(tc.why);
      expect((err as Error).message).to.match(/^layer test-layer refused: /);
    });
  }

  it('refuses a truncated archive', async () => {
    const tar = await makeTar([{ name: 'f', body: 'x'.repeat(2000) }]);
    let err: unknown;
    try {
      await extract(tar.subarray(0, 1024));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(UnsafeLayerError);
    expect((err as Error).message).to.match(/not a readable tar archive: Unexpected end of data/);
  });

  it('replaces a symlink by a file instead of writing through it', async () => {
    await extract([{ name: 'f', type: 'symlink', linkname: `${canary}/victim` }, { name: 'f', body: 'new' }]);
    expect(fs.lstatSync(path.join(layer, 'f')).isFile()).to.equal(true);
    expect(fs.readFileSync(path.join(layer, 'f'), 'utf8')).to.equal('new');
  });

  it('never chmods through a directory that became a symlink', async () => {
    await extract([{ name: 'd', type: 'directory', mode: 0o777 }, { name: 'd', type: 'symlink', linkname: canary }]);
    expect(fs.lstatSync(path.join(layer, 'd')).isSymbolicLink()).to.equal(true);
  });

  it('keeps symlinks pointing anywhere, unfollowed', async () => {
    await extract([{ name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' }, { name: 'up', type: 'symlink', linkname: `${up}${canary}` }]);
    expect(fs.readlinkSync(path.join(layer, 'bin/sh'))).to.equal('/bin/busybox');
    expect(fs.readlinkSync(path.join(layer, 'up'))).to.equal(`${up}${canary}`);
  });

  it('preserves ownership, modes and times', async () => {
    const mtime = new Date('2020-01-02T03:04:05Z');
    await extract([
      { name: './', type: 'directory', mode: 0o755, mtime },
      { name: 'ro', type: 'directory', mode: 0o555, uid: 7, gid: 8, mtime },
      { name: 'ro/suid', body: 'x', mode: 0o4755, uid: 1000, gid: 1001, mtime },
      { name: 'ro/link', type: 'symlink', linkname: 'suid', uid: 5, gid: 6, mtime },
    ]);
    const dir = fs.statSync(path.join(layer, 'ro'));
    expect(dir.mode & 0o7777).to.equal(0o555);
    expect([dir.uid, dir.gid]).to.deep.equal([7, 8]);
    expect(dir.mtime.getTime()).to.equal(mtime.getTime());
    const f = fs.statSync(path.join(layer, 'ro/suid'));
    expect(f.mode & 0o7777).to.equal(0o4755);
    expect([f.uid, f.gid]).to.deep.equal([1000, 1001]);
    expect(f.mtime.getTime()).to.equal(mtime.getTime());
    const l = fs.lstatSync(path.join(layer, 'ro/link'));
    expect([l.uid, l.gid]).to.deep.equal([5, 6]);
    expect(l.mtime.getTime()).to.equal(mtime.getTime());
    expect(fs.statSync(layer).mtime.getTime()).to.equal(mtime.getTime());
  });

  it('links hardlinks to files of the same layer', async () => {
    await extract([{ name: 'a/f', body: 'x' }, { name: 'b', type: 'link', linkname: 'a/f' }, { name: 'c', type: 'link', linkname: './a/f' }]);
    const ino = fs.statSync(path.join(layer, 'a/f')).ino;
    expect(fs.statSync(path.join(layer, 'b')).ino).to.equal(ino);
    expect(fs.statSync(path.join(layer, 'c')).ino).to.equal(ino);
  });

  it('skips device nodes and FIFOs', async () => {
    const stats = await extract([
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
      { name: 'dev/fifo', type: 'fifo' },
      { name: 'ok', body: 'x' },
    ]);
    expect(stats.skipped).to.equal(3);
    for (const n of ['null', 'sda', 'fifo']) expect(fs.existsSync(path.join(layer, 'dev', n))).to.equal(false);
    expect(fs.existsSync(path.join(layer, 'ok'))).to.equal(true);
  });

  it('turns whiteouts into overlay whiteouts and opaque markers into the xattr', async () => {
    const stats = await extract([
      { name: 'etc/.wh.passwd', body: '' },
      { name: 'var/cache/.wh..wh..opq', body: '' },
      { name: 'var/cache/new', body: 'n' },
    ]);
    expect(stats.whiteouts).to.equal(1);
    const wh = fs.lstatSync(path.join(layer, 'etc/passwd'));
    expect(wh.isCharacterDevice()).to.equal(true);
    expect(wh.rdev).to.equal(0);
    expect(fs.existsSync(path.join(layer, 'etc/.wh.passwd'))).to.equal(false);
    const xattr = execFileSync('getfattr', ['--only-values', '--absolute-names', '-h', '-n', 'trusted.overlay.opaque', path.join(layer, 'var/cache')], { encoding: 'utf8' });
    expect(xattr).to.equal('y');
    expect(fs.readdirSync(path.join(layer, 'var/cache'))).to.deep.equal(['new']);
  });

  it('replaces a directory by a file and a file by a directory, as tar does', async () => {
    await extract([{ name: 'a/b', body: 'x' }, { name: 'a', body: 'file now' }, { name: 'c', body: 'x' }, { name: 'c', type: 'directory' }, { name: 'c/d', body: 'y' }]);
    expect(fs.readFileSync(path.join(layer, 'a'), 'utf8')).to.equal('file now');
    expect(fs.readFileSync(path.join(layer, 'c/d'), 'utf8')).to.equal('y');
  });
});
