// Builders for the collector's tests: any kind of object with owner references,
// finalizers and a deletion timestamp, in one line.

import type { KubeObject, OwnerReference } from '../../common/api/meta.js';
import { resourceFor, type ResourceDescriptor } from '../../common/api/resources.js';

export function resourceOf(kind: string): ResourceDescriptor {
  return resourceFor(kind);
}

export class ObjectBuilder {
  private readonly o: KubeObject;
  constructor(kind: string, name: string, uid: string) {
    const r = resourceOf(kind);
    this.o = { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind, metadata: { name, uid, ...(r.namespaced ? { namespace: 'default' } : {}) } };
  }
  namespace(ns: string | undefined): this {
    if (ns === undefined) delete this.o.metadata.namespace;
    else this.o.metadata.namespace = ns;
    return this;
  }
  /** An owner reference to `owner` (built object), blocking unless told otherwise. */
  ownedBy(owner: KubeObject, opts: { block?: boolean; controller?: boolean } = {}): this {
    const ref: OwnerReference = { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid! };
    if (opts.controller ?? true) ref.controller = true;
    if (opts.block ?? true) ref.blockOwnerDeletion = true;
    return this.ref(ref);
  }
  ref(ref: OwnerReference): this {
    (this.o.metadata.ownerReferences ??= []).push(ref);
    return this;
  }
  finalizers(...f: string[]): this {
    this.o.metadata.finalizers = f;
    return this;
  }
  deleting(iso = '2026-01-01T00:00:00Z'): this {
    this.o.metadata.deletionTimestamp = iso;
    return this;
  }
  obj(): KubeObject {
    return structuredClone(this.o);
  }
}

export function makeObject(kind: string, name: string, uid = `${kind.toLowerCase()}-${name}-uid`): ObjectBuilder {
  return new ObjectBuilder(kind, name, uid);
}
