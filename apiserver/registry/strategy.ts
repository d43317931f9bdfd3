// What makes one kind different from another. The generic ResourceStore does the rest;
// a new kind is a schema, a descriptor and one of these.

import type { KubeObject } from '../../common/api/meta.js';
import type { FieldCause } from '../../common/errors.js';
import type { NameRule } from '../validation/names.js';

export interface DeleteDecision {
  /** Seconds to wait before the object may be removed; 0 or undefined removes it now (unless finalizers hold it). */
  gracePeriodSeconds?: number;
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
  /** Prepares a new object: e.g. initial status. Mutates it. */
  prepareForCreate?(obj: KubeObject): void;
  /** Semantic checks beyond the schema. */
  validate?(obj: KubeObject): FieldCause[];
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

export const plainStrategy: Strategy = { hasStatus: false, tracksGeneration: false };
