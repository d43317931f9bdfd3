// Typed request options, parsed from query strings and bodies by the HTTP layer.

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Filled by the store: warnings for the client (the `Warning` header). */
  warnings?: string[];
  /** Set by server-side apply, which computes managedFields itself. */
  applying?: boolean;
  /** The authenticated user, for kinds that record who asked (strategy.prepareForCreate). */
  requester?: { name: string; uid: string; groups: string[] };
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}
