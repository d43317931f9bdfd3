// What VolumeBinding decides about one claim and one node, as pure functions of the objects:
// is the claim bound, does it wait for its first consumer, which static volume would it take
// on a node (Kubernetes' FindMatchingVolume: the smallest Available volume of the claim's
// class that is big enough, has the access modes and volume mode, matches the selector and
// the node), may its class provision there (allowedTopologies).

import { labelSelectorFromObject } from '../../common/selectors/labels.js';
import { tryParseQuantity, type Quantity } from '../../common/quantity.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../framework/types.js';
import { compileTerms } from './nodeSelection.js';

import { annBindCompleted as ANN_BIND_COMPLETED, annBoundByController as ANN_BOUND_BY_CONTROLLER, annSelectedNode as ANN_SELECTED_NODE } from '../../common/api/storage.js';
export { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE };
/** A class whose volumes are never provisioned: only static volumes satisfy its claims. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export const namespacedName = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** The claim's class name ('' = none). */
export function claimClass(claim: PersistentVolumeClaim): string {
  return claim.spec?.storageClassName ?? '';
}

/**
 * Bound as Kubernetes' scheduler counts it: the claim names a volume the cache knows, and the
 * binder has finished (its bind-completed annotation; a Bound phase is taken as the same).
 */
export function isClaimFullyBound(claim: PersistentVolumeClaim, volume: (name: string) => PersistentVolume | undefined): boolean {
  const name = claim.spec?.volumeName;
  if (!name || !volume(name)) return false;
  return claim.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined || claim.status?.phase === 'Bound';
}

/**
 * WaitForFirstConsumer: the class exists and says so. No class, or a class the cache does not
 * have, binds immediately (as in Kubernetes: a missing class is not an error here).
 */
export function isDelayBinding(claim: PersistentVolumeClaim, storageClass: (name: string) => StorageClass | undefined): boolean {
  const name = claimClass(claim);
  if (!name) return false;
  return storageClass(name)?.volumeBindingMode === 'WaitForFirstConsumer';
}

function storageOf(list: Record<string, string> | undefined): Quantity | undefined {
  const raw = list?.storage;
  if (raw === undefined) return undefined;
  const q = tryParseQuantity(raw);
  return q.ok ? q.quantity : undefined;
}

/** The volume's required node affinity holds for the node (no affinity: every node). */
export function volumeFitsNode(volume: PersistentVolume, ni: NodeInfo): boolean {
  const terms = volume.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!volume.spec?.nodeAffinity?.required) return true;
  return compileTerms(terms ?? [])(ni);
}

/** The class's allowedTopologies admit the node: terms ORed, expressions ANDed, the label's value among the values. */
export function topologyAllows(sc: StorageClass, ni: NodeInfo): boolean {
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => Object.prototype.hasOwnProperty.call(ni.labels, e.key) && e.values.includes(ni.labels[e.key]!)));
}

function isPreBoundTo(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref || ref.name !== claim.metadata?.name || (ref.namespace ?? '') !== (claim.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

export interface MatchOptions {
  /** Volumes already taken: chosen for another claim of this pod, or reserved by another pod. */
  excluded: (volume: PersistentVolume) => boolean;
}

/**
 * The volume an unbound claim would take on this node, or undefined. A volume pre-bound to
 * the claim (its claimRef names it) wins if it fits the node; otherwise the smallest fitting
 * Available volume.
 */
export function findMatchingVolume(claim: PersistentVolumeClaim, candidates: readonly PersistentVolume[], ni: NodeInfo, opts: MatchOptions): PersistentVolume | undefined {
  const requested = storageOf(claim.spec?.resources?.requests) ?? undefined;
  const wantClass = claimClass(claim);
  const wantMode = claim.spec?.volumeMode ?? 'Filesystem';
  const wantAccess = claim.spec?.accessModes ?? [];
  const selector = claim.spec?.selector ? labelSelectorFromObject(claim.spec.selector) : undefined;
  let best: { volume: PersistentVolume; size: Quantity } | undefined;
  for (const v of candidates) {
    if (opts.excluded(v) || v.metadata?.deletionTimestamp) continue;
    const size = storageOf(v.spec?.capacity);
    if (!size || (requested && size.cmp(requested) < 0)) continue;
    if ((v.spec?.volumeMode ?? 'Filesystem') !== wantMode) continue;
    if (isPreBoundTo(v, claim)) return volumeFitsNode(v, ni) ? v : undefined;
    if (v.status?.phase !== 'Available' || v.spec?.claimRef) continue;
    if (selector && !selector.matches(v.metadata?.labels)) continue;
    if ((v.spec?.storageClassName ?? '') !== wantClass) continue;
    const modes = v.spec?.accessModes ?? [];
    if (!wantAccess.every((m) => modes.includes(m))) continue;
    if (!volumeFitsNode(v, ni)) continue;
    if (!best || best.size.cmp(size) > 0) best = { volume: v, size };
  }
  return best?.volume;
}
