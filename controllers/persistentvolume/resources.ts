// The resource descriptors the storage controllers use, looked up once at module load (so a
// missing kind fails the controller manager's start, not a reconcile).

import { resourceFor } from '../../common/api/resources.js';

export const persistentVolumesResource = resourceFor('PersistentVolume', '');
export const persistentVolumeClaimsResource = resourceFor('PersistentVolumeClaim', '');
export const storageClassesResource = resourceFor('StorageClass', 'storage.k8s.io');
export const podsResource = resourceFor('Pod', '');
export const nodesResource = resourceFor('Node', '');
