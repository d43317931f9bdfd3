// The names the storage controllers use: the shared annotations and finalizers (their one
// home is common/api/storage.ts) and the binder's event reasons and sources.

import { annBetaStorageProvisioner, annBindCompleted, annBoundByController, annDefaultClass, annProvisionedBy, annSelectedNode, annStorageProvisioner, pvcProtectionFinalizer, pvProtectionFinalizer } from '../../common/api/storage.js';
export { annBetaStorageProvisioner, annBindCompleted, annBoundByController, annDefaultClass, annProvisionedBy, annSelectedNode, annStorageProvisioner, pvcProtectionFinalizer, pvProtectionFinalizer };

/** Kubernetes' volume event reasons (pkg/controller/volume/events). */
export const reasons = {
  failedBinding: 'FailedBinding',
  volumeMismatch: 'VolumeMismatch',
  waitForFirstConsumer: 'WaitForFirstConsumer',
  externalProvisioning: 'ExternalProvisioning',
  provisioning: 'Provisioning',
  provisioningFailed: 'ProvisioningFailed',
  provisioningSucceeded: 'ProvisioningSucceeded',
  volumeFailedDelete: 'VolumeFailedDelete',
  volumeDelete: 'VolumeDelete',
  claimLost: 'ClaimLost',
  claimMisbound: 'ClaimMisbound',
} as const;

/** The event source of the binder's events, as kubectl describe shows it ("From"). */
export const binderComponent = 'persistentvolume-controller';
export const pvcProtectionComponent = 'pvc-protection-controller';
export const pvProtectionComponent = 'pv-protection-controller';
