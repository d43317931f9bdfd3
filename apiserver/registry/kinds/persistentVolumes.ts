// core/v1 PersistentVolumes: cluster-scoped pieces of storage that claims bind to. Defaults
// as Kubernetes sets them; checks in persistentVolumeValidation.ts. The protection finalizer
// is admission's (admission/storageDefaults.ts).

import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { Strategy } from '../strategy.js';
import { obj } from './persistentVolumeFields.js';
import { validatePersistentVolume, validatePersistentVolumeUpdate } from './persistentVolumeValidation.js';

/** SetDefaults_PersistentVolume (+ the HostPathVolumeSource default): keep the data, a filesystem, an unchecked host path. */
function defaultPersistentVolume(pv: KubeObject): void {
  if (pv.spec === undefined || pv.spec === null) pv.spec = {};
  const spec = obj(pv.spec);
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  if (isObject(spec.hostPath)) spec.hostPath.type ??= '';
}

export const persistentVolumeStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: false,
  defaults: defaultPersistentVolume,
  prepareForCreate(pv) {
    // Pending until the binder has looked at it and says Available (or Bound).
    pv.status = { phase: 'Pending' };
  },
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
};
