// `kubectl get persistentvolumes`, with kubectl's columns and cells.

import type { V1PersistentVolume } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { canonicalQuantity, isQuantity } from '../../common/quantity.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** kubectl's short access modes, in its fixed order and each once: `RWO,ROX,RWX,RWOP`. */
export function accessModesCell(modes: readonly string[] | undefined): string {
  const given = new Set(modes ?? []);
  const short: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];
  return short.filter(([mode]) => given.has(mode)).map(([, s]) => s).join(',');
}

/** A storage quantity as Go's Quantity.String() prints it ("" when absent). */
export function storageCell(v: unknown): string {
  if (!isQuantity(v)) return '';
  try {
    return canonicalQuantity(v);
  } catch {
    return String(v);
  }
}

/** The class a volume or claim belongs to: spec.storageClassName, else the beta annotation. */
export function storageClassOf(obj: KubeObject, specClass: string | undefined): string {
  return specClass ?? obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export const unsetCell = '<unset>';

export const persistentVolumePrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Capacity', 'string', 'The total amount of storage the volume provides.'),
    column('Access Modes', 'string', 'How the volume may be mounted (RWO, ROX, RWX, RWOP).'),
    column('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
    column('Status', 'string', 'The phase of the volume: Pending, Available, Bound, Released or Failed.'),
    column('Claim', 'string', 'The claim bound to the volume, as namespace/name.'),
    column('StorageClass', 'string', 'The StorageClass the volume belongs to.'),
    column('VolumeAttributesClass', 'string', 'The VolumeAttributesClass of the volume.'),
    column('Reason', 'string', 'Why the volume is in its phase, when it says.'),
    ageColumn,
    column('VolumeMode', 'string', 'Whether the volume is a filesystem or a raw block device.', { priority: 1 }),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const pv = as<V1PersistentVolume>(obj);
    const spec = pv.spec;
    const ref = spec?.claimRef;
    const claim = ref?.name ? `${ref.namespace ?? ''}/${ref.name}` : '';
    const phase = obj.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    return [
      nameOf(obj),
      storageCell(spec?.capacity?.storage),
      accessModesCell(spec?.accessModes),
      spec?.persistentVolumeReclaimPolicy ?? '',
      phase,
      claim,
      storageClassOf(obj, spec?.storageClassName),
      spec?.volumeAttributesClassName ?? unsetCell,
      pv.status?.reason ?? '',
      age(obj),
      spec?.volumeMode ?? unsetCell,
    ];
  },
});
