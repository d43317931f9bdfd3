// `kubectl get poddisruptionbudgets`, with kubectl's columns and cells.

import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, int, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** An IntOrString as kubectl prints it; N/A when the budget does not use that field. */
const intOrString = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ],
  template(obj: KubeObject): TemplateCell[] {
    const pdb = as<V1PodDisruptionBudget>(obj);
    return [nameOf(obj), intOrString(pdb.spec?.minAvailable), intOrString(pdb.spec?.maxUnavailable), int(pdb.status?.disruptionsAllowed), age(obj)];
  },
});
