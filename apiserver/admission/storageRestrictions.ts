// Validating admission of changes to claims and volumes, judged on the object as it would be
// stored against the current one (so every way of writing, PUT or any patch type, is judged
// the same):
//   - PersistentVolumeClaimResize: a bound claim may ask for more storage only when its class
//     says allowVolumeExpansion.
//   - The scheduler may patch a claim, but only its volume.kubernetes.io/selected-node
//     annotation (the node it chose for a WaitForFirstConsumer claim).
//   - A node may change a volume labelled storage.gantry.dev/node=<itself>, and only to take
//     away the storage.gantry.dev/local-path-cleanup finalizer once it removed the directory.
// The authorizer grants the verbs; this narrows them, like NodeRestriction.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../common/api/meta.js';
import { ForbiddenError } from '../../common/errors.js';
import { localPathNodeLabel, nodeOfUser } from '../auth/authorizer.js';

export { localPathNodeLabel };
import type { WriteOptions } from '../registry/options.js';
import type { WriteSubresource } from '../registry/resourceStore.js';
import { requestedStorage } from '../registry/kinds/persistentVolumeClaimValidation.js';
import type { StorageClassLookup } from './storageDefaults.js';

import { annSelectedNode as selectedNodeAnnotation, localPathCleanupFinalizer } from '../../common/api/storage.js';
export { selectedNodeAnnotation, localPathCleanupFinalizer };
const schedulerUser = 'system:kube-scheduler';

type Requester = WriteOptions['requester'];

/** The object without what the server keeps itself (versions, field managers): what a writer changed. */
function comparable(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = o.metadata;
  return { ...o, metadata };
}

/** `o` with one annotation as `value` has it (undefined: absent). */
function withAnnotation(o: KubeObject, key: string, value: string | undefined): KubeObject {
  const annotations = { ...(o.metadata.annotations ?? {}) };
  if (value === undefined) delete annotations[key];
  else annotations[key] = value;
  const { annotations: _old, ...rest } = o.metadata;
  return { ...o, metadata: Object.keys(annotations).length ? { ...rest, annotations } : rest };
}

function checkSchedulerClaimChange(pvc: KubeObject, old: KubeObject, subresource: WriteSubresource | undefined): void {
  const name = pvc.metadata.name ?? '';
  const refuse = (): never => {
    throw new ForbiddenError(`persistentvolumeclaims "${name}" is forbidden: the scheduler may change a PersistentVolumeClaim only in its ${selectedNodeAnnotation} annotation`, { resource: 'persistentvolumeclaims', name });
  };
  if (subresource !== undefined) refuse();
  const chosen = pvc.metadata.annotations?.[selectedNodeAnnotation];
  if (!isDeepStrictEqual(comparable(withAnnotation(pvc, selectedNodeAnnotation, undefined)), comparable(withAnnotation(old, selectedNodeAnnotation, undefined)))) refuse();
  if (chosen !== undefined && typeof chosen !== 'string') refuse();
}

function checkResize(pvc: KubeObject, old: KubeObject, classes: StorageClassLookup): void {
  const now = requestedStorage(pvc);
  const before = requestedStorage(old);
  if (!now || !before || now.cmp(before) <= 0) return;
  const className = typeof (pvc.spec as { storageClassName?: unknown } | undefined)?.storageClassName === 'string' ? String((pvc.spec as { storageClassName: string }).storageClassName) : '';
  const sc = className ? classes.get(className) : undefined;
  if (sc?.allowVolumeExpansion === true) return;
  const name = pvc.metadata.name ?? '';
  throw new ForbiddenError(`persistentvolumeclaims "${name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`, { resource: 'persistentvolumeclaims', name });
}

export function admitPersistentVolumeClaimUpdate(pvc: KubeObject, old: KubeObject, requester: Requester, subresource: WriteSubresource | undefined, classes: StorageClassLookup): void {
  if (requester?.name === schedulerUser && !requester.groups.includes('system:masters')) checkSchedulerClaimChange(pvc, old, subresource);
  if (subresource === undefined) checkResize(pvc, old, classes);
}

export function admitPersistentVolumeUpdate(pv: KubeObject, old: KubeObject, requester: Requester, subresource: WriteSubresource | undefined): void {
  const node = requester ? nodeOfUser(requester) : undefined;
  if (node === undefined) return;
  const name = pv.metadata.name ?? '';
  const refuse = (why: string): never => {
    throw new ForbiddenError(`persistentvolumes "${name}" is forbidden: node "${node}" ${why}`, { resource: 'persistentvolumes', name });
  };
  if (old.metadata.labels?.[localPathNodeLabel] !== node) refuse(`may only change PersistentVolumes labelled ${localPathNodeLabel}=${node}`);
  const was = old.metadata.finalizers ?? [];
  const expected = { ...comparable(old), metadata: { ...comparable(old).metadata, finalizers: was.filter((f) => f !== localPathCleanupFinalizer) } };
  if (expected.metadata.finalizers.length === 0) delete (expected.metadata as { finalizers?: string[] }).finalizers;
  const got = comparable(pv);
  // A JSON patch removing the last finalizer leaves `finalizers: []`: the same as none.
  if (Array.isArray(got.metadata.finalizers) && got.metadata.finalizers.length === 0) delete (got.metadata as { finalizers?: string[] }).finalizers;
  if (subresource !== undefined || !was.includes(localPathCleanupFinalizer) || !isDeepStrictEqual(got, expected)) {
    refuse(`may change a PersistentVolume only to remove its ${localPathCleanupFinalizer} finalizer`);
  }
}
