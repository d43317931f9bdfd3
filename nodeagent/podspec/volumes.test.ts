import { expect } from 'chai';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listMounts } from '../runtime/mounts.js';
import { PodSpecError, VolumeError } from './errors.js';
import type { ConfigMapContent } from './sources.js';
import { testContainer, testPod } from './testPods.js';
import type { Pod, Volume } from './types.js';
import { cleanupVolumes, prepareVolumes, type VolumeSources } from './volumes.js';

const isRoot = process.getuid?.() === 0;

function sources(over: { configMaps?: Record<string, ConfigMapContent>; secrets?: Record<string, Record<string, Buffer>> } = {}): VolumeSources {
  const configMaps: Record<string, ConfigMapContent> = over.configMaps ?? {
    'default/cfg': { data: { 'app.conf': 'port=80', other: 'o' }, binaryData: { 'blob.bin': Buffer.from([0, 1, 2, 255]) } },
  };
  const secrets: Record<string, Record<string, Buffer>> = over.secrets ?? { 'default/creds': { password: Buffer.from('hunter2'), 'tls.key': Buffer.from([0xff, 0xfe]) } };
  return {
    configMap: async (ns, name) => configMaps[`${ns}/${name}`],
    secret: async (ns, name) => secrets[`${ns}/${name}`],
    nodeAllocatable: { cpu: '4', memory: '8Gi' },
  };
}

function podWith(volumes: Volume[]): Pod {
  return testPod({
    labels: { app: 'web' },
    annotations: { build: '42' },
    volumes,
    containers: [testContainer('app', { resources: { limits: { cpu: '500m', memory: '64Mi' } } })],
  });
}

async function read(p: string): Promise<string> {
  return fs.readFile(p, 'utf8');
}

async function mode(p: string): Promise<number> {
  return (await fs.stat(p)).mode & 0o777;
}

describe('podspec/volumes', () => {
  let podDir: string;
  beforeEach(async () => {
    podDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-podvol-'));
  });
  afterEach(async () => {
    await cleanupVolumes(podDir).catch(() => undefined);
    await fs.rm(podDir, { recursive: true, force: true });
  });

  it('prepares every supported kind where the layout says', async () => {
    const pod = podWith([
      { name: 'scratch', emptyDir: {} },
      { name: 'defaulted' },
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'cfg-items', configMap: { name: 'cfg', defaultMode: 0o600, items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o640 }, { key: 'blob.bin', path: 'blob' }] } },
      { name: 'creds', secret: { secretName: 'creds' } },
      {
        name: 'info',
        downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
            { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'requests.cpu', divisor: '1m' } },
          ],
        },
      },
      {
        name: 'all-in-one',
        projected: {
          defaultMode: 0o440,
          sources: [
            { configMap: { name: 'cfg', items: [{ key: 'other', path: 'cfg/other' }] } },
            { secret: { name: 'creds', items: [{ key: 'password', path: 'secret/password' }] } },
            { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ]);
    const vols = await prepareVolumes(pod, podDir, sources());
    const root = path.join(podDir, 'volumes');
    expect([...vols.entries()].map(([n, v]) => [n, path.relative(root, v.hostPath), v.readOnly])).to.deep.equal([
      ['scratch', 'empty-dir/scratch', false],
      ['defaulted', 'empty-dir/defaulted', false],
      ['cfg', 'configmap/cfg', true],
      ['cfg-items', 'configmap/cfg-items', true],
      ['creds', 'secret/creds', true],
      ['info', 'downward-api/info', true],
      ['all-in-one', 'projected/all-in-one', true],
    ]);
    expect(await mode(path.join(root, 'empty-dir/scratch'))).to.equal(0o777);
    expect(await read(path.join(root, 'configmap/cfg/app.conf'))).to.equal('port=80');
    expect(await fs.readFile(path.join(root, 'configmap/cfg/blob.bin'))).to.deep.equal(Buffer.from([0, 1, 2, 255]));
    expect(await mode(path.join(root, 'configmap/cfg/app.conf'))).to.equal(0o644);
    expect((await fs.readdir(path.join(root, 'configmap/cfg-items'))).filter((n) => !n.startsWith('..')).sort()).to.deep.equal(['blob', 'conf']);
    expect(await mode(path.join(root, 'configmap/cfg-items/conf/app.conf'))).to.equal(0o640);
    expect(await mode(path.join(root, 'configmap/cfg-items/blob'))).to.equal(0o600);
    expect(await read(path.join(root, 'secret/creds/password'))).to.equal('hunter2');
    expect(await fs.readFile(path.join(root, 'secret/creds/tls.key'))).to.deep.equal(Buffer.from([0xff, 0xfe]));
    expect(await mode(path.join(root, 'secret/creds/password'))).to.equal(0o644);
    expect(await mode(path.join(root, 'secret'))).to.equal(0o700);
    expect(await read(path.join(root, 'downward-api/info/labels'))).to.equal('app="web"');
    expect(await read(path.join(root, 'downward-api/info/name'))).to.equal('web');
    expect(await read(path.join(root, 'downward-api/info/mem'))).to.equal('64');
    expect(await read(path.join(root, 'downward-api/info/cpu'))).to.equal('500');
    expect(await read(path.join(root, 'projected/all-in-one/cfg/other'))).to.equal('o');
    expect(await read(path.join(root, 'projected/all-in-one/secret/password'))).to.equal('hunter2');
    expect(await read(path.join(root, 'projected/all-in-one/ns'))).to.equal('default');
    expect(await mode(path.join(root, 'projected/all-in-one/ns'))).to.equal(0o440);
  });

  it('refreshes content in place when run again', async () => {
    const pod = podWith([{ name: 'cfg', configMap: { name: 'cfg' } }]);
    const cm: Record<string, ConfigMapContent> = { 'default/cfg': { data: { a: '1', b: '2' }, binaryData: {} } };
    await prepareVolumes(pod, podDir, sources({ configMaps: cm }));
    cm['default/cfg'] = { data: { a: 'new' }, binaryData: {} };
    const vols = await prepareVolumes(pod, podDir, sources({ configMaps: cm }));
    const dir = vols.get('cfg')!.hostPath;
    expect(await read(path.join(dir, 'a'))).to.equal('new');
    expect((await fs.readdir(dir)).filter((n) => !n.startsWith('..'))).to.deep.equal(['a']);
  });

  it('leaves an optional volume whose object is missing empty', async () => {
    const pod = podWith([
      { name: 'cfg', configMap: { name: 'nope', optional: true } },
      { name: 'sec', secret: { secretName: 'nope', optional: true } },
      { name: 'keys', configMap: { name: 'cfg', optional: true, items: [{ key: 'missing', path: 'x' }, { key: 'other', path: 'y' }] } },
    ]);
    const vols = await prepareVolumes(pod, podDir, sources());
    expect((await fs.readdir(vols.get('cfg')!.hostPath)).filter((n) => !n.startsWith('..'))).to.deep.equal([]);
    expect((await fs.readdir(vols.get('sec')!.hostPath)).filter((n) => !n.startsWith('..'))).to.deep.equal([]);
    expect((await fs.readdir(vols.get('keys')!.hostPath)).filter((n) => !n.startsWith('..'))).to.deep.equal(['y']);
  });

  it('returns hostPath volumes as the node path', async () => {
    const target = path.join(podDir, 'host-data');
    const vols = await prepareVolumes(podWith([{ name: 'data', hostPath: { path: target, type: 'DirectoryOrCreate' } }]), podDir, sources());
    expect(vols.get('data')).to.deep.equal({ hostPath: target, readOnly: false });
  });

  const failures: { name: string; volumes: Volume[]; type: typeof PodSpecError; message: RegExp; field: string }[] = [
    { name: 'unknown volume type', volumes: [{ name: 'a' }, { name: 'b', nfs: { server: 'x', path: '/' } }], type: VolumeError, message: /volume type nfs is not supported/, field: 'spec.volumes[1]' },
    { name: 'claim without claim sources', volumes: [{ name: 'b', persistentVolumeClaim: { claimName: 'x' } }], type: VolumeError, message: /^error processing PVC default\/x: persistentVolumeClaim volumes are not available on this node$/, field: 'spec.volumes[0].persistentVolumeClaim' },
    { name: 'two volume types', volumes: [{ name: 'a', emptyDir: {}, hostPath: { path: '/tmp' } }], type: VolumeError, message: /only one volume type/, field: 'spec.volumes[0]' },
    { name: 'missing configmap', volumes: [{ name: 'a', configMap: { name: 'x' } }], type: VolumeError, message: /^configmap "x" not found$/, field: 'spec.volumes[0].configMap' },
    { name: 'missing secret', volumes: [{ name: 'a', secret: { secretName: 'x' } }], type: VolumeError, message: /^secret "x" not found$/, field: 'spec.volumes[0].secret' },
    { name: 'secret without a name', volumes: [{ name: 'a', secret: {} }], type: VolumeError, message: /required/, field: 'spec.volumes[0].secret.secretName' },
    {
      name: 'missing configmap key',
      volumes: [{ name: 'a', configMap: { name: 'cfg', items: [{ key: 'nope', path: 'x' }] } }],
      type: VolumeError,
      message: /^configmap references non-existent config key: nope$/,
      field: 'spec.volumes[0].configMap.items[0].key',
    },
    {
      name: 'missing secret key',
      volumes: [{ name: 'a', secret: { secretName: 'creds', items: [{ key: 'nope', path: 'x' }] } }],
      type: VolumeError,
      message: /^references non-existent secret key: nope$/,
      field: 'spec.volumes[0].secret.items[0].key',
    },
    { name: 'climbing item path', volumes: [{ name: 'a', configMap: { name: 'cfg', items: [{ key: 'other', path: '../../etc/x' }] } }], type: VolumeError, message: /'\.\.'/, field: 'spec.volumes[0].configMap.items[0].path' },
    { name: 'absolute item path', volumes: [{ name: 'a', downwardAPI: { items: [{ path: '/x', fieldRef: { fieldPath: 'metadata.name' } }] } }], type: VolumeError, message: /relative/, field: 'spec.volumes[0].downwardAPI.items[0].path' },
    { name: 'bad mode', volumes: [{ name: 'a', configMap: { name: 'cfg', defaultMode: 0o1777 } }], type: VolumeError, message: /mode/, field: 'spec.volumes[0].configMap.defaultMode' },
    { name: 'node-only field in a volume', volumes: [{ name: 'a', downwardAPI: { items: [{ path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } }], type: VolumeError, message: /unsupported fieldPath/, field: 'spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath' },
    { name: 'resource without a container', volumes: [{ name: 'a', downwardAPI: { items: [{ path: 'c', resourceFieldRef: { resource: 'limits.cpu' } }] } }], type: VolumeError, message: /containerName is required/, field: 'spec.volumes[0].downwardAPI.items[0].resourceFieldRef.containerName' },
    { name: 'token projection', volumes: [{ name: 'a', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }], type: VolumeError, message: /only configMap, secret and downwardAPI/, field: 'spec.volumes[0].projected.sources[0]' },
    { name: 'unsupported medium', volumes: [{ name: 'a', emptyDir: { medium: 'HugePages' } }], type: VolumeError, message: /medium/, field: 'spec.volumes[0].emptyDir.medium' },
    { name: 'bad volume name', volumes: [{ name: '../etc', emptyDir: {} }], type: PodSpecError, message: /DNS label/, field: 'spec.volumes[0].name' },
    { name: 'duplicate volume name', volumes: [{ name: 'a' }, { name: 'a' }], type: PodSpecError, message: /duplicate/, field: 'spec.volumes[1].name' },
  ];
  for (const tc of failures) {
    it(`fails: ${tc.name}`, async () => {
      const err = await prepareVolumes(podWith(tc.volumes), podDir, sources()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(tc.type);
      expect((err as PodSpecError).message).to.match(tc.message);
      expect((err as PodSpecError).field).to.equal(tc.field);
    });
  }

  it('refuses to write through a symlink planted in the volume tree', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-outside-'));
    try {
      await fs.mkdir(path.join(podDir, 'volumes', 'configmap'), { recursive: true });
      await fs.symlink(outside, path.join(podDir, 'volumes', 'configmap', 'cfg'));
      const err = await prepareVolumes(podWith([{ name: 'cfg', configMap: { name: 'cfg' } }]), podDir, sources()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(VolumeError);
      expect(await fs.readdir(outside)).to.deep.equal([]);
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  (isRoot ? describe : describe.skip)('memory-backed emptyDir (needs root)', () => {
    async function tmpfsAt(dir: string): Promise<{ superOptions: string } | undefined> {
      return (await listMounts()).find((m) => m.mountPoint === dir && m.fsType === 'tmpfs');
    }

    it('mounts a tmpfs sized by the smallest limit and unmounts it on cleanup', async () => {
      const pod = podWith([
        { name: 'small', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        { name: 'pod-limited', emptyDir: { medium: 'Memory' } },
      ]);
      const vols = await prepareVolumes(pod, podDir, sources());
      const small = vols.get('small')!.hostPath;
      const podLimited = vols.get('pod-limited')!.hostPath;
      expect((await tmpfsAt(small))?.superOptions).to.match(/size=1024k/);
      expect((await tmpfsAt(podLimited))?.superOptions, 'capped by the pod memory limit (64Mi)').to.match(/size=65536k/);
      expect(await mode(small)).to.equal(0o777);
      await fs.writeFile(path.join(small, 'data'), 'x');

      // Running again does not stack a second mount.
      await prepareVolumes(pod, podDir, sources());
      expect((await listMounts()).filter((m) => m.mountPoint === small)).to.have.length(1);

      await cleanupVolumes(podDir);
      expect(await tmpfsAt(small)).to.equal(undefined);
      expect(await tmpfsAt(podLimited)).to.equal(undefined);
      await fs.access(path.join(podDir, 'volumes')).then(
        () => expect.fail('volumes should be gone'),
        () => undefined,
      );
    });
  });

  it('cleanupVolumes removes everything and tolerates a pod without volumes', async () => {
    await prepareVolumes(podWith([{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'e', emptyDir: {} }]), podDir, sources());
    await cleanupVolumes(podDir);
    expect(await fs.readdir(podDir)).to.deep.equal([]);
    await cleanupVolumes(podDir);
  });
});
