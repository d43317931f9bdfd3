// Label and field selectors compiled into one predicate, over parsed objects and over the
// watch cache's compact entries (which keep labels and selectable fields beside their bytes).

import type { KubeObject } from '../../common/api/meta.js';
import { parseFieldSelector, validateFieldSelector, fieldsOf } from '../../common/selectors/fields.js';
import { parseLabelSelector } from '../../common/selectors/labels.js';
import type { Selectable } from '../watchcache/cachedObject.js';

export interface ObjectFilter {
  (obj: KubeObject): boolean;
  /** The same test on a cache entry, without parsing it (unless it was stored under another kind). */
  entry(e: Selectable & { readonly object: KubeObject }): boolean;
  /** True when there are no selectors: everything matches. */
  readonly all: boolean;
}

function filterOf(all: boolean, test: (labels: Readonly<Record<string, string>> | undefined, fields: () => Readonly<Record<string, string>>) => boolean, kind: string): ObjectFilter {
  const byObject = (obj: KubeObject): boolean => test(obj.metadata?.labels, () => fieldsOf(kind, obj));
  const entry = (e: Selectable & { readonly object: KubeObject }): boolean => {
    if (all) return true;
    if (e.kind === kind) return test(e.labels, () => e.fields);
    return byObject(e.object); // an object stored without (or with another) kind: read its fields as this kind's
  };
  return Object.assign(byObject, { entry, all });
}

export const everything: ObjectFilter = filterOf(true, () => true, '');

export function compileFilter(kind: string, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) validateFieldSelector(kind, fields);
  if (!labels && !fields) return everything;
  return filterOf(false, (l, f) => (!labels || labels.matches(l ?? {})) && (!fields || fields.matches(f())), kind);
}
