// What one sync of a claim or of a volume should do, decided on cached objects, as Kubernetes'
// PV controller's syncClaim and syncVolume decide it. The controller carries the decision out
// (binding.ts says what each write looks like) and records the event.

import { claimClass, findBestMatch, isVolumeBoundToClaim, volumeMismatch, volumeModesMatch } from './matching.js';
import { annBindCompleted, annBoundByController, annProvisionedBy, annSelectedNode, reasons } from './names.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, ReclaimPolicy, StorageClass, VolumeEvent } from './types.js';

export const messages = {
  noClassNoVolume: 'no persistent volumes available for this claim and no storage class is set',
  waitForFirstConsumer: 'waiting for first consumer to be created before binding',
  externalProvisioning: (provisioner: string): string =>
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
  noPlugin: (provisioner: string): string => `no volume plugin matched name: ${provisioner}`,
  classNotFound: (name: string): string => `storageclass.storage.k8s.io "${name}" not found`,
  volumeNotFound: (name: string): string => `volume "${name}" not found`,
  cannotBind: (name: string, why: string): string => `Cannot bind to requested volume "${name}": ${why}`,
  boundElsewhere: (name: string): string => `volume "${name}" already bound to a different claim.`,
  lostReference: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
  lostVolume: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
  misbound: 'Two claims are bound to the same volume, this one is bound incorrectly',
} as const;

/** The provisioner of classes whose volumes an administrator makes by hand. */
export const noProvisioner = 'kubernetes.io/no-provisioner';

export type ClaimDecision =
  /** Bind the claim and the volume (each step only if not done yet). */
  | { kind: 'bind'; volume: PersistentVolume }
  /** Keep the claim Pending; hand it to `provisioner` (the annotation) when given. */
  | { kind: 'pending'; event?: VolumeEvent; provisioner?: string }
  /** The claim's volume is gone or belongs to another claim: phase Lost. */
  | { kind: 'lost'; event: VolumeEvent };

export interface ClaimInput {
  claim: PersistentVolumeClaim;
  volumes: readonly PersistentVolume[];
  /** The claim's class (undefined when it names none, or one that does not exist). */
  storageClass: StorageClass | undefined;
  /** Looks up the node a delayed claim was scheduled to. */
  node: (name: string) => Node | undefined;
}

const ev = (type: VolumeEvent['type'], reason: string, message: string): VolumeEvent => ({ type, reason, message });

export function decideClaim(input: ClaimInput): ClaimDecision {
  const { claim } = input;
  if (claim.metadata.annotations?.[annBindCompleted] === undefined) return unboundClaim(input);
  return boundClaim(input);
}

function unboundClaim({ claim, volumes, storageClass, node }: ClaimInput): ClaimDecision {
  const volumeName = claim.spec?.volumeName ?? '';
  if (volumeName !== '') {
    // The user named the volume (or a bind stopped half-way).
    const volume = volumes.find((v) => v.metadata.name === volumeName);
    if (!volume) return { kind: 'pending', event: ev('Normal', reasons.failedBinding, messages.volumeNotFound(volumeName)) };
    if (!volume.spec?.claimRef) {
      const why = volumeMismatch(volume, claim);
      return why ? { kind: 'pending', event: ev('Warning', reasons.volumeMismatch, messages.cannotBind(volumeName, why)) } : { kind: 'bind', volume };
    }
    if (isVolumeBoundToClaim(volume, claim)) return { kind: 'bind', volume };
    return { kind: 'pending', event: ev('Warning', reasons.failedBinding, messages.boundElsewhere(volumeName)) };
  }

  const delayBinding = storageClass?.volumeBindingMode === 'WaitForFirstConsumer';
  const selectedNode = claim.metadata.annotations?.[annSelectedNode];
  const match = findBestMatch(claim, volumes, { delayBinding, node: delayBinding && selectedNode ? node(selectedNode) : undefined });
  if (match) return { kind: 'bind', volume: match };
  if (claim.metadata.deletionTimestamp) return { kind: 'pending' };
  if (delayBinding && !selectedNode) return { kind: 'pending', event: ev('Normal', reasons.waitForFirstConsumer, messages.waitForFirstConsumer) };
  const className = claimClass(claim);
  if (className === '') return { kind: 'pending', event: ev('Normal', reasons.failedBinding, messages.noClassNoVolume) };
  if (!storageClass) return { kind: 'pending', event: ev('Warning', reasons.provisioningFailed, messages.classNotFound(className)) };
  const provisioner = storageClass.provisioner ?? '';
  // A class for statically made volumes only: nobody will make one.
  if (provisioner === noProvisioner) return { kind: 'pending', event: ev('Warning', reasons.provisioningFailed, messages.noPlugin(provisioner)) };
  return { kind: 'pending', provisioner, event: ev('Normal', reasons.externalProvisioning, messages.externalProvisioning(provisioner)) };
}

function boundClaim({ claim, volumes }: ClaimInput): ClaimDecision {
  const volumeName = claim.spec?.volumeName ?? '';
  if (volumeName === '') return { kind: 'lost', event: ev('Warning', reasons.claimLost, messages.lostReference) };
  const volume = volumes.find((v) => v.metadata.name === volumeName);
  if (!volume) return { kind: 'lost', event: ev('Warning', reasons.claimLost, messages.lostVolume) };
  const ref = volume.spec?.claimRef;
  // No claimRef: the volume's half of the bind was lost (or never written); write it again.
  if (!ref || ref.uid === claim.metadata.uid) return { kind: 'bind', volume };
  return { kind: 'lost', event: ev('Warning', reasons.claimMisbound, messages.misbound) };
}

export type VolumeDecision =
  | { kind: 'none' }
  /** Put the volume in this phase (nothing when it is). */
  | { kind: 'phase'; phase: 'Available' | 'Bound' }
  /** Its claim is gone: phase Released, then the reclaim policy. */
  | { kind: 'release'; reclaim: ReclaimPolicy }
  /** The binder chose it for a claim that went elsewhere: free it. */
  | { kind: 'unbind' }
  /** The claim will finish (or refuse) the bind: sync the claim, with these events when it cannot. */
  | { kind: 'syncClaim'; events: { on: 'volume' | 'claim'; event: VolumeEvent }[] };

/**
 * One volume's sync. `claim` is the claim its claimRef names, as it exists now (the
 * controller confirms an absence with the API server before calling this: a claim missing
 * from a lagging cache must not release its volume); a claim with another uid is another claim.
 */
export function decideVolume(volume: PersistentVolume, claim: PersistentVolumeClaim | undefined): VolumeDecision {
  const ref = volume.spec?.claimRef;
  // Unclaimed, or reserved by name for a claim whose own sync will bind it.
  if (!ref || !ref.uid) return { kind: 'phase', phase: 'Available' };
  const reclaim = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (!claim || claim.metadata.uid !== ref.uid) return { kind: 'release', reclaim };
  const claimVolume = claim.spec?.volumeName ?? '';
  if (claimVolume === '') {
    if (!volumeModesMatch(volume, claim)) {
      const mode = (o: { spec?: { volumeMode?: string } }): string => o.spec?.volumeMode ?? 'Filesystem';
      const msg = `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name ?? ''}" due to incompatible volumeMode.`;
      return {
        kind: 'syncClaim',
        events: [
          { on: 'volume', event: ev('Warning', reasons.volumeMismatch, msg) },
          { on: 'claim', event: ev('Warning', reasons.volumeMismatch, `Cannot bind PersistentVolume "${volume.metadata.name ?? ''}" (volumeMode ${mode(volume)}) to this claim (volumeMode ${mode(claim)}).`) },
        ],
      };
    }
    return { kind: 'syncClaim', events: [] };
  }
  if (claimVolume === volume.metadata.name) return { kind: 'phase', phase: 'Bound' };
  // The claim is bound to another volume.
  if (volume.metadata.annotations?.[annProvisionedBy] !== undefined && reclaim === 'Delete') return { kind: 'release', reclaim };
  if (volume.metadata.annotations?.[annBoundByController] !== undefined) return { kind: 'unbind' };
  return { kind: 'none' };
}

/** The claim as a claimRef names it, for lookups. */
export const claimKeyOf = (volume: PersistentVolume): { namespace: string; name: string } | undefined => {
  const ref = volume.spec?.claimRef;
  return ref?.name && ref.namespace ? { namespace: ref.namespace, name: ref.name } : undefined;
};
