// `kubectl get namespaces`, `leases` and `priorityclasses`.

import type { V1Lease, V1Namespace, V1PriorityClass } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, int, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

export const namespacePrinter = templatePrinter({
  columns: [nameColumn, column('Status', 'string', 'Active, or Terminating while being deleted.'), ageColumn],
  template(obj: KubeObject): TemplateCell[] {
    return [nameOf(obj), as<V1Namespace>(obj).status?.phase ?? '', age(obj)];
  },
});

export const leasePrinter = templatePrinter({
  columns: [nameColumn, column('Holder', 'string', 'Identity of the current holder of the lease.'), ageColumn],
  template(obj: KubeObject): TemplateCell[] {
    return [nameOf(obj), as<V1Lease>(obj).spec?.holderIdentity ?? '', age(obj)];
  },
});

export const priorityClassPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Value', 'integer', 'Priority given to pods of this class; higher is more important.'),
    column('Global-Default', 'boolean', 'Whether pods without a priority class get this one.'),
    ageColumn,
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.'),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const pc = as<V1PriorityClass>(obj);
    return [nameOf(obj), int(pc.value), pc.globalDefault === true, age(obj), pc.preemptionPolicy ?? ''];
  },
});
