import { expect } from 'chai';
import { NOW, ago, make, SECOND } from './fixtures.js';
import { persistentVolumeClaimPrinter } from './persistentVolumeClaims.js';
import { accessModesCell, persistentVolumePrinter, storageCell } from './persistentVolumes.js';
import { storageClassPrinter } from './storageClasses.js';
import { statefulSetPrinter } from './statefulSets.js';
import type { TablePrinter } from './types.js';

const headers = (p: TablePrinter, priority: number): string =>
  p.columns
    .filter((c) => c.priority === priority)
    .map((c) => c.name.toUpperCase())
    .join(' ');

describe('storage and statefulset columns (kubectl\'s)', () => {
  const cases: { printer: TablePrinter; normal: string; wide: string }[] = [
    { printer: persistentVolumePrinter, normal: 'NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE', wide: 'VOLUMEMODE' },
    { printer: persistentVolumeClaimPrinter, normal: 'NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE', wide: 'VOLUMEMODE' },
    { printer: storageClassPrinter, normal: 'NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE', wide: '' },
    { printer: statefulSetPrinter, normal: 'NAME READY AGE', wide: 'CONTAINERS IMAGES' },
  ];
  for (const tc of cases) {
    it(tc.normal, () => {
      expect(headers(tc.printer, 0)).to.equal(tc.normal);
      expect(headers(tc.printer, 1)).to.equal(tc.wide);
    });
  }
});

describe('accessModesCell and storageCell', () => {
  const modes: { given: string[] | undefined; want: string }[] = [
    { given: undefined, want: '' },
    { given: ['ReadWriteOncePod', 'ReadWriteOnce'], want: 'RWO,RWOP' },
    { given: ['ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOnce', 'ReadWriteMany'], want: 'RWO,ROX,RWX' },
  ];
  for (const tc of modes) it(`${JSON.stringify(tc.given)} -> ${tc.want}`, () => expect(accessModesCell(tc.given)).to.equal(tc.want));
  const sizes: { given: unknown; want: string }[] = [
    { given: '2Gi', want: '2Gi' },
    { given: '1.5Gi', want: '1536Mi' },
    { given: 1000, want: '1k' },
    { given: undefined, want: '' },
  ];
  for (const tc of sizes) it(`${String(tc.given)} -> ${JSON.stringify(tc.want)}`, () => expect(storageCell(tc.given)).to.equal(tc.want));
});

describe('persistentVolumePrinter', () => {
  const cases: { name: string; fields: object; meta?: object; want: unknown[] }[] = [
    {
      name: 'a new local volume',
      fields: { spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local-path', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
      want: ['pv', '2Gi', 'RWO', 'Delete', 'Pending', '', 'local-path', '<unset>', '', '10m', 'Filesystem'],
    },
    {
      name: 'bound, with a reason',
      fields: { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'a', name: 'data' } }, status: { phase: 'Failed', reason: 'Recycle' } },
      want: ['pv', '1Gi', 'RWX', 'Retain', 'Failed', 'a/data', '', '<unset>', 'Recycle', '10m', '<unset>'],
    },
    {
      name: 'being deleted; class from the beta annotation',
      fields: { spec: { persistentVolumeReclaimPolicy: 'Retain' }, status: { phase: 'Bound' } },
      meta: { deletionTimestamp: ago(SECOND), annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } },
      want: ['pv', '', '', 'Retain', 'Terminating', '', 'old', '<unset>', '', '10m', '<unset>'],
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(persistentVolumePrinter.cells(make('PersistentVolume', 'pv', tc.fields as Record<string, unknown>, tc.meta as Record<string, unknown>), NOW)).to.deep.equal(tc.want));
});

describe('persistentVolumeClaimPrinter', () => {
  const cases: { name: string; fields: object; meta?: object; want: unknown[] }[] = [
    { name: 'pending: no volume, no capacity or modes', fields: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }, want: ['data', 'Pending', '', '', '', 'local-path', '<unset>', '10m', 'Filesystem'] },
    {
      name: 'bound: the volume\'s capacity and modes (status), not the request',
      fields: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-1', storageClassName: '' }, status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] } },
      want: ['data', 'Bound', 'pv-1', '2Gi', 'RWO,ROX', '', '<unset>', '10m', '<unset>'],
    },
    { name: 'being deleted', fields: { spec: {}, status: { phase: 'Bound' } }, meta: { deletionTimestamp: ago(SECOND) }, want: ['data', 'Terminating', '', '', '', '', '<unset>', '10m', '<unset>'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(persistentVolumeClaimPrinter.cells(make('PersistentVolumeClaim', 'data', tc.fields as Record<string, unknown>, tc.meta as Record<string, unknown>), NOW)).to.deep.equal(tc.want));
});

describe('storageClassPrinter', () => {
  const cases: { name: string; fields: object; meta?: object; want: unknown[] }[] = [
    { name: 'the default class', fields: { provisioner: 'gantry.dev/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' }, meta: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, want: ['local-path (default)', 'gantry.dev/local-path', 'Delete', 'WaitForFirstConsumer', false, '10m'] },
    { name: 'the beta annotation marks it too', fields: { provisioner: 'p', allowVolumeExpansion: true }, meta: { annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }, want: ['local-path (default)', 'p', 'Delete', 'Immediate', true, '10m'] },
    { name: '"false" is not default', fields: { provisioner: 'p', reclaimPolicy: 'Retain' }, meta: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } }, want: ['local-path', 'p', 'Retain', 'Immediate', false, '10m'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(storageClassPrinter.cells(make('StorageClass', 'local-path', tc.fields as Record<string, unknown>, tc.meta as Record<string, unknown>), NOW)).to.deep.equal(tc.want));
});

describe('statefulSetPrinter', () => {
  const template = { spec: { containers: [{ name: 'db', image: 'postgres:16' }, { name: 'exporter', image: 'exporter:1' }] } };
  const cases: { name: string; fields: object; want: unknown[] }[] = [
    { name: 'new: no status', fields: { spec: { replicas: 3, template } }, want: ['db', '0/3', '10m', 'db,exporter', 'postgres:16,exporter:1'] },
    { name: 'some ready', fields: { spec: { replicas: 3, template }, status: { replicas: 3, readyReplicas: 2 } }, want: ['db', '2/3', '10m', 'db,exporter', 'postgres:16,exporter:1'] },
    { name: 'scaled to 0', fields: { spec: { replicas: 0 } }, want: ['db', '0/0', '10m', '', ''] },
  ];
  for (const tc of cases) it(tc.name, () => expect(statefulSetPrinter.cells(make('StatefulSet', 'db', tc.fields as Record<string, unknown>), NOW)).to.deep.equal(tc.want));
});
