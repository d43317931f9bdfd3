// The whiteouts we write are the ones overlayfs understands: two extracted layers
// mounted as lower directories show the upper layer's deletions and opaque directory.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { silentLogger } from '../../../common/logging.js';
import { makeTar, type TarEntrySpec } from '../../testing/tarLayer.js';
import { extractLayer } from './safeExtract.js';

describe('overlay whiteouts from OCI layers', function () {
  let work: string;
  let mnt: string;
  let mounted = false;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-overlay-'));
    mnt = path.join(work, 'mnt');
    fs.mkdirSync(mnt);
  });

  after(() => {
    if (mounted) execFileSync('umount', [mnt]);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const unpack = async (name: string, entries: TarEntrySpec[]): Promise<string> => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    await extractLayer(Readable.from([await makeTar(entries)]), dir, { layer: name, log: silentLogger() });
    return dir;
  };

  it('hides deleted files and the old content of opaque directories', async () => {
    const lower = await unpack('lower', [
      { name: 'etc/keep', body: 'k' },
      { name: 'etc/gone', body: 'g' },
      { name: 'cache/old1', body: '1' },
      { name: 'cache/old2', body: '2' },
      { name: 'dir/inner', body: 'i' },
    ]);
    const upper = await unpack('upper', [
      { name: 'etc/.wh.gone', body: '' },
      { name: '.wh.dir', body: '' },
      { name: 'cache/.wh..wh..opq', body: '' },
      { name: 'cache/new', body: 'n' },
    ]);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower}`, mnt]);
    mounted = true;
    expect(fs.readdirSync(path.join(mnt, 'etc')).sort()).to.deep.equal(['keep']);
    expect(fs.readdirSync(path.join(mnt, 'cache')).sort()).to.deep.equal(['new']);
    expect(fs.existsSync(path.join(mnt, 'dir'))).to.equal(false);
    expect(fs.readFileSync(path.join(mnt, 'etc/keep'), 'utf8')).to.equal('k');
    execFileSync('umount', [mnt]);
    mounted = false;
  });
});
