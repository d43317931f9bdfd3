// `kubectl get deployments` and `kubectl get replicasets`.

import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { formatLabelSelectorObject, labelSelectorFromObject } from '../../common/selectors/labels.js';
import { age, ageColumn, as, containerCells, containersColumns, int, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** `spec.replicas` defaults to 1 in Kubernetes when omitted. */
function desiredReplicas(replicas: number | undefined): number {
  return replicas === undefined ? 1 : int(replicas);
}

export const deploymentPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Ready', 'string', 'Ready pods out of desired pods.'),
    column('Up-to-date', 'string', 'Pods running the latest pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    ageColumn,
    ...containersColumns('Label selector for the pods of the deployment.'),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const d = as<V1Deployment>(obj);
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    // A deployment prints its selector as-is: "" when empty, <invalid> when it cannot be compiled.
    let selector: string;
    try {
      selector = labelSelectorFromObject(d.spec?.selector).toString();
    } catch {
      selector = '<invalid>';
    }
    return [
      nameOf(obj),
      `${int(d.status?.readyReplicas)}/${desiredReplicas(d.spec?.replicas)}`,
      int(d.status?.updatedReplicas),
      int(d.status?.availableReplicas),
      age(obj),
      names,
      images,
      selector,
    ];
  },
});

export const replicaSetPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Desired', 'integer', 'Number of pods wanted.'),
    column('Current', 'integer', 'Number of pods that exist.'),
    column('Ready', 'integer', 'Number of pods that are ready.'),
    ageColumn,
    ...containersColumns('Label selector for the pods of the replica set.'),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const rs = as<V1ReplicaSet>(obj);
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      desiredReplicas(rs.spec?.replicas),
      int(rs.status?.replicas),
      int(rs.status?.readyReplicas),
      age(obj),
      names,
      images,
      formatLabelSelectorObject(rs.spec?.selector),
    ];
  },
});
