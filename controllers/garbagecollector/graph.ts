// The garbage collector's picture of ownership: one node per object uid, with the owner
// references it declares and the uids that name it as an owner (the owner-uid index). An
// owner that is referenced but not (yet) observed is a *virtual* node: it holds its
// dependents until the owner is observed, or until a dependent's reconcile proves it absent.
//
// The graph is a cache over the informers, updated from their events the way an informer
// updates its indexes; what the collector should look at next is returned as uids, and the
// caller only enqueues them. Everything here is synchronous and side-effect free.

import type { KubeObject, OwnerReference } from '../../common/api/meta.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

export interface GraphNode {
  uid: string;
  /** Unset for a virtual node (an owner known only from references to it). */
  resource?: ResourceDescriptor;
  namespace?: string;
  name: string;
  /** The object as last observed; unset for virtual nodes. */
  object?: KubeObject;
  owners: OwnerReference[];
  dependents: Set<string>;
  virtual: boolean;
}

export function isBeingDeleted(obj: KubeObject | undefined): boolean {
  return !!obj?.metadata.deletionTimestamp;
}

export function hasFinalizer(obj: KubeObject | undefined, f: string): boolean {
  return !!obj?.metadata.finalizers?.includes(f);
}

/** Deleting in the foreground: being deleted while holding the foregroundDeletion finalizer. */
export function isDeletingDependents(obj: KubeObject | undefined): boolean {
  return isBeingDeleted(obj) && hasFinalizer(obj, foregroundFinalizer);
}

function refsByUid(refs: OwnerReference[]): Map<string, OwnerReference> {
  return new Map(refs.map((r) => [r.uid, r]));
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The dependents' nodes (always observed objects). */
  dependentsOf(uid: string): GraphNode[] {
    const n = this.nodes.get(uid);
    if (!n) return [];
    const out: GraphNode[] = [];
    for (const d of n.dependents) {
      const dn = this.nodes.get(d);
      if (dn) out.push(dn);
    }
    return out;
  }

  /**
   * Dependents whose reference to `ownerUid` blocks the owner's foreground deletion
   * (blockOwnerDeletion: true).
   */
  blockingDependents(ownerUid: string): GraphNode[] {
    return this.dependentsOf(ownerUid).filter((d) => d.owners.some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true));
  }

  /**
   * An object was added or changed. Returns the uids to reconcile: the object itself when
   * it has owners or is in a deletion the collector drives (orphan/foreground), new virtual
   * owners' dependents, owners in foreground deletion whose blocking dependents changed,
   * and the dependents of an owner that just entered foreground deletion.
   */
  observe(resource: ResourceDescriptor, obj: KubeObject): string[] {
    const uid = obj.metadata.uid;
    if (!uid) return [];
    const out = new Set<string>();
    let node = this.nodes.get(uid);
    const before = node?.object;
    const oldOwners = node?.owners ?? [];
    const newOwners = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid);
    if (!node) {
      node = { uid, name: obj.metadata.name ?? '', owners: [], dependents: new Set(), virtual: false };
      this.nodes.set(uid, node);
    } else if (node.virtual) {
      // An owner first known from references is now observed: its dependents re-check
      // whether they named it by the right coordinates (namespace, kind).
      node.virtual = false;
      for (const d of node.dependents) out.add(d);
    }
    node.resource = resource;
    node.name = obj.metadata.name ?? '';
    node.object = obj;
    if (obj.metadata.namespace) node.namespace = obj.metadata.namespace;
    else delete node.namespace;
    node.owners = newOwners;

    const oldByUid = refsByUid(oldOwners);
    const newByUid = refsByUid(newOwners);
    for (const [ownerUid, ref] of oldByUid) {
      const now = newByUid.get(ownerUid);
      if (now && now.blockOwnerDeletion === ref.blockOwnerDeletion) continue;
      if (!now) this.unlink(ownerUid, uid);
      // A foreground owner waits on blocking references: a removed or unblocked one may free it.
      const owner = this.nodes.get(ownerUid);
      if (owner && isDeletingDependents(owner.object)) out.add(ownerUid);
    }
    for (const [ownerUid, ref] of newByUid) {
      if (oldByUid.has(ownerUid)) continue;
      let owner = this.nodes.get(ownerUid);
      if (!owner) {
        owner = { uid: ownerUid, name: ref.name, owners: [], dependents: new Set(), virtual: true };
        this.nodes.set(ownerUid, owner);
      }
      owner.dependents.add(uid);
    }

    // An object with owners is checked when first seen and when its references change; other
    // changes (a pod's status) cannot orphan it. Its owners' deletions bring it back.
    const refsChanged = !before || oldOwners.length !== newOwners.length || newOwners.some((r) => oldByUid.get(r.uid)?.blockOwnerDeletion !== r.blockOwnerDeletion || !oldByUid.has(r.uid));
    if (newOwners.length && !isBeingDeleted(obj) && refsChanged) out.add(uid);
    const startedOrphaning = hasFinalizer(obj, orphanFinalizer) && isBeingDeleted(obj);
    const startedForeground = isDeletingDependents(obj) && !isDeletingDependents(before);
    if (startedOrphaning || isDeletingDependents(obj)) out.add(uid);
    if (startedForeground) for (const d of node.dependents) out.add(d);
    return [...out];
  }

  /**
   * An object is gone. Its dependents are reconciled (their owner may now be absent), as are
   * owners in foreground deletion that may have been waiting for it. A node that still has
   * dependents stays as a virtual node, so that they can be found from its uid.
   */
  forget(obj: KubeObject): string[] {
    const uid = obj.metadata.uid;
    if (!uid) return [];
    const node = this.nodes.get(uid);
    if (!node) return [];
    const out = new Set<string>();
    for (const r of node.owners) {
      this.unlink(r.uid, uid);
      const owner = this.nodes.get(r.uid);
      if (owner && isDeletingDependents(owner.object)) out.add(r.uid);
    }
    for (const d of node.dependents) out.add(d);
    if (node.dependents.size) {
      node.virtual = true;
      node.owners = [];
      delete node.object;
      delete node.resource;
    } else {
      this.nodes.delete(uid);
    }
    return [...out];
  }

  /** Drops a virtual node once its dependents no longer reference it. */
  private unlink(ownerUid: string, dependentUid: string): void {
    const owner = this.nodes.get(ownerUid);
    if (!owner) return;
    owner.dependents.delete(dependentUid);
    if (owner.virtual && owner.dependents.size === 0) this.nodes.delete(ownerUid);
  }
}
