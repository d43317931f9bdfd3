// storage.k8s.io/v1 StorageClasses: how claims of a class get volumes (a provisioner, its
// parameters, when to bind). Defaults as Kubernetes sets them; checks in
// storageClassValidation.ts. Which class is the default is an annotation that admission
// reads (admission/storageDefaults.ts).

import type { Strategy } from '../strategy.js';
import { validateStorageClass, validateStorageClassUpdate } from './storageClassValidation.js';

import { annDefaultClass as defaultClassAnnotation } from '../../../common/api/storage.js';
export { defaultClassAnnotation };
/** The annotation's name before storage.k8s.io/v1; Kubernetes still honours it. */
export const betaDefaultClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

export const storageClassStrategy: Strategy = {
  hasStatus: false,
  tracksGeneration: false,
  defaults(sc) {
    const s = sc as Record<string, unknown>;
    s.reclaimPolicy ??= 'Delete';
    s.volumeBindingMode ??= 'Immediate';
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
};
