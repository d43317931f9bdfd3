import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { expect } from 'chai';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { localPathProvisioner, provisionedByAnnotation } from '../storage/localPath.js';
import { VolumeError } from './errors.js';
import { containerMounts } from './mounts.js';
import type { NodeFacts } from '../../common/selectors/nodeSelector.js';
import { resolveClaim, type PersistentVolumeSources } from './persistentVolume.js';
import { testContainer, testPod } from './testPods.js';
import type { Volume } from './types.js';
import { prepareVolumes, type PreparedVolume } from './volumes.js';

const node: NodeFacts = { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', zone: 'a' } };

function claim(over: { name?: string; uid?: string; phase?: string; volumeName?: string; deleting?: boolean } = {}): V1PersistentVolumeClaim {
  return {
    metadata: { name: over.name ?? 'data', namespace: 'default', uid: over.uid ?? 'claim-uid', ...(over.deleting ? { deletionTimestamp: new Date(0) } : {}) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: over.volumeName ?? 'pv-1' },
    status: { phase: over.phase ?? 'Bound' },
  };
}

type PvSpec = NonNullable<V1PersistentVolume['spec']>;
function volume(spec: Partial<PvSpec>, annotations?: Record<string, string>): V1PersistentVolume {
  return {
    metadata: { name: 'pv-1', ...(annotations ? { annotations } : {}) },
    spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, claimRef: { namespace: 'default', name: 'data', uid: 'claim-uid' }, ...spec },
  };
}

const hostnameAffinity = (host: string): PvSpec['nodeAffinity'] => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] }] } });

function sourcesOf(claims: V1PersistentVolumeClaim[], volumes: V1PersistentVolume[], localPathRoot?: string): PersistentVolumeSources & { nodeReads: number } {
  const s = {
    nodeReads: 0,
    claim: async (ns: string, name: string) => claims.find((c) => c.metadata?.namespace === ns && c.metadata?.name === name),
    volume: async (name: string) => volumes.find((v) => v.metadata?.name === name),
    node: async () => {
      s.nodeReads++;
      return node;
    },
    ...(localPathRoot ? { localPathRoot } : {}),
  };
  return s;
}

const pvcVolume = (extra: Record<string, unknown> = {}): Volume => ({ name: 'data', persistentVolumeClaim: { claimName: 'data', ...extra } });

describe('podspec/persistentVolume', () => {
  let dir: string;
  let root: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-pv-'));
    root = path.join(dir, 'local-path');
    await fs.mkdir(root, { mode: 0o700 });
    await fs.mkdir(path.join(dir, 'disk'));
    await fs.writeFile(path.join(dir, 'a-file'), 'x');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  interface Case {
    name: string;
    volume?: Volume;
    claims?: V1PersistentVolumeClaim[];
    volumes: (d: string, root: string) => V1PersistentVolume[];
    /** The path wanted, relative to the temp dir. */
    want?: { path: string; readOnly: boolean };
    error?: RegExp;
  }
  const cases: Case[] = [
    { name: 'a local volume that exists', volumes: (d) => [volume({ local: { path: `${d}/disk` } })], want: { path: 'disk', readOnly: false } },
    { name: 'a hostPath volume', volumes: (d) => [volume({ hostPath: { path: `${d}/disk`, type: 'Directory' } })], want: { path: 'disk', readOnly: false } },
    { name: "the pod volume's readOnly", volume: pvcVolume({ readOnly: true }), volumes: (d) => [volume({ local: { path: `${d}/disk` } })], want: { path: 'disk', readOnly: true } },
    { name: 'a ReadOnlyMany volume', volumes: (d) => [volume({ accessModes: ['ReadOnlyMany'], local: { path: `${d}/disk` } })], want: { path: 'disk', readOnly: true } },
    { name: 'ReadOnlyMany beside ReadWriteMany stays writable', volumes: (d) => [volume({ accessModes: ['ReadOnlyMany', 'ReadWriteMany'], local: { path: `${d}/disk` } })], want: { path: 'disk', readOnly: false } },
    { name: 'node affinity that matches', volumes: (d) => [volume({ local: { path: `${d}/disk` }, nodeAffinity: hostnameAffinity('node-1') })], want: { path: 'disk', readOnly: false } },
    {
      name: 'a local-path volume inside the root is created',
      volumes: (d, r) => [volume({ local: { path: `${r}/pvc-claim-uid_default_data` }, nodeAffinity: hostnameAffinity('node-1') }, { [provisionedByAnnotation]: localPathProvisioner })],
      want: { path: 'local-path/pvc-claim-uid_default_data', readOnly: false },
    },
    { name: 'a missing claim', claims: [], volumes: () => [], error: /error processing PVC default\/data: persistentvolumeclaim "data" not found/ },
    { name: 'a claim being deleted', claims: [claim({ deleting: true })], volumes: (d) => [volume({ local: { path: `${d}/disk` } })], error: /PVC is being deleted/ },
    { name: 'a pending claim', claims: [claim({ phase: 'Pending', volumeName: '' })], volumes: () => [], error: /PVC is not bound/ },
    { name: 'a claim naming a volume but not Bound', claims: [claim({ phase: 'Pending' })], volumes: (d) => [volume({ local: { path: `${d}/disk` } })], error: /PVC is not bound/ },
    { name: 'a missing volume', volumes: () => [], error: /persistentvolume "pv-1" not found/ },
    { name: 'a volume bound to another claim', claims: [claim({ uid: 'other-uid' })], volumes: (d) => [volume({ local: { path: `${d}/disk` } })], error: /not bound to this claim/ },
    { name: 'a volume with no claimRef', volumes: (d) => [volume({ claimRef: undefined, local: { path: `${d}/disk` } })], error: /not bound to this claim/ },
    { name: 'node affinity for another node', volumes: (d) => [volume({ local: { path: `${d}/disk` }, nodeAffinity: hostnameAffinity('node-2') })], error: /volume node affinity conflict: PersistentVolume pv-1 cannot be used on node node-1/ },
    { name: 'a Block volume', volumes: (d) => [volume({ volumeMode: 'Block', local: { path: `${d}/disk` } })], error: /volumeMode Block is not supported/ },
    { name: 'a local path that does not exist', volumes: (d) => [volume({ local: { path: `${d}/nope` } })], error: /local path .*\/nope does not exist/ },
    { name: 'a local path that is a file', volumes: (d) => [volume({ local: { path: `${d}/a-file` } })], error: /is not a directory/ },
    { name: 'a relative local path', volumes: () => [volume({ local: { path: 'disk' } })], error: /must be an absolute path/ },
    { name: "a local path with '..'", volumes: (d) => [volume({ local: { path: `${d}/disk/../disk` } })], error: /without '\.\.'/ },
    {
      name: 'a local-path volume outside the root is not created',
      volumes: (d) => [volume({ local: { path: `${d}/elsewhere` } }, { [provisionedByAnnotation]: localPathProvisioner })],
      error: /elsewhere does not exist/,
    },
    { name: 'a local path that is the root itself is only checked', volumes: (_d, r) => [volume({ local: { path: r } }, { [provisionedByAnnotation]: localPathProvisioner })], want: { path: 'local-path', readOnly: false } },
    { name: 'a hostPath failing its type check', volumes: (d) => [volume({ hostPath: { path: `${d}/a-file`, type: 'Directory' } })], error: /PersistentVolume pv-1: hostPath type check failed: .* is not a directory/ },
    { name: 'a volume with no supported source', volumes: () => [volume({ nfs: { server: 'x', path: '/' } })], error: /only local and hostPath volumes are supported/ },
    { name: 'a claim without a name', volume: { name: 'data', persistentVolumeClaim: {} }, volumes: () => [], error: /persistentVolumeClaim\.claimName is required/ },
  ];
  for (const tc of cases) {
    it(`resolves ${tc.name}`, async () => {
      const pod = testPod({ volumes: [tc.volume ?? pvcVolume()] });
      const sources = sourcesOf(tc.claims ?? [claim()], tc.volumes(dir, root), root);
      const run = resolveClaim(pod, pod.spec.volumes![0]!, sources, 'spec.volumes[0]');
      if (tc.error) {
        const e = await run.then(() => undefined, (x: unknown) => x);
        expect(e, 'an error').to.be.instanceOf(VolumeError);
        expect((e as VolumeError).message).to.match(tc.error);
        expect((e as VolumeError).reason).to.equal('FailedMount');
        expect((e as VolumeError).field).to.match(/^spec\.volumes\[0\]\.persistentVolumeClaim/);
        return;
      }
      const r = await run;
      expect(r.hostPath).to.equal(path.join(dir, tc.want!.path));
      expect(r.readOnly).to.equal(tc.want!.readOnly);
      expect((await fs.stat(r.hostPath)).isDirectory()).to.equal(true);
    });
  }

  it('creates a local-path directory 0777 below the 0700 root, and keeps its content', async () => {
    const p = `${root}/pvc-claim-uid_default_data`;
    const pod = testPod({ volumes: [pvcVolume()] });
    const sources = sourcesOf([claim()], [volume({ local: { path: p } }, { [provisionedByAnnotation]: localPathProvisioner })], root);
    await resolveClaim(pod, pod.spec.volumes![0]!, sources, 'spec.volumes[0]');
    expect((await fs.stat(p)).mode & 0o777).to.equal(0o777);
    expect((await fs.stat(root)).mode & 0o777).to.equal(0o700);
    await fs.writeFile(path.join(p, 'kept'), 'data');
    await resolveClaim(pod, pod.spec.volumes![0]!, sources, 'spec.volumes[0]');
    expect(await fs.readFile(path.join(p, 'kept'), 'utf8')).to.equal('data');
  });

  it('refuses a local-path directory that is a symlink out of the root', async () => {
    const p = `${root}/pvc-claim-uid_default_data`;
    await fs.symlink(path.join(dir, 'disk'), p);
    const pod = testPod({ volumes: [pvcVolume()] });
    const sources = sourcesOf([claim()], [volume({ local: { path: p } }, { [provisionedByAnnotation]: localPathProvisioner })], root);
    const e = await resolveClaim(pod, pod.spec.volumes![0]!, sources, 'spec.volumes[0]').then(() => undefined, (x: unknown) => x);
    expect(e).to.be.instanceOf(VolumeError);
    expect((e as Error).message).to.match(/exists and is not a directory/);
  });

  it('reads the node only when the volume has node affinity', async () => {
    const pod = testPod({ volumes: [pvcVolume()] });
    const sources = sourcesOf([claim()], [volume({ local: { path: `${dir}/disk` } })], root);
    await resolveClaim(pod, pod.spec.volumes![0]!, sources, 'spec.volumes[0]');
    expect(sources.nodeReads).to.equal(0);
  });

  describe('through prepareVolumes and containerMounts', () => {
    const nodeAllocatable = { cpu: '4', memory: '8Gi' };
    const noObjects = { configMap: async () => undefined, secret: async () => undefined };

    it('mounts the volume at its path, read-only when asked, and keeps a resolved claim for the pod', async () => {
      const pod = testPod({
        volumes: [pvcVolume()],
        containers: [testContainer('app', { volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/ro', readOnly: true }, { name: 'data', mountPath: '/sub', subPath: 'a/b' }] })],
      });
      const podDir = path.join(dir, 'pod');
      await fs.mkdir(podDir);
      const claims = [claim()];
      const sources = { ...noObjects, nodeAllocatable, persistentVolumes: sourcesOf(claims, [volume({ local: { path: `${dir}/disk` } })], root) };
      const prepared = await prepareVolumes(pod, podDir, sources);
      expect(prepared.get('data')).to.deep.equal({ hostPath: `${dir}/disk`, readOnly: false, claim: { claimName: 'data', volumeName: 'pv-1' } });
      const mounts = await containerMounts(pod, pod.spec.containers[0]!, prepared);
      expect(mounts.map((m) => [m.containerPath, m.hostPath, m.readonly])).to.deep.equal([
        ['/data', `${dir}/disk`, false],
        ['/ro', `${dir}/disk`, true],
        ['/sub', `${dir}/disk/a/b`, false],
      ]);
      // Nothing of the claim lives in the pod's directory: removing the pod's volumes keeps the data.
      expect(await fs.readdir(path.join(podDir, 'volumes')).catch(() => [])).to.deep.equal([]);
      // A claim being deleted after the pod mounted it does not stop the pod's next container (as in the kubelet).
      claims[0] = claim({ deleting: true });
      const again = await prepareVolumes(pod, podDir, { ...sources, previous: prepared });
      expect(again.get('data')!.hostPath).to.equal(`${dir}/disk`);
      // Nor after an agent restart (nothing remembered) for a pod that already started here.
      expect((await prepareVolumes(pod, podDir, { ...sources, podStarted: true })).get('data')!.hostPath).to.equal(`${dir}/disk`);
      // A new pod on that claim is refused.
      const e = await prepareVolumes(pod, podDir, sources).then(() => undefined, (x: unknown) => x);
      expect((e as Error).message).to.match(/PVC is being deleted/);
    });

    it('refuses a subPath that escapes the volume through a symlink planted in it', async () => {
      await fs.mkdir(path.join(dir, 'secret-place'));
      await fs.symlink(path.join(dir, 'secret-place'), path.join(dir, 'disk', 'escape'));
      await fs.symlink('/etc', path.join(dir, 'disk', 'etc'));
      const pod = testPod({
        volumes: [pvcVolume()],
        containers: [testContainer('app', { env: [{ name: 'WHERE', value: 'etc' }], volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'escape/x' }] })],
      });
      const sources = { ...noObjects, nodeAllocatable, persistentVolumes: sourcesOf([claim()], [volume({ local: { path: `${dir}/disk` } })], root) };
      const prepared = new Map<string, PreparedVolume>(await prepareVolumes(pod, path.join(dir, 'pod'), sources));
      for (const m of [{ subPath: 'escape/x' }, { subPathExpr: '$(WHERE)' }]) {
        const c = testContainer('app', { env: [{ name: 'WHERE', value: 'etc' }], volumeMounts: [{ name: 'data', mountPath: '/data', ...m }] });
        const e = await containerMounts(pod, c, prepared, { envs: [{ key: 'WHERE', value: 'etc' }] }).then(() => undefined, (x: unknown) => x);
        expect((e as Error).message, JSON.stringify(m)).to.match(/leads out of the volume/);
      }
      expect(await fs.readdir(path.join(dir, 'secret-place'))).to.deep.equal([], 'nothing created through the link');
    });
  });
});
