// core/v1 PersistentVolumeClaims: a namespaced request for storage that the binder matches
// with a PersistentVolume. Defaults as Kubernetes sets them; checks in
// persistentVolumeClaimValidation.ts. Which class a claim without one gets, and its
// protection finalizer, are admission's (admission/storageDefaults.ts).

import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { Strategy } from '../strategy.js';
import { validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate } from './persistentVolumeClaimValidation.js';

/** SetDefaults_PersistentVolumeClaimSpec: a filesystem unless the claim asks for a block device. */
export function defaultClaimSpec(spec: unknown): void {
  if (isObject(spec)) spec.volumeMode ??= 'Filesystem';
}

function defaultPersistentVolumeClaim(pvc: KubeObject): void {
  if (pvc.spec === undefined || pvc.spec === null) pvc.spec = {};
  defaultClaimSpec(pvc.spec);
}

export const persistentVolumeClaimStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: false,
  defaults: defaultPersistentVolumeClaim,
  prepareForCreate(pvc) {
    // A new claim waits for a volume; only the binder moves it on.
    pvc.status = { phase: 'Pending' };
  },
  validate: validatePersistentVolumeClaim,
  validateUpdate: validatePersistentVolumeClaimUpdate,
};
