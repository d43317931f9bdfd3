// `kubectl get statefulsets`, with kubectl's columns and cells.

import type { V1StatefulSet } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { ageColumn, ageOf, as, containerCells, int, nameColumn, nameOf } from './cells.js';
import { column, type TablePrinter } from './types.js';

export const statefulSetPrinter: TablePrinter = {
  columns: [
    nameColumn,
    column('Ready', 'string', 'Number of the pods that are ready out of the replicas wanted.'),
    ageColumn,
    column('Containers', 'string', 'Names of each container in the template.', { priority: 1 }),
    column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 }),
  ],
  cells(obj: KubeObject, now: number): unknown[] {
    const sts = as<V1StatefulSet>(obj);
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    return [nameOf(obj), `${int(sts.status?.readyReplicas)}/${int(sts.spec?.replicas)}`, ageOf(obj, now), names, images];
  },
};
