// `kubectl get configmaps`, `secrets` and `serviceaccounts`: names and counts.

import type { V1ConfigMap, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { ageColumn, ageOf, as, nameColumn, nameOf } from './cells.js';
import { column, type TablePrinter } from './types.js';

function keyCount(m: Record<string, unknown> | undefined): number {
  return Object.keys(m ?? {}).length;
}

export const configMapPrinter: TablePrinter = {
  columns: [nameColumn, column('Data', 'string', 'Number of keys in data and binaryData.'), ageColumn],
  cells(obj: KubeObject, now: number): unknown[] {
    const cm = as<V1ConfigMap>(obj);
    return [nameOf(obj), keyCount(cm.data) + keyCount(cm.binaryData), ageOf(obj, now)];
  },
};

export const secretPrinter: TablePrinter = {
  columns: [nameColumn, column('Type', 'string', 'The kind of secret, e.g. Opaque.'), column('Data', 'string', 'Number of keys in data.'), ageColumn],
  cells(obj: KubeObject, now: number): unknown[] {
    const s = as<V1Secret>(obj);
    return [nameOf(obj), s.type ?? '', keyCount(s.data), ageOf(obj, now)];
  },
};

export const serviceAccountPrinter: TablePrinter = {
  columns: [nameColumn, column('Secrets', 'string', 'Number of secrets listed for the service account.'), ageColumn],
  cells(obj: KubeObject, now: number): unknown[] {
    return [nameOf(obj), (as<V1ServiceAccount>(obj).secrets ?? []).length, ageOf(obj, now)];
  },
};
