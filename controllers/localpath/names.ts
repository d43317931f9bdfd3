// The names the local-path provisioner shares with the node agent, the scheduler and
// `gantry up` (notes: the storage contract).

import { localPathCleanupFinalizer, localPathNodeLabel, localPathProvisioner, localPathRootAnnotation } from '../../common/api/storage.js';
export { localPathCleanupFinalizer, localPathNodeLabel, localPathProvisioner, localPathRootAnnotation };
export const hostnameLabel = 'kubernetes.io/hostname';
/** The event source of the provisioner's events. */
export const localPathComponent = 'gantry.dev/local-path';
