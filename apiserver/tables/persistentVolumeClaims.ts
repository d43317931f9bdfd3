// `kubectl get persistentvolumeclaims`, with kubectl's columns and cells. Capacity and access
// modes are the bound volume's (status), so an unbound claim shows neither.

import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { accessModesCell, storageCell, storageClassOf, unsetCell } from './persistentVolumes.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

export const persistentVolumeClaimPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Status', 'string', 'The phase of the claim: Pending, Bound or Lost.'),
    column('Volume', 'string', 'The PersistentVolume bound to the claim.'),
    column('Capacity', 'string', 'The storage the bound volume provides.'),
    column('Access Modes', 'string', 'How the bound volume may be mounted (RWO, ROX, RWX, RWOP).'),
    column('StorageClass', 'string', 'The StorageClass the claim asks for.'),
    column('VolumeAttributesClass', 'string', 'The VolumeAttributesClass of the claim.'),
    ageColumn,
    column('VolumeMode', 'string', 'Whether the claim wants a filesystem or a raw block device.', { priority: 1 }),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const pvc = as<V1PersistentVolumeClaim>(obj);
    const spec = pvc.spec;
    const volume = spec?.volumeName ?? '';
    const phase = obj.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    return [
      nameOf(obj),
      phase,
      volume,
      volume ? storageCell(pvc.status?.capacity?.storage) : '',
      volume ? accessModesCell(pvc.status?.accessModes) : '',
      storageClassOf(obj, spec?.storageClassName),
      spec?.volumeAttributesClassName ?? unsetCell,
      age(obj),
      spec?.volumeMode ?? unsetCell,
    ];
  },
});
