// What Kubernetes checks in a StorageClass, and what may change once it exists: volumes
// already provisioned from a class were made by its provisioner with its parameters,
// reclaim policy and binding mode, so none of those may change under them.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { qualifiedNameErrors } from '../../../common/selectors/validation.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { list, obj, unset, type Obj } from './persistentVolumeFields.js';

export const storageClassReclaimPolicies = ['Delete', 'Retain'] as const;
export const volumeBindingModes = ['Immediate', 'WaitForFirstConsumer'] as const;
/** Kubernetes' limit on the parameters of one class (keys and values together). */
export const maxParametersBytes = 256 * 1024;

function validateProvisioner(p: unknown): FieldCause[] {
  if (unset(p) || typeof p !== 'string') return [fe.required('provisioner')];
  return qualifiedNameErrors(p.toLowerCase()).map((m) => fe.invalid('provisioner', p, m));
}

function validateParameters(params: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(params)) {
    if (k === '') out.push(fe.invalid('parameters', k, 'field can not be empty.'));
    size += k.length + String(v).length;
  }
  if (size > maxParametersBytes) out.push(fe.tooLong('parameters', maxParametersBytes));
  return out;
}

export function validateStorageClass(sc: KubeObject): FieldCause[] {
  const s = sc as Obj;
  const out: FieldCause[] = [...validateProvisioner(s.provisioner), ...validateParameters(obj(s.parameters))];
  if (!unset(s.reclaimPolicy) && !(storageClassReclaimPolicies as readonly unknown[]).includes(s.reclaimPolicy)) {
    out.push(fe.notSupported('reclaimPolicy', s.reclaimPolicy, storageClassReclaimPolicies));
  }
  if (unset(s.volumeBindingMode)) out.push(fe.required('volumeBindingMode'));
  else if (!(volumeBindingModes as readonly unknown[]).includes(s.volumeBindingMode)) out.push(fe.notSupported('volumeBindingMode', s.volumeBindingMode, volumeBindingModes));
  for (const o of list(s.mountOptions)) if (typeof o !== 'string' || o === '') out.push(fe.invalid('mountOptions', o, 'must not be empty'));
  return out;
}

export function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): FieldCause[] {
  const a = sc as Obj;
  const b = old as Obj;
  const out: FieldCause[] = [];
  if (!isDeepStrictEqual(obj(a.parameters), obj(b.parameters))) out.push(fe.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (a.provisioner !== b.provisioner) out.push(fe.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (a.reclaimPolicy !== b.reclaimPolicy) out.push(fe.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (a.volumeBindingMode !== b.volumeBindingMode) out.push(fe.invalid('volumeBindingMode', a.volumeBindingMode ?? null, 'field is immutable'));
  return out;
}
