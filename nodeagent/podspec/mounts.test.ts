import { expect } from 'chai';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Mount } from '../cri/types.js';
import { ContainerConfigError } from './errors.js';
import { containerMounts } from './mounts.js';
import { testContainer, testPod } from './testPods.js';
import type { SecurityContext, VolumeMount } from './types.js';
import type { PreparedVolume } from './volumes.js';

describe('podspec/mounts', () => {
  let dir: string;
  let volumes: Map<string, PreparedVolume>;
  let outside: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-mounts-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-outside-'));
    for (const d of ['data', 'cfg/..2026_01_01_00_00_00.ab', 'file-vol-parent']) await fs.mkdir(path.join(dir, d), { recursive: true });
    await fs.chmod(path.join(dir, 'data'), 0o777);
    await fs.mkdir(path.join(dir, 'data', 'existing'));
    await fs.symlink(outside, path.join(dir, 'data', 'escape'));
    await fs.symlink('existing', path.join(dir, 'data', 'inside-link'));
    await fs.writeFile(path.join(dir, 'cfg/..2026_01_01_00_00_00.ab/app.conf'), 'x');
    await fs.symlink('..2026_01_01_00_00_00.ab', path.join(dir, 'cfg/..data'));
    await fs.symlink('..data/app.conf', path.join(dir, 'cfg/app.conf'));
    await fs.writeFile(path.join(dir, 'file-vol-parent/file'), 'x');
    volumes = new Map([
      ['data', { hostPath: path.join(dir, 'data'), readOnly: false }],
      ['cfg', { hostPath: path.join(dir, 'cfg'), readOnly: true }],
      ['file', { hostPath: path.join(dir, 'file-vol-parent/file'), readOnly: false }],
    ]);
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  async function mountsFor(volumeMounts: VolumeMount[], securityContext?: SecurityContext): Promise<Mount[]> {
    const pod = testPod({ containers: [testContainer('app', { volumeMounts, ...(securityContext ? { securityContext } : {}) })] });
    return containerMounts(pod, pod.spec.containers[0]!, volumes, { envs: [{ key: 'POD', value: 'web-1' }, { key: 'EMPTY', value: '' }] });
  }

  const cases: { name: string; mounts: VolumeMount[]; want: (d: string) => Mount[]; sc?: SecurityContext }[] = [
    {
      name: 'plain mounts, read-only when asked or when the volume must be',
      mounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/ro/', readOnly: true },
        { name: 'cfg', mountPath: '/etc/app' },
      ],
      want: (d) => [
        { containerPath: '/data', hostPath: `${d}/data`, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
        { containerPath: '/ro', hostPath: `${d}/data`, readonly: true, propagation: 'PROPAGATION_PRIVATE' },
        { containerPath: '/etc/app', hostPath: `${d}/cfg`, readonly: true, propagation: 'PROPAGATION_PRIVATE' },
      ],
    },
    {
      name: 'propagation modes',
      mounts: [
        { name: 'data', mountPath: '/a', mountPropagation: 'None' },
        { name: 'data', mountPath: '/b', mountPropagation: 'HostToContainer' },
        { name: 'data', mountPath: '/c', mountPropagation: 'Bidirectional' },
      ],
      sc: { privileged: true },
      want: (d) => [
        { containerPath: '/a', hostPath: `${d}/data`, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
        { containerPath: '/b', hostPath: `${d}/data`, readonly: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
        { containerPath: '/c', hostPath: `${d}/data`, readonly: false, propagation: 'PROPAGATION_BIDIRECTIONAL' },
      ],
    },
    {
      name: 'subPaths: existing, created, through an inner link, into a configMap key, by expression',
      mounts: [
        { name: 'data', mountPath: '/e', subPath: 'existing' },
        { name: 'data', mountPath: '/n', subPath: 'new/deeper/' },
        { name: 'data', mountPath: '/l', subPath: 'inside-link' },
        { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
        { name: 'data', mountPath: '/x', subPathExpr: 'logs/$(POD)' },
      ],
      want: (d) => [
        { containerPath: '/e', hostPath: `${d}/data/existing`, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
        { containerPath: '/n', hostPath: `${d}/data/new/deeper`, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
        { containerPath: '/l', hostPath: `${d}/data/existing`, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
        { containerPath: '/etc/app.conf', hostPath: `${d}/cfg/..2026_01_01_00_00_00.ab/app.conf`, readonly: true, propagation: 'PROPAGATION_PRIVATE' },
        { containerPath: '/x', hostPath: `${d}/data/logs/web-1`, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
      ],
    },
    {
      name: 'a file volume mounts as the file',
      mounts: [{ name: 'file', mountPath: '/f' }],
      want: (d) => [{ containerPath: '/f', hostPath: `${d}/file-vol-parent/file`, readonly: false, propagation: 'PROPAGATION_PRIVATE' }],
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const real = await fs.realpath(dir);
      expect(await mountsFor(tc.mounts, tc.sc)).to.deep.equal(tc.want(real));
    });
  }

  it('creates missing subPath directories with the volume mode', async () => {
    expect((await fs.stat(path.join(dir, 'data/new/deeper'))).mode & 0o777).to.equal(0o777);
  });

  const failures: { name: string; mounts: VolumeMount[]; message: RegExp; field: string }[] = [
    { name: 'unknown volume', mounts: [{ name: 'nope', mountPath: '/x' }], message: /^cannot find volume "nope" to mount into container "app"$/, field: 'spec.containers[0].volumeMounts[0].name' },
    { name: 'relative mountPath', mounts: [{ name: 'data', mountPath: 'x' }], message: /absolute/, field: 'spec.containers[0].volumeMounts[0].mountPath' },
    { name: 'same path twice', mounts: [{ name: 'data', mountPath: '/x' }, { name: 'cfg', mountPath: '/x/' }], message: /twice/, field: 'spec.containers[0].volumeMounts[1].mountPath' },
    { name: 'absolute subPath', mounts: [{ name: 'data', mountPath: '/x', subPath: '/etc' }], message: /must not be an absolute path/, field: 'spec.containers[0].volumeMounts[0].subPath' },
    { name: 'climbing subPath', mounts: [{ name: 'data', mountPath: '/x', subPath: 'a/../../etc' }], message: /must not contain '\.\.'/, field: 'spec.containers[0].volumeMounts[0].subPath' },
    { name: 'subPath through a link out of the volume', mounts: [{ name: 'data', mountPath: '/x', subPath: 'escape/sub' }], message: /leads out of the volume/, field: 'spec.containers[0].volumeMounts[0].subPath' },
    { name: 'subPath inside a file volume', mounts: [{ name: 'file', mountPath: '/x', subPath: 'a' }], message: /not a directory/, field: 'spec.containers[0].volumeMounts[0].subPath' },
    { name: 'expression with an unset variable', mounts: [{ name: 'data', mountPath: '/x', subPathExpr: '$(NOPE)/$(EMPTY)' }], message: /^missing value for EMPTY, NOPE$/, field: 'spec.containers[0].volumeMounts[0].subPathExpr' },
    { name: 'both subPath and subPathExpr', mounts: [{ name: 'data', mountPath: '/x', subPath: 'a', subPathExpr: 'b' }], message: /mutually exclusive/, field: 'spec.containers[0].volumeMounts[0]' },
    { name: 'unknown propagation', mounts: [{ name: 'data', mountPath: '/x', mountPropagation: 'Shared' }], message: /invalid MountPropagation mode/, field: 'spec.containers[0].volumeMounts[0].mountPropagation' },
    { name: 'bidirectional without privilege', mounts: [{ name: 'data', mountPath: '/x', mountPropagation: 'Bidirectional' }], message: /only to privileged containers/, field: 'spec.containers[0].volumeMounts[0].mountPropagation' },
  ];
  for (const tc of failures) {
    it(`fails: ${tc.name}`, async () => {
      const err = await mountsFor(tc.mounts).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ContainerConfigError);
      expect((err as ContainerConfigError).message).to.match(tc.message);
      expect((err as ContainerConfigError).field).to.equal(tc.field);
    });
  }

  it('never creates anything outside the volume', async () => {
    expect(await fs.readdir(outside)).to.deep.equal([]);
  });
});
