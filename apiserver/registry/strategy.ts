// What makes one kind different from another. The generic ResourceStore does the rest;
// a new kind is a schema, a descriptor and one of these.

import type { KubeObject } from '../../common/api/meta.js';
import type { FieldCause } from '../../common/errors.js';
import type { NameRule } from '../validation/names.js';

export interface DeleteDecision {
  /** Seconds to wait before the object may be removed; 0 or undefined removes it now (unless finalizers hold it). */
  gracePeriodSeconds?: number;
}

/** Who sends a write (the authenticated user), for kinds that record it (a CSR's spec.username). */
export interface Requester {
  name: string;
  uid: string;
  groups: string[];
}

export interface Strategy {
  /** Whether `status` is a subresource: the main resource ignores status changes and vice versa. */
  readonly hasStatus: boolean;
  /** Whether generation tracks changes outside metadata and status. */
  readonly tracksGeneration: boolean;
  /** Name rule: DNS-1123 subdomain (default), DNS-1123 label or DNS-1035 label. */
  readonly nameRule?: NameRule;
  /** Server-side defaults, applied to the object on create and update (mutates it). */
  defaults?(obj: KubeObject): void;
  /** Prepares a new object: e.g. initial status, or who asked for it. Mutates it. */
  prepareForCreate?(obj: KubeObject, requester?: Requester): void;
  /** Semantic checks beyond the schema. */
  validate?(obj: KubeObject): FieldCause[];
  /**
   * Prepares an update before it is validated: carries over what the server set and the
   * client left out (a Service's allocated cluster IP), drops what the new state no longer
   * allows. Mutates obj.
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /**
   * Shapes a write through a status-like subresource (`status`, a CSR's `approval`) after the
   * store took status from the body: what each subresource may change is the kind's to say.
   */
  prepareForSubresourceUpdate?(subresource: 'status' | 'approval', obj: KubeObject, old: KubeObject): void;
  /** Checks that compare with the previous state: immutable fields. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldCause[];
  /** How a DELETE of this object proceeds. */
  deletion?(obj: KubeObject, requestedGraceSeconds: number | undefined): DeleteDecision;
  /**
   * Kinds whose deletion waits for work outside metadata.finalizers (a namespace's
   * spec.finalizers) mark the object here (e.g. phase Terminating) and return true.
   */
  holdDeletion?(obj: KubeObject): boolean;
}

/**
 * Values a kind holds outside its own object (a Service's cluster IPs and node ports),
 * claimed in storage before the object is written. Strategies stay synchronous and
 * storage-free; a kind that needs claims gets one of these beside its strategy.
 */
export interface Allocator {
  /**
   * Claims what `obj` needs and `old` (on update) does not hold, writing the values into
   * `obj`. A dry run fills in would-be values and claims nothing. Throws typed errors
   * (Invalid for a taken or out-of-range value), leaving no claim behind.
   */
  allocate(obj: KubeObject, old: KubeObject | undefined, opts: { dryRun: boolean }): Promise<AllocationTxn>;
  /** Frees everything `obj` held, once the object is gone from storage. */
  release(obj: KubeObject): Promise<void>;
}

/** The claims one write made: kept or undone depending on whether the write landed. */
export interface AllocationTxn {
  /** The write landed: free what the old object held and the new one no longer does. */
  commit(): Promise<void>;
  /** The write failed or was not needed: free what this allocation claimed. */
  revert(): Promise<void>;
}

export const plainStrategy: Strategy = { hasStatus: false, tracksGeneration: false };
