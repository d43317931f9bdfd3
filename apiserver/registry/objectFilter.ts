// Label and field selectors compiled into one predicate over objects.

import type { KubeObject } from '../../common/api/meta.js';
import { parseFieldSelector, validateFieldSelector, fieldsOf } from '../../common/selectors/fields.js';
import { parseLabelSelector } from '../../common/selectors/labels.js';

export type ObjectFilter = (obj: KubeObject) => boolean;

export const everything: ObjectFilter = () => true;

export function compileFilter(kind: string, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) validateFieldSelector(kind, fields);
  if (!labels && !fields) return everything;
  return (obj) => (!labels || labels.matches(obj.metadata.labels ?? {})) && (!fields || fields.matches(fieldsOf(kind, obj)));
}
