import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { persistentVolumeStrategy } from './persistentVolumes.js';

type Obj = Record<string, unknown>;
const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } };
const local = (extra: Obj = {}): Obj => ({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/var/lib/gantry/local-path/v' }, nodeAffinity: affinity, ...extra });

function admit(spec: Obj): { pv: KubeObject; causes: FieldCause[] } {
  const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: structuredClone(spec) } as KubeObject;
  persistentVolumeStrategy.prepareForCreate!(pv);
  persistentVolumeStrategy.defaults!(pv);
  return { pv, causes: persistentVolumeStrategy.validate!(pv) };
}
const fields = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

describe('persistentvolume strategy: defaults', () => {
  it('Retain, Filesystem, Pending', () => {
    const { pv, causes } = admit(local());
    expect(causes).to.deep.equal([]);
    expect(pv.spec).to.deep.include({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
    expect(pv.status).to.deep.equal({ phase: 'Pending' });
  });
  it('a host path\'s type defaults to "" (no check); given values are kept', () => {
    const { pv, causes } = admit({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'], hostPath: { path: '/srv' }, persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Block' });
    expect(causes).to.deep.equal([]);
    expect(pv.spec).to.deep.include({ hostPath: { path: '/srv', type: '' }, persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Block' });
  });
});

describe('persistentvolume strategy: validation', () => {
  const cases: { name: string; spec: Obj; want: string[] }[] = [
    { name: 'nothing at all', spec: {}, want: ['spec.accessModes: Required value', 'spec.capacity: Required value', 'spec.capacity: Unsupported value: {}: supported values: "storage"', 'spec: Required value: must specify a volume type'] },
    { name: 'capacity other than storage', spec: local({ capacity: { storage: '1Gi', cpu: '1' } }), want: ['spec.capacity: Unsupported value: {"storage":"1Gi","cpu":"1"}: supported values: "storage"'] },
    { name: 'zero capacity', spec: local({ capacity: { storage: '0' } }), want: ['spec.capacity[storage]: Invalid value: "0": must be greater than zero'] },
    { name: 'an unknown access mode, ReadWriteOncePod with another', spec: local({ accessModes: ['ReadWriteOncePod', 'Sometimes'] }), want: ['spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"', 'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes'] },
    { name: 'an unknown reclaim policy and volume mode', spec: local({ persistentVolumeReclaimPolicy: 'Keep', volumeMode: 'Tape' }), want: ['spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"', 'spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"'] },
    { name: 'a bad class name', spec: local({ storageClassName: 'Fast!' }), want: ['spec.storageClassName: Invalid value: "Fast!": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')'] },
    { name: 'two sources', spec: local({ hostPath: { path: '/tmp' } }), want: ['spec.local: Forbidden: may not specify more than 1 volume type'] },
    { name: 'a source Gantry does not mount', spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'], nfs: { server: 's', path: '/x' } }, want: ['spec.nfs: Forbidden: Gantry mounts only hostPath and local volumes'] },
    { name: 'local without node affinity', spec: local({ nodeAffinity: undefined }), want: ['spec.nodeAffinity: Required value: Local volumes require node affinity'] },
    { name: 'local with a relative path, or ..', spec: local({ local: { path: 'data' } }), want: ['spec.local.path: Invalid value: "data": must be an absolute path'] },
    { name: 'local path climbing out', spec: local({ local: { path: '/var/../etc' } }), want: ['spec.local.path: Invalid value: "/var/../etc": must not contain \'..\''] },
    { name: 'host path without a path, with an unknown type', spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '', type: 'Pipe' } }, want: ['spec.hostPath.path: Required value', 'spec.hostPath.type: Unsupported value: "Pipe": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"'] },
    { name: 'node affinity without required terms', spec: local({ nodeAffinity: {} }), want: ['spec.nodeAffinity.required: Required value: must specify required node constraints', 'spec.nodeAffinity: Required value: Local volumes require node affinity'] },
    {
      name: 'node affinity with bad requirements',
      spec: local({ nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In' }, { key: 'k', operator: 'Exists', values: ['v'] }, { key: 'k', operator: 'Near', values: ['v'] }, { key: 'k', operator: 'Gt', values: ['1', '2'] }] }] } } }),
      want: [
        'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is \'In\' or \'NotIn\'',
        'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[1].values: Forbidden: may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'',
        'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[2].operator: Unsupported value: "Near": supported values: "DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"',
        'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[3].values: Required value: must be specified single value when `operator` is \'Lt\' or \'Gt\'',
      ],
    },
    { name: 'no node selector terms', spec: local({ nodeAffinity: { required: { nodeSelectorTerms: [] } } }), want: ['spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term'] },
    { name: 'a claim reference without a name', spec: local({ claimRef: { namespace: 'a' } }), want: ['spec.claimRef.name: Required value'] },
    { name: 'Recycle of a host path of /', spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/' }, persistentVolumeReclaimPolicy: 'Recycle' }, want: ['spec.persistentVolumeReclaimPolicy: Forbidden: may not be \'recycle\' for a hostPath mount of \'/\''] },
  ];
  for (const tc of cases) it(tc.name, () => expect(fields(admit(tc.spec).causes)).to.have.members(tc.want));
});

describe('persistentvolume strategy: updates', () => {
  const old = admit(local({ claimRef: { namespace: 'a', name: 'c' } })).pv;
  const update = (change: (spec: Obj) => void): string[] => {
    const next = structuredClone(old);
    change(next.spec as Obj);
    return fields(persistentVolumeStrategy.validateUpdate!(next, old));
  };
  const cases: { name: string; change: (spec: Obj) => void; want: string[] }[] = [
    { name: 'capacity, access modes, reclaim policy, class, claim may change', change: (s) => Object.assign(s, { capacity: { storage: '2Gi' }, accessModes: ['ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'x', claimRef: null }), want: [] },
    { name: 'the path may not', change: (s) => (s.local = { path: '/elsewhere' }), want: ['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation'] },
    { name: 'nor the kind of source', change: (s) => Object.assign(s, { local: undefined, hostPath: { path: '/x' } }), want: ['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation'] },
    { name: 'nor the volume mode', change: (s) => (s.volumeMode = 'Block'), want: ['spec.volumeMode: Invalid value: "Block": field is immutable'] },
    { name: 'nor the node affinity', change: (s) => (s.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] } }), want: ['spec.nodeAffinity: Invalid value: {"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["n2"]}]}]}}: field is immutable'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(update(tc.change)).to.deep.equal(tc.want));
});
