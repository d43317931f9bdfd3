// `kubectl get daemonsets` and `kubectl get controllerrevisions`, with kubectl's columns and cells.

import type { V1ControllerRevision, V1DaemonSet } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { formatLabelSelectorObject, formatLabels } from '../../common/selectors/labels.js';
import { age, ageColumn, as, containerCells, int, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

export const daemonSetPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod.'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    column('Node Selector', 'string', 'The pod template\'s nodeSelector: a pod runs only on nodes with these labels.'),
    ageColumn,
    column('Containers', 'string', 'Names of each container in the template.', { priority: 1 }),
    column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 }),
    column('Selector', 'string', 'A label query over pods that are managed by the daemon set.', { priority: 1 }),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const ds = as<V1DaemonSet>(obj);
    const podSpec = ds.spec?.template?.spec;
    const [names, images] = containerCells(podSpec?.containers);
    const s = ds.status;
    return [
      nameOf(obj),
      int(s?.desiredNumberScheduled),
      int(s?.currentNumberScheduled),
      int(s?.numberReady),
      int(s?.updatedNumberScheduled),
      int(s?.numberAvailable),
      formatLabels(podSpec?.nodeSelector),
      age(obj),
      names,
      images,
      formatLabelSelectorObject(ds.spec?.selector),
    ];
  },
});

/** kubectl's CONTROLLER cell: `kind.group/name` of the controlling owner, lower case, or `<none>`. */
function controllerOf(cr: V1ControllerRevision): string {
  const ref = (cr.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Controller', 'string', 'Controller of the object.'),
    column('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  template(obj: KubeObject): TemplateCell[] {
    const cr = as<V1ControllerRevision>(obj);
    return [nameOf(obj), controllerOf(cr), int(cr.revision), age(obj)];
  },
});
