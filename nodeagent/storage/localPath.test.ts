import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UnsafePathError } from '../podspec/paths.js';
import { unmountAll } from '../runtime/mounts.js';
import { ensureLocalPathRoot, ensureVolumeDir, localPathRootOf, relativeInside, removeVolumeDir, VolumeBusyError } from './localPath.js';

const isRoot = process.getuid?.() === 0;
const exists = (p: string): Promise<boolean> => fs.lstat(p).then(() => true, () => false);

describe('storage/localPath', () => {
  const inside: { p: unknown; want: string | undefined }[] = [
    { p: '/r/local-path/pvc-1', want: 'pvc-1' },
    { p: '/r/local-path/a/b/', want: 'a/b' },
    { p: '/r/local-path//pvc-1', want: 'pvc-1' },
    { p: '/r/local-path', want: undefined },
    { p: '/r/local-path/', want: undefined },
    { p: '/r/local-path/.', want: undefined },
    { p: '/r/local-pathx/pvc-1', want: undefined },
    { p: '/r/local-path/../etc', want: undefined },
    { p: '/r/local-path/a/../../x', want: undefined },
    { p: 'r/local-path/pvc-1', want: undefined },
    { p: '/r/local-path/a\0b', want: undefined },
    { p: undefined, want: undefined },
    { p: 42, want: undefined },
  ];
  for (const tc of inside) {
    it(`relativeInside(${JSON.stringify(tc.p)}) = ${JSON.stringify(tc.want)}`, () => {
      expect(relativeInside('/r/local-path', tc.p)).to.equal(tc.want);
    });
  }

  it('puts the root at <agent root>/local-path', () => {
    expect(localPathRootOf('/var/lib/gantry/agent/')).to.equal('/var/lib/gantry/agent/local-path');
  });

  describe('on disk', () => {
    let dir: string;
    let root: string;
    let outside: string;
    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-localpath-'));
      root = path.join(dir, 'agent', 'local-path');
      outside = path.join(dir, 'outside');
      await fs.mkdir(outside);
      await fs.writeFile(path.join(outside, 'precious'), 'keep me');
    });
    afterEach(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('creates the root 0700, and tightens an existing one', async () => {
      await ensureLocalPathRoot(root);
      expect((await fs.stat(root)).mode & 0o777).to.equal(0o700);
      await fs.chmod(root, 0o755);
      await ensureLocalPathRoot(root);
      expect((await fs.stat(root)).mode & 0o777).to.equal(0o700);
    });

    it('refuses a root that is a symlink', async () => {
      await fs.mkdir(path.dirname(root), { recursive: true });
      await fs.symlink(outside, root);
      const e = await ensureLocalPathRoot(root).then(() => undefined, (x: unknown) => x);
      expect(e).to.be.instanceOf(UnsafePathError);
    });

    it('creates volume directories 0777, nested parents 0700, idempotently', async () => {
      await ensureLocalPathRoot(root);
      const p = await ensureVolumeDir(root, `${root}/pvc-1_default_data`);
      expect(p).to.equal(`${root}/pvc-1_default_data`);
      expect((await fs.stat(p)).mode & 0o777).to.equal(0o777);
      await fs.writeFile(path.join(p, 'f'), 'x');
      await ensureVolumeDir(root, p);
      expect(await fs.readFile(path.join(p, 'f'), 'utf8')).to.equal('x');
      const nested = await ensureVolumeDir(root, `${root}/group/pvc-2`);
      expect((await fs.stat(path.dirname(nested))).mode & 0o777).to.equal(0o700);
      expect((await fs.stat(nested)).mode & 0o777).to.equal(0o777);
    });

    const refusedCreates: { name: string; p: (root: string) => string; plant?: (root: string, outside: string) => Promise<void> }[] = [
      { name: 'the root itself', p: (r) => r },
      { name: 'a path beside the root', p: (r) => `${r}-other/pvc-1` },
      { name: "a path climbing with '..'", p: (r) => `${r}/../outside` },
      { name: 'a volume that is a symlink out', p: (r) => `${r}/pvc-1`, plant: (r, o) => fs.symlink(o, `${r}/pvc-1`) },
      { name: 'a parent that is a symlink out', p: (r) => `${r}/group/pvc-1`, plant: (r, o) => fs.symlink(o, `${r}/group`) },
    ];
    for (const tc of refusedCreates) {
      it(`refuses to create ${tc.name}`, async () => {
        await ensureLocalPathRoot(root);
        await tc.plant?.(root, outside);
        const e = await ensureVolumeDir(root, tc.p(root)).then(() => undefined, (x: unknown) => x);
        expect(e).to.be.instanceOf(UnsafePathError);
        expect(await fs.readdir(outside)).to.deep.equal(['precious']);
      });
    }

    it('removes a volume directory with its content, but not what links inside point to', async () => {
      await ensureLocalPathRoot(root);
      const p = await ensureVolumeDir(root, `${root}/pvc-1`);
      await fs.mkdir(path.join(p, 'sub'));
      await fs.writeFile(path.join(p, 'sub', 'f'), 'x');
      await fs.symlink(outside, path.join(p, 'link-out'));
      await fs.symlink(path.join(outside, 'precious'), path.join(p, 'sub', 'file-link'));
      expect(await removeVolumeDir(root, p)).to.equal('removed');
      expect(await exists(p)).to.equal(false);
      expect(await exists(root)).to.equal(true);
      expect(await fs.readFile(path.join(outside, 'precious'), 'utf8')).to.equal('keep me');
      expect(await removeVolumeDir(root, p)).to.equal('absent');
    });

    it('removes a symlink in place of the volume directory as a link, not its target', async () => {
      await ensureLocalPathRoot(root);
      await fs.symlink(outside, `${root}/pvc-1`);
      expect(await removeVolumeDir(root, `${root}/pvc-1`)).to.equal('removed');
      expect(await fs.readFile(path.join(outside, 'precious'), 'utf8')).to.equal('keep me');
    });

    const refusedRemoves: { name: string; p: (root: string) => string; plant?: (root: string, outside: string) => Promise<void> }[] = [
      { name: 'the root itself', p: (r) => r },
      { name: 'the root with a trailing slash', p: (r) => `${r}/` },
      { name: 'a path beside the root', p: (r) => `${r}-other` },
      { name: "a path climbing with '..'", p: (r) => `${r}/../../outside` },
      { name: 'a path through a symlinked parent', p: (r) => `${r}/group/precious`, plant: (r, o) => fs.symlink(o, `${r}/group`) },
      { name: 'a relative path', p: () => 'outside' },
    ];
    for (const tc of refusedRemoves) {
      it(`refuses to remove ${tc.name}`, async () => {
        await ensureLocalPathRoot(root);
        await fs.writeFile(path.join(root, 'other-volume'), 'x');
        await tc.plant?.(root, outside);
        const e = await removeVolumeDir(root, tc.p(root)).then(() => undefined, (x: unknown) => x);
        expect(e).to.be.instanceOf(UnsafePathError);
        expect(await fs.readdir(outside)).to.deep.equal(['precious']);
        expect(await exists(path.join(root, 'other-volume'))).to.equal(true);
      });
    }

    it('says absent when the root is gone', async () => {
      expect(await removeVolumeDir(root, `${root}/pvc-1`)).to.equal('absent');
    });

    (isRoot ? it : it.skip)('refuses to remove a directory with a mount inside it', async () => {
      await ensureLocalPathRoot(root);
      const p = await ensureVolumeDir(root, `${root}/pvc-1`);
      await fs.mkdir(path.join(p, 'm'));
      await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(p, 'm')]);
      try {
        await fs.writeFile(path.join(p, 'm', 'f'), 'x');
        const e = await removeVolumeDir(root, p).then(() => undefined, (x: unknown) => x);
        expect(e).to.be.instanceOf(VolumeBusyError);
        expect(await fs.readFile(path.join(p, 'm', 'f'), 'utf8')).to.equal('x');
      } finally {
        await unmountAll(path.join(p, 'm'));
      }
      expect(await removeVolumeDir(root, p)).to.equal('removed');
    });
  });
});
