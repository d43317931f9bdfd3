import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { persistentVolumeClaimStrategy } from './persistentVolumeClaims.js';

type Obj = Record<string, unknown>;
const spec = (extra: Obj = {}): Obj => ({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra });

function admit(s: Obj): { pvc: KubeObject; causes: FieldCause[] } {
  const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'a' }, spec: structuredClone(s) } as KubeObject;
  persistentVolumeClaimStrategy.prepareForCreate!(pvc);
  persistentVolumeClaimStrategy.defaults!(pvc);
  return { pvc, causes: persistentVolumeClaimStrategy.validate!(pvc) };
}
const fields = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

describe('persistentvolumeclaim strategy: defaults', () => {
  it('Filesystem, Pending; no class chosen here (admission does that)', () => {
    const { pvc, causes } = admit(spec());
    expect(causes).to.deep.equal([]);
    expect(pvc.spec).to.deep.equal({ ...spec(), volumeMode: 'Filesystem' });
    expect(pvc.status).to.deep.equal({ phase: 'Pending' });
  });
});

describe('persistentvolumeclaim strategy: validation', () => {
  const cases: { name: string; spec: Obj; want: string[] }[] = [
    { name: 'nothing at all', spec: {}, want: ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value'] },
    { name: 'a zero request', spec: spec({ resources: { requests: { storage: 0 } } }), want: ['spec.resources[storage]: Invalid value: 0: must be greater than zero'] },
    { name: 'an unknown access mode', spec: spec({ accessModes: ['ReadWriteSometimes'] }), want: ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'] },
    { name: 'ReadWriteOncePod with another mode', spec: spec({ accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] }), want: ['spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes'] },
    { name: 'an unknown volume mode', spec: spec({ volumeMode: 'Tape' }), want: ['spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"'] },
    { name: 'a bad selector', spec: spec({ selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } }), want: ['spec.selector.matchExpressions[0]: the values of "tier" for \'in\' must not be empty'] },
    { name: '"" is a valid class name: explicitly none', spec: spec({ storageClassName: '' }), want: [] },
  ];
  for (const tc of cases) it(tc.name, () => expect(fields(admit(tc.spec).causes)).to.have.members(tc.want));
});

describe('persistentvolumeclaim strategy: updates', () => {
  const immutable = 'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';
  const pending = admit(spec({ storageClassName: 'local-path' })).pvc;
  const bound = structuredClone(pending);
  (bound.spec as Obj).volumeName = 'pv-1';
  bound.status = { phase: 'Bound' };
  const update = (old: KubeObject, change: (s: Obj) => void): string[] => {
    const next = structuredClone(old);
    change(next.spec as Obj);
    return fields(persistentVolumeClaimStrategy.validateUpdate!(next, old));
  };
  const storage = (s: Obj, v: string): void => {
    (s.resources as { requests: Obj }).requests.storage = v;
  };
  const cases: { name: string; old: KubeObject; change: (s: Obj) => void; want: string[] }[] = [
    { name: 'the binder names the volume once', old: pending, change: (s) => (s.volumeName = 'pv-1'), want: [] },
    { name: 'never a second time', old: bound, change: (s) => (s.volumeName = 'pv-2'), want: [immutable] },
    { name: 'nor removes it', old: bound, change: (s) => delete s.volumeName, want: [immutable] },
    { name: 'a pending claim keeps its size', old: pending, change: (s) => storage(s, '2Gi'), want: [immutable] },
    { name: 'a bound claim may grow (the class decides in admission)', old: bound, change: (s) => storage(s, '2Gi'), want: [] },
    { name: 'a bound claim may not shrink', old: bound, change: (s) => storage(s, '512Mi'), want: ['spec.resources.requests.storage: Forbidden: field can not be less than previous value'] },
    { name: 'the same size written differently is the same', old: bound, change: (s) => storage(s, '1024Mi'), want: [] },
    { name: 'access modes are frozen', old: bound, change: (s) => (s.accessModes = ['ReadWriteMany']), want: [immutable] },
    { name: 'the class is frozen', old: pending, change: (s) => (s.storageClassName = 'other'), want: [immutable] },
  ];
  for (const tc of cases) it(tc.name, () => expect(update(tc.old, tc.change)).to.deep.equal(tc.want));
});
