// `kubectl get configmaps`, `secrets` and `serviceaccounts`: names and counts.

import type { V1ConfigMap, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

function keyCount(m: Record<string, unknown> | undefined): number {
  return Object.keys(m ?? {}).length;
}

export const configMapPrinter = templatePrinter({
  columns: [nameColumn, column('Data', 'string', 'Number of keys in data and binaryData.'), ageColumn],
  template(obj: KubeObject): TemplateCell[] {
    const cm = as<V1ConfigMap>(obj);
    return [nameOf(obj), keyCount(cm.data) + keyCount(cm.binaryData), age(obj)];
  },
});

export const secretPrinter = templatePrinter({
  columns: [nameColumn, column('Type', 'string', 'The kind of secret, e.g. Opaque.'), column('Data', 'string', 'Number of keys in data.'), ageColumn],
  template(obj: KubeObject): TemplateCell[] {
    const s = as<V1Secret>(obj);
    return [nameOf(obj), s.type ?? '', keyCount(s.data), age(obj)];
  },
});

export const serviceAccountPrinter = templatePrinter({
  columns: [nameColumn, column('Secrets', 'string', 'Number of secrets listed for the service account.'), ageColumn],
  template(obj: KubeObject): TemplateCell[] {
    return [nameOf(obj), (as<V1ServiceAccount>(obj).secrets ?? []).length, age(obj)];
  },
});
