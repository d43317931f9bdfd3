// The storage names every component shares: Kubernetes' annotations and finalizers on claims,
// volumes and classes, and Gantry's local-path provisioner's (the node agent, the scheduler,
// the controllers, the API server's admission and `gantry up` all agree on these). Plain
// constants, so pure logic and its tests import them without the API's descriptors.

/** On a claim: the binder finished binding it (Kubernetes' AnnBindCompleted). */
export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
/** On a claim or volume: the binder, not the user, set volumeName / claimRef. */
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';
/** On a volume: which provisioner made it. */
export const annProvisionedBy = 'pv.kubernetes.io/provisioned-by';
/** On a claim: the node the scheduler chose for a WaitForFirstConsumer claim's first pod. */
export const annSelectedNode = 'volume.kubernetes.io/selected-node';
/** On a claim: the provisioner asked to make its volume (set by the binder when none fits). */
export const annStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
/** The beta spelling Kubernetes still writes beside it, for provisioners that read only that one. */
export const annBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a StorageClass: the class claims without a storageClassName get. */
export const annDefaultClass = 'storageclass.kubernetes.io/is-default-class';
/** Its beta spelling, still honoured by Kubernetes' printers and admission. */
export const annBetaDefaultClass = 'storageclass.beta.kubernetes.io/is-default-class';

export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

/** The local-path provisioner's name: a StorageClass's `provisioner`, a PV's provisioned-by annotation. */
export const localPathProvisioner = 'gantry.dev/local-path';
/** On a Node: the node agent's absolute directory for local-path volumes. */
export const localPathRootAnnotation = 'storage.gantry.dev/local-path-root';
/** On a local-path PV: the node its directory lives on (its agent lists PVs by it and may drop the finalizer). */
export const localPathNodeLabel = 'storage.gantry.dev/node';
/** On a local-path PV: removed by the node agent once it removed the directory. */
export const localPathCleanupFinalizer = 'storage.gantry.dev/local-path-cleanup';
