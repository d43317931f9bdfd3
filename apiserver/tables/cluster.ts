// `kubectl get namespaces`, `leases` and `priorityclasses`.

import type { V1Lease, V1Namespace, V1PriorityClass } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { ageColumn, ageOf, as, int, nameColumn, nameOf } from './cells.js';
import { column, type TablePrinter } from './types.js';

export const namespacePrinter: TablePrinter = {
  columns: [nameColumn, column('Status', 'string', 'Active, or Terminating while being deleted.'), ageColumn],
  cells(obj: KubeObject, now: number): unknown[] {
    return [nameOf(obj), as<V1Namespace>(obj).status?.phase ?? '', ageOf(obj, now)];
  },
};

export const leasePrinter: TablePrinter = {
  columns: [nameColumn, column('Holder', 'string', 'Identity of the current holder of the lease.'), ageColumn],
  cells(obj: KubeObject, now: number): unknown[] {
    return [nameOf(obj), as<V1Lease>(obj).spec?.holderIdentity ?? '', ageOf(obj, now)];
  },
};

export const priorityClassPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Value', 'integer', 'Priority given to pods of this class; higher is more important.'),
    column('Global-Default', 'boolean', 'Whether pods without a priority class get this one.'),
    ageColumn,
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.'),
  ],
  cells(obj: KubeObject, now: number): unknown[] {
    const pc = as<V1PriorityClass>(obj);
    return [nameOf(obj), int(pc.value), pc.globalDefault === true, ageOf(obj, now), pc.preemptionPolicy ?? ''];
  },
};
