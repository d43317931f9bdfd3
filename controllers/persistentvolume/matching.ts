// Which PersistentVolume a claim may have, as Kubernetes' FindMatchingVolume and
// checkVolumeSatisfyClaim judge it: same class, the claim's access modes a subset of the
// volume's, capacity at least the request, the same volumeMode, the claim's selector matching
// the volume's labels, and (for a delayed-binding claim with a chosen node) a node affinity
// that admits that node. A volume pre-bound to the claim (claimRef naming it) wins outright.
// Among the rest: the fewest access modes first (a RWO claim does not take a RWX volume while
// a RWO one is free), then the smallest capacity, then the name, so the choice is stable.

import { parseQuantity, type Quantity } from '../../common/quantity.js';
import { labelSelectorFromObject } from '../../common/selectors/labels.js';
import { nodeSelectorMatches } from '../../common/selectors/nodeSelector.js';
import { nodeFacts } from '../daemonset/eligibility.js';
import type { Node, PersistentVolume, PersistentVolumeClaim } from './types.js';

const storage = (q: Record<string, string> | undefined): Quantity | undefined => {
  const v = q?.storage;
  if (v === undefined) return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
};

export const claimRequest = (c: PersistentVolumeClaim): Quantity | undefined => storage(c.spec?.resources?.requests);
export const volumeCapacity = (v: PersistentVolume): Quantity | undefined => storage(v.spec?.capacity);
/** The class annotation objects carried before spec.storageClassName existed; Kubernetes reads it first. */
const betaClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
export const claimClass = (c: PersistentVolumeClaim): string => c.metadata.annotations?.[betaClassAnnotation] ?? c.spec?.storageClassName ?? '';
export const volumeClass = (v: PersistentVolume): string => v.metadata.annotations?.[betaClassAnnotation] ?? v.spec?.storageClassName ?? '';
const claimMode = (c: PersistentVolumeClaim): string => c.spec?.volumeMode ?? 'Filesystem';
const volumeMode = (v: PersistentVolume): string => v.spec?.volumeMode ?? 'Filesystem';

/** The volume's access modes include every mode the claim asks for. */
export function accessModesSatisfied(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const have = new Set(v.spec?.accessModes ?? []);
  return (c.spec?.accessModes ?? []).every((m) => have.has(m));
}

export function volumeModesMatch(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  return volumeMode(v) === claimMode(c);
}

/** The volume is big enough (a claim without a parsable request fits nothing). */
export function capacitySatisfied(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const want = claimRequest(c);
  const have = volumeCapacity(v);
  return want !== undefined && have !== undefined && have.cmp(want) >= 0;
}

/** The volume's required node affinity admits the node (no affinity admits every node). */
export function nodeAffinityAdmits(v: PersistentVolume, node: Node): boolean {
  return nodeSelectorMatches(v.spec?.nodeAffinity?.required, nodeFacts(node));
}

function selectorMatches(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const sel = c.spec?.selector;
  if (!sel) return true;
  try {
    return labelSelectorFromObject(sel).matches(v.metadata.labels);
  } catch {
    // An invalid selector (validation should have refused it) selects nothing.
    return false;
  }
}

/** The volume's claimRef names this claim (by namespace and name, and by uid once it has one). */
export function isVolumeBoundToClaim(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const ref = v.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== c.metadata.name || ref.namespace !== c.metadata.namespace) return false;
  return !ref.uid || ref.uid === c.metadata.uid;
}

/**
 * Why a volume the claim names (spec.volumeName) cannot be bound to it, in Kubernetes'
 * words, or undefined when it can.
 */
export function volumeMismatch(v: PersistentVolume, c: PersistentVolumeClaim): string | undefined {
  if (!capacitySatisfied(v, c)) return 'requested PV is too small';
  if (volumeClass(v) !== claimClass(c)) return 'storageClassName does not match';
  if (!volumeModesMatch(v, c)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(v, c)) return 'incompatible accessMode';
  return undefined;
}

export interface MatchOptions {
  /** The claim's class binds on first consumer: only a pre-bound volume, or one on `node`, may be taken. */
  delayBinding: boolean;
  /** The node the scheduler chose (volume.kubernetes.io/selected-node), when known. */
  node?: Node;
}

/** The volume the binder should bind the (unbound, volumeName-less) claim to, if any. */
export function findBestMatch(c: PersistentVolumeClaim, volumes: readonly PersistentVolume[], opts: MatchOptions): PersistentVolume | undefined {
  let best: { v: PersistentVolume; modes: number; size: Quantity } | undefined;
  for (const v of volumes) {
    if (v.metadata.deletionTimestamp) continue;
    if (!capacitySatisfied(v, c) || !volumeModesMatch(v, c)) continue;
    if (opts.node && !nodeAffinityAdmits(v, opts.node)) continue;
    if (isVolumeBoundToClaim(v, c)) return v;
    // Without a chosen node a delayed claim takes only what was pre-bound for it.
    if (opts.delayBinding && !opts.node) continue;
    if (v.spec?.claimRef) continue;
    if (!selectorMatches(v, c) || volumeClass(v) !== claimClass(c)) continue;
    // A volume not yet Available is about to be written by someone; taking it would conflict.
    if (v.status?.phase !== 'Available') continue;
    if (!accessModesSatisfied(v, c)) continue;
    const cand = { v, modes: new Set(v.spec?.accessModes ?? []).size, size: volumeCapacity(v)! };
    if (!best || better(cand, best)) best = cand;
  }
  return best?.v;
}

function better(a: { v: PersistentVolume; modes: number; size: Quantity }, b: { v: PersistentVolume; modes: number; size: Quantity }): boolean {
  if (a.modes !== b.modes) return a.modes < b.modes;
  const bySize = a.size.cmp(b.size);
  if (bySize !== 0) return bySize < 0;
  return (a.v.metadata.name ?? '') < (b.v.metadata.name ?? '');
}
