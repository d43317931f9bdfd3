import { expect } from 'chai';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { VolumeError } from './errors.js';
import { prepareHostPath } from './hostPath.js';

describe('podspec/hostPath', () => {
  let dir: string;
  let server: net.Server | undefined;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-hostpath-'));
    await fs.mkdir(path.join(dir, 'dir'));
    await fs.writeFile(path.join(dir, 'file'), 'x');
    await fs.symlink(path.join(dir, 'dir'), path.join(dir, 'link-to-dir'));
    server = net.createServer();
    await new Promise<void>((resolve) => server!.listen(path.join(dir, 'sock'), resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  const ok: { type: string; p: string }[] = [
    { type: '', p: 'missing-is-fine-untyped' },
    { type: 'Directory', p: 'dir' },
    { type: 'Directory', p: 'link-to-dir' },
    { type: 'DirectoryOrCreate', p: 'dir' },
    { type: 'DirectoryOrCreate', p: 'new/nested/dir' },
    { type: 'File', p: 'file' },
    { type: 'FileOrCreate', p: 'file' },
    { type: 'FileOrCreate', p: 'new-file' },
    { type: 'Socket', p: 'sock' },
    { type: 'CharDevice', p: '/dev/null' },
  ];
  for (const tc of ok) {
    it(`accepts ${tc.type || '(unset)'} ${tc.p}`, async () => {
      const p = path.isAbsolute(tc.p) ? tc.p : path.join(dir, tc.p);
      expect(await prepareHostPath({ path: p, type: tc.type }, 'spec.volumes[0].hostPath')).to.equal(p);
    });
  }

  it('creates what *OrCreate asks for with the kubelet modes', async () => {
    expect((await fs.stat(path.join(dir, 'new/nested/dir'))).isDirectory()).to.equal(true);
    const st = await fs.stat(path.join(dir, 'new-file'));
    expect(st.isFile()).to.equal(true);
    expect(st.size).to.equal(0);
    expect(await fs.readFile(path.join(dir, 'file'), 'utf8')).to.equal('x', 'an existing file is not truncated');
  });

  const bad: { type: string; p: string; message: RegExp; field?: string }[] = [
    { type: 'Directory', p: 'missing', message: /hostPath type check failed: .*missing does not exist/ },
    { type: 'Directory', p: 'file', message: /is not a directory/ },
    { type: 'DirectoryOrCreate', p: 'file', message: /is not a directory/ },
    { type: 'File', p: 'dir', message: /is not a file/ },
    { type: 'FileOrCreate', p: 'dir', message: /is not a file/ },
    { type: 'FileOrCreate', p: 'no-parent/file', message: /cannot create/, field: 'spec.volumes[0].hostPath.path' },
    { type: 'Socket', p: 'file', message: /is not a socket file/ },
    { type: 'CharDevice', p: 'file', message: /is not a character device/ },
    { type: 'BlockDevice', p: '/dev/null', message: /is not a block device/ },
    { type: 'Weird', p: 'file', message: /is an invalid volume type/ },
    { type: '', p: 'relative', message: /absolute/, field: 'spec.volumes[0].hostPath.path' },
    { type: '', p: '/a/../b', message: /'\.\.'/, field: 'spec.volumes[0].hostPath.path' },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.type || '(unset)'} ${tc.p}`, async () => {
      const p = path.isAbsolute(tc.p) || tc.p === 'relative' ? tc.p : path.join(dir, tc.p);
      const err = await prepareHostPath({ path: p, type: tc.type }, 'spec.volumes[0].hostPath').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(VolumeError);
      expect((err as VolumeError).message).to.match(tc.message);
      expect((err as VolumeError).field).to.equal(tc.field ?? 'spec.volumes[0].hostPath.type');
      expect((err as VolumeError).reason).to.equal('FailedMount');
    });
  }
});
