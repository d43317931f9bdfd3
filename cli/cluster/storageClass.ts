// The StorageClass every `gantry up` cluster has, as k3s ships one: `local-path`, the default
// class, served by the controller manager's local-path provisioner (a directory on the node
// where the claim's first pod is scheduled, hence WaitForFirstConsumer).

import type { Api } from '../../common/client/api.js';
import { resourceFor } from '../../common/api/resources.js';
import type { KubeObject } from '../../common/api/meta.js';
import { AlreadyExistsError } from '../../common/errors.js';
import { annDefaultClass, localPathProvisioner } from '../../common/api/storage.js';

export const defaultStorageClassName = 'local-path';

export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: defaultStorageClassName, annotations: { [annDefaultClass]: 'true' } },
    provisioner: localPathProvisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/**
 * Creates the class unless one of that name exists (whatever it holds: a user's edits or
 * replacement stay, as k3s leaves a changed manifest's object alone). Returns whether it made it.
 */
export async function ensureDefaultStorageClass(api: Api): Promise<boolean> {
  try {
    await api.create(resourceFor('StorageClass', 'storage.k8s.io'), undefined, defaultStorageClass());
    return true;
  } catch (e) {
    if (e instanceof AlreadyExistsError) return false;
    throw e;
  }
}
