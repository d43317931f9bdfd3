// core/v1 PersistentVolumes and PersistentVolumeClaims and storage.k8s.io/v1 StorageClasses
// through the real kubectl against a real API server and etcd: create -f, get with kubectl's
// columns (the default class marked), describe, the default class and protection finalizers
// admission adds, what may change and what may not, bad manifests answered with field paths,
// for kubectl 1.27 and 1.33. (Protobuf bodies: apiserver/protobuf/kubectlProtobuf.test.ts
// walks every served kind.)

import { expect } from 'chai';
import { kubectlSuite } from '../../testing/kubectlSuite.js';

type Obj = Record<string, unknown>;
const versions = [27, 33] as const;

const storageClass = (name: string, extra = ''): string => `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${name}
${extra}provisioner: gantry.dev/local-path
`;

const localVolume = (name: string, extra = ''): string => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  local: {path: /var/lib/gantry/local-path/${name}}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [node-1]}
${extra}`;

const claim = (name: string, extra = ''): string => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
${extra}`;

describe('PersistentVolumes, PersistentVolumeClaims and StorageClasses with the real kubectl (integration)', function () {
  this.timeout(180_000);
  const { cluster: c, run, ok, getJson, ns } = kubectlSuite({ versions, namespacePrefix: 'storage' });
  const fails = async (v: number, args: string[], input = ''): Promise<string> => {
    const out = await run(v, args, input);
    expect(out.code, `kubectl ${v} ${args.join(' ')} should fail: ${out.stdout}`).to.not.equal(0);
    return out.stderr;
  };
  const pvcPath = (v: number, name: string): string => `/api/v1/namespaces/${ns(v)}/persistentvolumeclaims/${name}`;
  const mergePatch = (p: string, body: unknown) => c.client.request('PATCH', p, { body, contentType: 'application/merge-patch+json' });

  it('StorageClasses: defaults, kubectl\'s columns with "(default)", immutable provisioning fields', async () => {
    for (const v of versions) {
      const def = `local-path-${v}`;
      expect(await ok(v, ['create', '-f', '-'], storageClass(def, 'metadata:\n  annotations: {storageclass.kubernetes.io/is-default-class: "true"}\nvolumeBindingMode: WaitForFirstConsumer\n').replace(`metadata:\n  name: ${def}\nmetadata:\n  annotations`, `metadata:\n  name: ${def}\n  annotations`))).to.equal(`storageclass.storage.k8s.io/${def} created\n`);
      expect(await ok(v, ['create', '-f', '-'], storageClass(`plain-${v}`))).to.equal(`storageclass.storage.k8s.io/plain-${v} created\n`);
      const plain = await getJson(`/apis/storage.k8s.io/v1/storageclasses/plain-${v}`);
      expect(plain).to.deep.include({ provisioner: 'gantry.dev/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
      const lines = (await ok(v, ['get', 'sc'])).trim().split('\n');
      expect(lines[0]).to.match(/^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/);
      expect(lines.find((l) => l.startsWith(def))).to.match(new RegExp(`^${def} \\(default\\)\\s+gantry\\.dev/local-path\\s+Delete\\s+WaitForFirstConsumer\\s+false\\s+\\d+s$`));
      expect(lines.find((l) => l.startsWith(`plain-${v}`))).to.match(new RegExp(`^plain-${v}\\s+gantry\\.dev/local-path\\s+Delete\\s+Immediate\\s+false\\s+\\d+s$`));
      expect(await ok(v, ['describe', 'sc', def])).to.match(/^IsDefaultClass:\s+Yes$/m);
      const changed = await fails(v, ['patch', 'sc', `plain-${v}`, '--type=merge', '-p', '{"parameters":{"a":"b"},"reclaimPolicy":"Retain","volumeBindingMode":"WaitForFirstConsumer"}']);
      expect(changed).to.contain(`The StorageClass "plain-${v}" is invalid`);
      expect(changed).to.contain('parameters: Forbidden: updates to parameters are forbidden.');
      expect(changed).to.contain('reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.');
      expect(changed).to.contain('volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable');
      // What may change does.
      expect(await ok(v, ['patch', 'sc', `plain-${v}`, '--type=merge', '-p', '{"allowVolumeExpansion":true}'])).to.equal(`storageclass.storage.k8s.io/plain-${v} patched\n`);
      const bad = await fails(v, ['create', '-f', '-'], `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: bad-${v}}\nprovisioner: ""\nreclaimPolicy: Recycle\nvolumeBindingMode: Later\n`);
      expect(bad).to.contain(`The StorageClass "bad-${v}" is invalid`);
      expect(bad).to.contain('provisioner: Required value');
      expect(bad).to.contain('reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"');
      expect(bad).to.contain('volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"');
    }
  });

  it('PersistentVolumes: Pending with the protection finalizer, kubectl\'s columns, describe', async () => {
    for (const v of versions) {
      expect(await ok(v, ['create', '-f', '-'], localVolume(`pv-${v}`))).to.equal(`persistentvolume/pv-${v} created\n`);
      const pv = await getJson(`/api/v1/persistentvolumes/pv-${v}`);
      expect((pv.metadata as Obj).finalizers).to.deep.equal(['kubernetes.io/pv-protection']);
      expect(pv.spec).to.deep.include({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
      expect(pv.status).to.deep.equal({ phase: 'Pending' });
      const lines = (await ok(v, ['get', 'pv', `pv-${v}`])).trim().split('\n');
      expect(lines[0]).to.match(/^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/);
      expect(lines[1]).to.match(new RegExp(`^pv-${v}\\s+2Gi\\s+RWO\\s+Retain\\s+Pending\\s+manual\\s+<unset>\\s+\\d+s$`));
      const wide = (await ok(v, ['get', 'persistentvolumes', `pv-${v}`, '-o', 'wide'])).trim().split('\n');
      expect(wide[0]).to.match(/\sAGE\s+VOLUMEMODE$/);
      expect(wide[1]).to.match(/\s+Filesystem$/);
      const described = await ok(v, ['describe', 'pv', `pv-${v}`]);
      expect(described).to.match(/^Name:\s+pv-\d+$/m);
      expect(described).to.match(/^Finalizers:\s+\[kubernetes\.io\/pv-protection\]$/m);
      expect(described).to.match(/^Status:\s+Pending$/m);
      expect(described).to.match(/^Capacity:\s+2Gi$/m);
      expect(described).to.match(/^\s+Type:\s+LocalVolume/m);
      expect(described).to.match(/^\s+Path:\s+\/var\/lib\/gantry\/local-path\/pv-\d+$/m);
    }
  });

  it('PersistentVolumes: bad manifests and updates Kubernetes refuses, with field paths', async () => {
    for (const v of versions) {
      const none = await fails(v, ['create', '-f', '-'], `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: empty-${v}}\nspec: {}\n`);
      expect(none).to.contain(`The PersistentVolume "empty-${v}" is invalid`);
      for (const w of ['spec.accessModes: Required value', 'spec.capacity: Required value', 'spec: Required value: must specify a volume type']) expect(none).to.contain(w);
      const noAffinity = await fails(v, ['create', '-f', '-'], localVolume(`na-${v}`).replace(/ {2}nodeAffinity:[\s\S]*$/, ''));
      expect(noAffinity).to.contain('spec.nodeAffinity: Required value: Local volumes require node affinity');
      const two = await fails(v, ['create', '-f', '-'], localVolume(`two-${v}`, '  hostPath: {path: /tmp}\n'));
      expect(two).to.contain('spec.local: Forbidden: may not specify more than 1 volume type');
      const nfs = await fails(v, ['create', '-f', '-'], `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: nfs-${v}}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteMany]\n  nfs: {server: 10.0.0.1, path: /export}\n`);
      expect(nfs).to.contain('spec.nfs: Forbidden: Gantry mounts only hostPath and local volumes');
      const modes = await fails(v, ['create', '-f', '-'], localVolume(`modes-${v}`).replace('accessModes: [ReadWriteOnce]', 'accessModes: [ReadWriteOncePod, ReadWriteMany, Sometimes]').replace('storage: 2Gi', 'storage: "0"'));
      expect(modes).to.contain('spec.accessModes: Unsupported value: "Sometimes"');
      expect(modes).to.contain('spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes');
      expect(modes).to.contain('spec.capacity[storage]: Invalid value: "0": must be greater than zero');
      const moved = await fails(v, ['patch', 'pv', `pv-${v}`, '--type=merge', '-p', '{"spec":{"local":{"path":"/elsewhere"}}}']);
      expect(moved).to.contain('spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation');
      // The reclaim policy and capacity may change.
      expect(await ok(v, ['patch', 'pv', `pv-${v}`, '--type=merge', '-p', '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}'])).to.equal(`persistentvolume/pv-${v} patched\n`);
    }
  });

  it('PersistentVolumeClaims: the default class, "" kept, the protection finalizer, kubectl\'s columns', async () => {
    // One default class left (the newest of several wins; both were made within one second).
    expect(await ok(33, ['annotate', 'sc', 'local-path-27', 'storageclass.kubernetes.io/is-default-class-'])).to.equal('storageclass.storage.k8s.io/local-path-27 annotated\n');
    for (const v of versions) {
      expect(await ok(v, ['create', '-n', ns(v), '-f', '-'], claim('data'))).to.equal('persistentvolumeclaim/data created\n');
      const pvc = await getJson(pvcPath(v, 'data'));
      expect(pvc.spec).to.deep.include({ storageClassName: 'local-path-33', volumeMode: 'Filesystem' });
      expect((pvc.metadata as Obj).finalizers).to.deep.equal(['kubernetes.io/pvc-protection']);
      expect(pvc.status).to.deep.equal({ phase: 'Pending' });
      expect(await ok(v, ['create', '-n', ns(v), '-f', '-'], claim('none', '  storageClassName: ""\n'))).to.equal('persistentvolumeclaim/none created\n');
      expect(((await getJson(pvcPath(v, 'none'))).spec as Obj).storageClassName).to.equal('');
      const lines = (await ok(v, ['get', 'pvc', '-n', ns(v)])).trim().split('\n');
      expect(lines[0]).to.match(/^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/);
      expect(lines.find((l) => l.startsWith('data'))).to.match(/^data\s+Pending\s+local-path-33\s+<unset>\s+\d+s$/);
      expect(await ok(v, ['get', 'all', '-n', ns(v)])).to.not.contain('persistentvolumeclaim');
      const resources = await ok(v, ['api-resources', '--no-headers']);
      expect(resources).to.match(/^persistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim$/m);
      expect(resources).to.match(/^persistentvolumes\s+pv\s+v1\s+false\s+PersistentVolume$/m);
      expect(resources).to.match(/^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass$/m);
    }
  });

  it('PersistentVolumeClaims: bound by the binder (volumeName once, then status), describe, growth only where the class allows it', async () => {
    for (const v of versions) {
      // What the binder does: name the volume, then say Bound in status.
      expect(await ok(v, ['patch', 'pvc', 'data', '-n', ns(v), '--type=merge', '-p', `{"spec":{"volumeName":"pv-${v}"}}`])).to.equal('persistentvolumeclaim/data patched\n');
      const repoint = await fails(v, ['patch', 'pvc', 'data', '-n', ns(v), '--type=merge', '-p', '{"spec":{"volumeName":"other"}}']);
      expect(repoint).to.contain('The PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
      const status = await mergePatch(`${pvcPath(v, 'data')}/status`, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } } });
      expect(status.status, status.text).to.equal(200);
      const line = (await ok(v, ['get', 'pvc', 'data', '-n', ns(v), '--no-headers'])).trim();
      expect(line).to.match(new RegExp(`^data\\s+Bound\\s+pv-${v}\\s+2Gi\\s+RWO\\s+local-path-33\\s+<unset>\\s+\\d+s$`));
      const described = await ok(v, ['describe', 'pvc', 'data', '-n', ns(v)]);
      expect(described).to.match(/^Status:\s+Bound$/m);
      expect(described).to.match(new RegExp(`^Volume:\\s+pv-${v}$`, 'm'));
      expect(described).to.match(/^StorageClass:\s+local-path-33$/m);
      expect(described).to.match(/^Finalizers:\s+\[kubernetes\.io\/pvc-protection\]$/m);
      // Growth: the default class does not allow expansion.
      const grow = await fails(v, ['patch', 'pvc', 'data', '-n', ns(v), '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}']);
      expect(grow).to.contain('Error from server (Forbidden)').and.to.contain('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
      const shrink = await fails(v, ['patch', 'pvc', 'data', '-n', ns(v), '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"500Mi"}}}}']);
      expect(shrink).to.contain('spec.resources.requests.storage: Forbidden: field can not be less than previous value');
      const modes = await fails(v, ['patch', 'pvc', 'data', '-n', ns(v), '--type=merge', '-p', '{"spec":{"accessModes":["ReadWriteMany"]}}']);
      expect(modes).to.contain('spec: Forbidden: spec is immutable after creation');
    }
  });

  it('PersistentVolumeClaims: a class that allows expansion lets a bound claim grow', async () => {
    const v = 33;
    expect(await ok(v, ['create', '-n', ns(v), '-f', '-'], claim('growing', `  storageClassName: plain-${v}\n`))).to.equal('persistentvolumeclaim/growing created\n');
    expect((await mergePatch(`${pvcPath(v, 'growing')}/status`, { status: { phase: 'Bound' } })).status).to.equal(200);
    expect(await ok(v, ['patch', 'pvc', 'growing', '-n', ns(v), '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"5Gi"}}}}'])).to.equal('persistentvolumeclaim/growing patched\n');
  });

  it('PersistentVolumeClaims: bad manifests with field paths', async () => {
    for (const v of versions) {
      const bad = await fails(v, ['create', '-n', ns(v), '-f', '-'], `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad}\nspec:\n  volumeMode: Tape\n  storageClassName: Not_A_Name\n  resources: {}\n`);
      expect(bad).to.contain('The PersistentVolumeClaim "bad" is invalid');
      for (const w of [
        'spec.accessModes: Required value: at least 1 access mode is required',
        'spec.resources[storage]: Required value',
        'spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"',
        'spec.storageClassName: Invalid value: "Not_A_Name"',
      ]) expect(bad, `kubectl 1.${v}`).to.contain(w);
    }
  });

  it('deleting a claim with the protection finalizer leaves it Terminating until the finalizer goes', async () => {
    const v = 33;
    expect(await ok(v, ['delete', 'pvc', 'none', '-n', ns(v), '--wait=false'])).to.equal('persistentvolumeclaim "none" deleted\n');
    expect((await ok(v, ['get', 'pvc', 'none', '-n', ns(v), '--no-headers'])).trim()).to.match(/^none\s+Terminating\s/);
    expect((await mergePatch(pvcPath(v, 'none'), { metadata: { finalizers: null } })).status).to.equal(200);
    expect((await c.client.get(pvcPath(v, 'none'))).status).to.equal(404);
  });
});
