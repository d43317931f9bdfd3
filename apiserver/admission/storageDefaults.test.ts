import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { admitPersistentVolume, admitPersistentVolumeClaim, defaultStorageClass, type StorageClassLookup } from './storageDefaults.js';

const sc = (name: string, created: string, isDefault?: string, beta = false): KubeObject => ({
  metadata: {
    name,
    creationTimestamp: created,
    ...(isDefault === undefined ? {} : { annotations: { [beta ? 'storageclass.beta.kubernetes.io/is-default-class' : 'storageclass.kubernetes.io/is-default-class']: isDefault } }),
  },
  provisioner: 'p',
});
const lookup = (classes: KubeObject[]): StorageClassLookup => ({ get: (n) => classes.find((c) => c.metadata.name === n), list: () => classes });

describe('DefaultStorageClass: which class is the default', () => {
  const cases: { name: string; classes: KubeObject[]; want: string | undefined }[] = [
    { name: 'none marked', classes: [sc('a', '2026-01-01T00:00:00Z'), sc('b', '2026-01-01T00:00:00Z', 'false')], want: undefined },
    { name: 'one marked', classes: [sc('a', '2026-01-01T00:00:00Z'), sc('b', '2026-01-01T00:00:00Z', 'true')], want: 'b' },
    { name: 'the beta annotation counts', classes: [sc('old', '2026-01-01T00:00:00Z', 'true', true)], want: 'old' },
    { name: 'several: the newest', classes: [sc('a', '2026-01-02T00:00:00Z', 'true'), sc('b', '2026-01-03T00:00:00Z', 'true'), sc('c', '2026-01-01T00:00:00Z', 'true')], want: 'b' },
    { name: 'several of the same second: the first by name', classes: [sc('z', '2026-01-02T00:00:00Z', 'true'), sc('m', '2026-01-02T00:00:00Z', 'true')], want: 'm' },
  ];
  for (const tc of cases) it(tc.name, () => expect(defaultStorageClass(lookup(tc.classes))?.metadata.name).to.equal(tc.want));
});

describe('admitPersistentVolumeClaim', () => {
  const classes = lookup([sc('local-path', '2026-01-01T00:00:00Z', 'true')]);
  const claim = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'c', ...meta }, spec });
  const cases: { name: string; pvc: KubeObject; classes?: StorageClassLookup; wantClass: unknown; wantFinalizers: string[] }[] = [
    { name: 'no class: the default', pvc: claim({}), wantClass: 'local-path', wantFinalizers: ['kubernetes.io/pvc-protection'] },
    { name: 'null class: the default', pvc: claim({ storageClassName: null }), wantClass: 'local-path', wantFinalizers: ['kubernetes.io/pvc-protection'] },
    { name: '"" means no class and stays', pvc: claim({ storageClassName: '' }), wantClass: '', wantFinalizers: ['kubernetes.io/pvc-protection'] },
    { name: 'a named class stays', pvc: claim({ storageClassName: 'fast' }), wantClass: 'fast', wantFinalizers: ['kubernetes.io/pvc-protection'] },
    { name: 'the beta annotation names a class', pvc: claim({}, { annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' } }), wantClass: undefined, wantFinalizers: ['kubernetes.io/pvc-protection'] },
    { name: 'no default class: none set', pvc: claim({}), classes: lookup([]), wantClass: undefined, wantFinalizers: ['kubernetes.io/pvc-protection'] },
    { name: 'the finalizer once, after the client\'s', pvc: claim({ storageClassName: 'x' }, { finalizers: ['example.com/mine', 'kubernetes.io/pvc-protection'] }), wantClass: 'x', wantFinalizers: ['example.com/mine', 'kubernetes.io/pvc-protection'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      admitPersistentVolumeClaim(tc.pvc, tc.classes ?? classes);
      expect((tc.pvc.spec as Record<string, unknown>).storageClassName).to.equal(tc.wantClass);
      expect(tc.pvc.metadata.finalizers).to.deep.equal(tc.wantFinalizers);
    });
  }
});

describe('admitPersistentVolume', () => {
  it('adds the pv-protection finalizer once', () => {
    const pv: KubeObject = { metadata: { name: 'v', finalizers: ['storage.gantry.dev/local-path-cleanup'] } };
    admitPersistentVolume(pv);
    admitPersistentVolume(pv);
    expect(pv.metadata.finalizers).to.deep.equal(['storage.gantry.dev/local-path-cleanup', 'kubernetes.io/pv-protection']);
  });
});
