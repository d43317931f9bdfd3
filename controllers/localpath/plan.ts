// What the local-path provisioner makes for a claim, decided on cached objects: whether the
// claim is its to provision (handed over by the binder through the storage-provisioner
// annotation, as Kubernetes' external provisioners are), on which node, and the
// PersistentVolume itself: `pvc-<uid>` with a `local` path under the node's local-path root,
// pinned to the node by a kubernetes.io/hostname affinity, pre-bound to the claim.

import path from 'node:path';
import { claimRefFor } from '../persistentvolume/binding.js';
import { claimRequest } from '../persistentvolume/matching.js';
import { annBetaStorageProvisioner, annProvisionedBy, annSelectedNode, annStorageProvisioner, reasons } from '../persistentvolume/names.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass, VolumeEvent } from '../persistentvolume/types.js';
import { hostnameLabel, localPathCleanupFinalizer, localPathNodeLabel, localPathProvisioner, localPathRootAnnotation } from './names.js';

export const volumeNameFor = (claim: PersistentVolumeClaim): string => `pvc-${claim.metadata.uid ?? ''}`;

/** The claim waits for this provisioner: unbound, not being deleted, its class ours and the binder's hand-over made. */
export function wantsProvisioning(claim: PersistentVolumeClaim, sc: StorageClass | undefined): boolean {
  if (!sc || sc.provisioner !== localPathProvisioner) return false;
  if (claim.spec?.volumeName || claim.metadata.deletionTimestamp) return false;
  const ann = claim.metadata.annotations ?? {};
  return ann[annStorageProvisioner] === localPathProvisioner || ann[annBetaStorageProvisioner] === localPathProvisioner;
}

const failed = (message: string): VolumeEvent => ({ type: 'Warning', reason: reasons.provisioningFailed, message });

/**
 * `missingNode`: the scheduler chose a node that is not there (deleted since); once the API
 * server confirms it, the choice is handed back to the scheduler by removing selected-node,
 * as Kubernetes' external provisioners reschedule.
 */
export type NodeChoice = { kind: 'node'; node: Node } | { kind: 'wait' } | { kind: 'failed'; event: VolumeEvent; missingNode?: string };

interface NodeStatus {
  conditions?: { type: string; status: string }[];
}

export function isReadyAndSchedulable(node: Node): boolean {
  const ready = ((node as { status?: NodeStatus }).status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const blocked = (node.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  return ready && !node.spec?.unschedulable && !blocked;
}

/**
 * The node to provision on: the one the scheduler chose (selected-node); for an Immediate
 * class without one, the Ready, schedulable node with a local-path root holding the fewest
 * local-path volumes (then by name).
 */
export function chooseNode(claim: PersistentVolumeClaim, sc: StorageClass, nodes: readonly Node[], volumes: readonly PersistentVolume[]): NodeChoice {
  const selected = claim.metadata.annotations?.[annSelectedNode];
  if (selected) {
    const node = nodes.find((n) => n.metadata.name === selected);
    return node ? { kind: 'node', node } : { kind: 'failed', event: failed(`failed to provision volume: node "${selected}" not found`), missingNode: selected };
  }
  if (sc.volumeBindingMode === 'WaitForFirstConsumer') return { kind: 'wait' };
  const load = new Map<string, number>();
  for (const v of volumes) {
    const n = v.metadata.labels?.[localPathNodeLabel];
    if (n) load.set(n, (load.get(n) ?? 0) + 1);
  }
  const candidates = nodes.filter((n) => isReadyAndSchedulable(n) && n.metadata.annotations?.[localPathRootAnnotation]);
  candidates.sort((a, b) => (load.get(a.metadata.name ?? '') ?? 0) - (load.get(b.metadata.name ?? '') ?? 0) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const node = candidates[0];
  return node ? { kind: 'node', node } : { kind: 'failed', event: failed(`failed to provision volume: no Ready, schedulable node has a local-path root (annotation ${localPathRootAnnotation})`) };
}

export type VolumePlan = { kind: 'volume'; volume: PersistentVolume } | { kind: 'failed'; event: VolumeEvent; retry: boolean };

/** The PersistentVolume for the claim on `node`, or why there is none (retry: a later look may succeed). */
export function volumeFor(claim: PersistentVolumeClaim, sc: StorageClass, node: Node): VolumePlan {
  const nodeName = node.metadata.name ?? '';
  if (claim.spec?.selector) return { kind: 'failed', event: failed('failed to provision volume: claim Selector is not supported'), retry: false };
  if ((claim.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') return { kind: 'failed', event: failed(`failed to provision volume: volumeMode ${claim.spec?.volumeMode ?? ''} is not supported (local-path volumes are directories)`), retry: false };
  const request = claim.spec?.resources?.requests?.storage;
  if (request === undefined || claimRequest(claim) === undefined) return { kind: 'failed', event: failed('failed to provision volume: the claim has no valid resources.requests.storage'), retry: false };
  const root = node.metadata.annotations?.[localPathRootAnnotation];
  if (!root) return { kind: 'failed', event: failed(`failed to provision volume: node "${nodeName}" has no ${localPathRootAnnotation} annotation (its node agent sets it when it starts)`), retry: true };
  if (!path.posix.isAbsolute(root)) return { kind: 'failed', event: failed(`failed to provision volume: node "${nodeName}" has a relative ${localPathRootAnnotation} ${JSON.stringify(root)}`), retry: true };
  const name = volumeNameFor(claim);
  const dir = `${name}_${claim.metadata.namespace ?? ''}_${claim.metadata.name ?? ''}`;
  const hostname = node.metadata.labels?.[hostnameLabel] ?? nodeName;
  const volume: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      labels: { [localPathNodeLabel]: nodeName },
      annotations: { [annProvisionedBy]: localPathProvisioner },
      finalizers: [localPathCleanupFinalizer],
    },
    spec: {
      capacity: { storage: request },
      accessModes: [...(claim.spec?.accessModes ?? [])],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name ?? '',
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      ...(sc.mountOptions?.length ? { mountOptions: [...sc.mountOptions] } : {}),
      local: { path: path.posix.join(root, dir) },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: hostnameLabel, operator: 'In', values: [hostname] }] }] } },
      claimRef: claimRefFor(claim),
    },
  };
  return { kind: 'volume', volume };
}
