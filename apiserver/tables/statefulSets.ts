// `kubectl get statefulsets`, with kubectl's columns and cells.

import type { V1StatefulSet } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, containerCells, int, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

export const statefulSetPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Ready', 'string', 'Number of the pods that are ready out of the replicas wanted.'),
    ageColumn,
    column('Containers', 'string', 'Names of each container in the template.', { priority: 1 }),
    column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 }),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const sts = as<V1StatefulSet>(obj);
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    return [nameOf(obj), `${int(sts.status?.readyReplicas)}/${int(sts.spec?.replicas)}`, age(obj), names, images];
  },
});
