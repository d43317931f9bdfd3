// The contract of Gantry's one typed API client: paths come from the resource descriptors,
// answers are objects, and every non-2xx answer is thrown as the typed error of
// common/errors (NotFoundError, AlreadyExistsError, ConflictError, InvalidError, GoneError,
// ForbiddenError, TooManyRequestsError, ...), never compared as a raw status code.

import type { KubeObject } from '../api/meta.js';
import type { ResourceDescriptor } from '../api/resources.js';

export interface WriteOpts {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface ListOpts {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface DeleteOpts {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface PatchOpts extends WriteOpts {
  subresource?: 'status' | 'scale';
  /** Server-side apply only: take over conflicting fields. */
  force?: boolean;
}

/**
 * PUT subresources that replace one part of an object: `finalize` (namespaces only) sets
 * spec.finalizers, which a PUT of the namespace itself leaves as it was, as in Kubernetes.
 */
export type UpdateSubresource = 'finalize' | 'approval';

export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

/** Namespaced resources take a namespace; cluster-scoped ones take undefined. */
export interface Api {
  get<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, opts?: ListOpts): Promise<ObjectList<T>>;
  create<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, obj: T, opts?: WriteOpts): Promise<T>;
  /** PUT of the whole object; its metadata.resourceVersion is the precondition (409 Conflict when stale). */
  update<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOpts): Promise<T>;
  /** PUT of the status subresource. */
  updateStatus<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOpts): Promise<T>;
  /** PUT of another subresource of `obj` (namespaces/finalize); answers the whole object. */
  updateSubresource<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, subresource: UpdateSubresource, opts?: WriteOpts): Promise<T>;
  patch<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: PatchOpts): Promise<T>;
  /** Returns the object as the server answered (it may still exist, with a deletionTimestamp). */
  delete(r: ResourceDescriptor, namespace: string | undefined, name: string, opts?: DeleteOpts): Promise<KubeObject | undefined>;
  /** POST to a subresource that creates something else: pods/binding, pods/eviction. */
  createSubresource(r: ResourceDescriptor, namespace: string | undefined, name: string, subresource: 'binding' | 'eviction', body: KubeObject): Promise<void>;
}
