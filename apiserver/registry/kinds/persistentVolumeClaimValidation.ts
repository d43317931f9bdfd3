// What Kubernetes checks in a PersistentVolumeClaim beyond the schema, and what may change
// once it exists. A claim is a request the quota and the binder judged when it was made:
// its spec is frozen, except the volume the binder fills in once (from "") and, for a bound
// claim, a larger storage request (whether the class allows growing it is admission's call,
// admission/persistentVolumeClaimResize.ts).

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { validateLabelSelectorObject, type LabelSelectorObject } from '../../../common/selectors/labels.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { obj, storageQuantity, unset, validateAccessModes, validatePositiveStorage, validateStorageClassName, validateVolumeMode, type Obj } from './persistentVolumeFields.js';

/** A claim's spec (a PVC's, or a StatefulSet's volumeClaimTemplates[i]'s) at `path`. */
export function validateClaimSpec(specValue: unknown, path: string): FieldCause[] {
  const spec = obj(specValue);
  const out: FieldCause[] = [...validateAccessModes(spec.accessModes, `${path}.accessModes`, 'at least 1 access mode is required')];
  if (spec.selector !== undefined && spec.selector !== null) out.push(...validateLabelSelectorObject(spec.selector as LabelSelectorObject, `${path}.selector`));
  const requests = obj(obj(spec.resources).requests);
  if (requests.storage === undefined || requests.storage === null) out.push(fe.required(`${path}.resources[storage]`));
  else out.push(...validatePositiveStorage(requests.storage, `${path}.resources[storage]`));
  out.push(...validateStorageClassName(spec.storageClassName, `${path}.storageClassName`));
  out.push(...validateVolumeMode(spec.volumeMode, `${path}.volumeMode`));
  return out;
}

export function validatePersistentVolumeClaim(pvc: KubeObject): FieldCause[] {
  return validateClaimSpec(pvc.spec, 'spec');
}

const immutableSpec = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

/** The storage request of a claim's spec (undefined when absent or unparsable). */
export function requestedStorage(pvc: KubeObject): ReturnType<typeof storageQuantity> {
  return storageQuantity(obj(obj(obj(pvc.spec).resources).requests).storage);
}

/** Makes `to[key]` what `from[key]` is, absent included. */
function copyField(from: Obj, to: Obj, key: string): void {
  if (key in from) to[key] = from[key];
  else delete to[key];
}

export function validatePersistentVolumeClaimUpdate(pvc: KubeObject, old: KubeObject): FieldCause[] {
  const next = structuredClone(obj(pvc.spec));
  const was = obj(old.spec);
  // The binder names the volume once: from unset to a name, never from one name to another.
  if (unset(was.volumeName)) copyField(was, next, 'volumeName');
  const bound = obj(old.status).phase === 'Bound';
  if (bound) {
    // Resizing is judged below; everything else must stay as it was.
    const requests = { ...obj(obj(next.resources).requests) };
    copyField(obj(obj(was.resources).requests), requests, 'storage');
    next.resources = { ...obj(next.resources), requests };
  }
  const out: FieldCause[] = [];
  if (!isDeepStrictEqual(next, was)) out.push(fe.forbidden('spec', immutableSpec));
  if (bound) {
    const now = requestedStorage(pvc);
    const before = requestedStorage(old);
    if (now && before && now.cmp(before) < 0) out.push(fe.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return out;
}
