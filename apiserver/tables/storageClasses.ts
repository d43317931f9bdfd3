// `kubectl get storageclasses`, with kubectl's columns and cells: a default class is marked
// "(default)" after its name.

import type { V1StorageClass } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { annBetaDefaultClass, annDefaultClass } from '../../common/api/storage.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

const defaultAnnotations = [annDefaultClass, annBetaDefaultClass];

export function isDefaultClass(obj: KubeObject): boolean {
  return defaultAnnotations.some((a) => obj.metadata.annotations?.[a] === 'true');
}

export const storageClassPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Provisioner', 'string', 'The provisioner that makes volumes of this class.'),
    column('ReclaimPolicy', 'string', 'What happens to a volume of this class when its claim is released.'),
    column('VolumeBindingMode', 'string', 'When claims of this class are bound: at once, or once a pod uses them.'),
    column('AllowVolumeExpansion', 'string', 'Whether claims of this class may grow.'),
    ageColumn,
  ],
  template(obj: KubeObject): TemplateCell[] {
    const sc = as<V1StorageClass>(obj);
    return [
      isDefaultClass(obj) ? `${nameOf(obj)} (default)` : nameOf(obj),
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      age(obj),
    ];
  },
});
