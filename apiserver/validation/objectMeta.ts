// The checks every kind's metadata gets on every write, as Kubernetes' ValidateObjectMeta
// makes them: label keys are qualified names and values label values, annotation keys are
// qualified names and all annotations together stay within 256 KiB. A patch or an update
// goes through them as a create does: a merge patch cannot slip a bad key in.

import type { ObjectMeta } from '../../common/api/meta.js';
import type { FieldCause } from '../../common/errors.js';
import { labelValueErrors, qualifiedNameErrors } from '../../common/selectors/validation.js';
import { fieldErrors } from './fieldErrors.js';

/** Kubernetes' TotalAnnotationSizeLimitB. */
export const maxAnnotationBytes = 256 * 1024;

export function objectMetaCauses(meta: ObjectMeta): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const why of qualifiedNameErrors(key)) causes.push(fieldErrors.invalid('metadata.labels', key, why));
    for (const why of labelValueErrors(String(value))) causes.push(fieldErrors.invalid('metadata.labels', value, why));
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    // Kubernetes checks annotation keys in lower case: upper-case letters are allowed there.
    for (const why of qualifiedNameErrors(key.toLowerCase())) causes.push(fieldErrors.invalid('metadata.annotations', key, why));
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (annotationBytes > maxAnnotationBytes) causes.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${maxAnnotationBytes} bytes`, field: 'metadata.annotations' });
  return causes;
}
