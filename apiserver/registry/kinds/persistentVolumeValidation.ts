// What Kubernetes checks in a PersistentVolume beyond the schema, and what may change once
// it exists. Gantry mounts two kinds of volume, a node's directory (`local`, which therefore
// needs node affinity) and a host path; any other source is refused rather than stored as
// a volume no node could ever mount.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { list, obj, unset, validateAccessModes, validateNodeSelector, validatePositiveStorage, validateStorageClassName, validateVolumeMode, type Obj } from './persistentVolumeFields.js';

export const reclaimPolicies = ['Delete', 'Recycle', 'Retain'] as const;
export const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'] as const;
/** The volume sources Gantry's node agent mounts. */
export const servedSources = ['hostPath', 'local'] as const;

/** Every PersistentVolumeSource field of PersistentVolumeSpec (one of them is the volume). */
export const volumeSourceFields = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'glusterfs',
  'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
] as const;

/** A path a volume mounts: given, and no `..` element (it could climb out of where it is meant to be). */
function validateVolumePath(path: unknown, field: string, absolute: boolean): FieldCause[] {
  if (unset(path) || typeof path !== 'string') return [fe.required(field)];
  if (path.split('/').includes('..')) return [fe.invalid(field, path, 'must not contain \'..\'')];
  if (absolute && !path.startsWith('/')) return [fe.invalid(field, path, 'must be an absolute path')];
  return [];
}

function validateSource(spec: Obj): FieldCause[] {
  const given = volumeSourceFields.filter((f) => spec[f] !== undefined && spec[f] !== null);
  if (given.length === 0) return [fe.required('spec', 'must specify a volume type')];
  const out: FieldCause[] = given.slice(1).map((f) => fe.forbidden(`spec.${f}`, 'may not specify more than 1 volume type'));
  const source = given[0]!;
  if (!(servedSources as readonly string[]).includes(source)) {
    return [...out, fe.forbidden(`spec.${source}`, `Gantry mounts only ${servedSources.join(' and ')} volumes`)];
  }
  const src = obj(spec[source]);
  if (source === 'local') {
    out.push(...validateVolumePath(src.path, 'spec.local.path', true));
    // A node's directory exists on that node alone: the volume must say which.
    if (!obj(spec.nodeAffinity).required) out.push(fe.required('spec.nodeAffinity', 'Local volumes require node affinity'));
  } else {
    out.push(...validateVolumePath(src.path, 'spec.hostPath.path', false));
    if (!unset(src.type) && !(hostPathTypes as readonly unknown[]).includes(src.type)) out.push(fe.notSupported('spec.hostPath.type', src.type, hostPathTypes));
    if (src.path === '/' && spec.persistentVolumeReclaimPolicy === 'Recycle') out.push(fe.forbidden('spec.persistentVolumeReclaimPolicy', 'may not be \'recycle\' for a hostPath mount of \'/\''));
  }
  return out;
}

function validateCapacity(capacityValue: unknown): FieldCause[] {
  const capacity = obj(capacityValue);
  const keys = Object.keys(capacity);
  if (keys.length === 0) return [fe.required('spec.capacity'), fe.notSupported('spec.capacity', capacity, ['storage'])];
  if (!keys.includes('storage') || keys.length > 1) return [fe.notSupported('spec.capacity', capacity, ['storage'])];
  return validatePositiveStorage(capacity.storage, 'spec.capacity[storage]');
}

function validateClaimRef(ref: unknown): FieldCause[] {
  if (ref === undefined || ref === null) return [];
  const r = obj(ref);
  return unset(r.name) ? [fe.required('spec.claimRef.name')] : [];
}

export function validatePersistentVolume(pv: KubeObject): FieldCause[] {
  const spec = obj(pv.spec);
  const out: FieldCause[] = [
    ...validateAccessModes(spec.accessModes, 'spec.accessModes'),
    ...validateCapacity(spec.capacity),
    ...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'),
    ...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'),
    ...validateClaimRef(spec.claimRef),
  ];
  if (!unset(spec.persistentVolumeReclaimPolicy) && !(reclaimPolicies as readonly unknown[]).includes(spec.persistentVolumeReclaimPolicy)) {
    out.push(fe.notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, reclaimPolicies));
  }
  if (spec.nodeAffinity !== undefined && spec.nodeAffinity !== null) {
    const required = obj(spec.nodeAffinity).required;
    if (required === undefined || required === null) out.push(fe.required('spec.nodeAffinity.required', 'must specify required node constraints'));
    else out.push(...validateNodeSelector(required, 'spec.nodeAffinity.required'));
  }
  for (const o of list(spec.mountOptions)) if (typeof o !== 'string' || o === '') out.push(fe.invalid('spec.mountOptions', o, 'must not be empty'));
  out.push(...validateSource(spec));
  return out;
}

const sourceOf = (spec: Obj): Obj => Object.fromEntries(volumeSourceFields.filter((f) => spec[f] !== undefined).map((f) => [f, spec[f]]));

/**
 * What may change on a volume: its capacity, access modes, reclaim policy, class and claim
 * (the binder and the user re-point them); never where the data is or how it is mounted.
 */
export function validatePersistentVolumeUpdate(pv: KubeObject, old: KubeObject): FieldCause[] {
  const spec = obj(pv.spec);
  const was = obj(old.spec);
  const out: FieldCause[] = [];
  if (!isDeepStrictEqual(sourceOf(spec), sourceOf(was))) out.push(fe.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if (!isDeepStrictEqual(spec.volumeMode, was.volumeMode)) out.push(fe.invalid('spec.volumeMode', spec.volumeMode ?? null, 'field is immutable'));
  if (was.nodeAffinity !== undefined && !isDeepStrictEqual(spec.nodeAffinity, was.nodeAffinity)) out.push(fe.invalid('spec.nodeAffinity', spec.nodeAffinity ?? null, 'field is immutable'));
  return out;
}
