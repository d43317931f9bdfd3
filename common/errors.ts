// Typed failures shared by every component. Only the API server's HTTP layer maps
// them to status codes and Status objects; everything else throws and catches them
// by class, keeping the original failure in `cause`.

export interface FieldCause {
  /** A machine-readable reason: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldManagerConflict, ... */
  reason: string;
  message: string;
  /** Path of the field, e.g. `spec.containers[0].image`. */
  field?: string;
}

export interface ErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: FieldCause[];
  retryAfterSeconds?: number;
}

/** The Kubernetes `reason` values Gantry produces, with their HTTP codes. */
export const reasonCodes = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;

export type StatusReason = keyof typeof reasonCodes;

export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly details: ErrorDetails;
  constructor(reason: StatusReason, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
    this.details = details;
  }
  get code(): number {
    return reasonCodes[this.reason];
  }
}

export interface ObjectRef {
  group?: string;
  /** Plural resource name as Kubernetes reports it in messages (e.g. "pods", "deployments.apps"). */
  resource: string;
  name?: string;
}

function qualified(ref: ObjectRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function refDetails(ref: ObjectRef): ErrorDetails {
  const d: ErrorDetails = { kind: ref.resource };
  if (ref.name !== undefined) d.name = ref.name;
  if (ref.group) d.group = ref.group;
  return d;
}

export class NotFoundError extends ApiError {
  constructor(ref: ObjectRef, options?: { cause?: unknown }) {
    super('NotFound', `${qualified(ref)} "${ref.name ?? ''}" not found`, refDetails(ref), options);
  }
}

/**
 * A request for a resource, subresource or API version the server does not serve: no
 * object is named, so clients print the message alone ("failed to create job: the server
 * could not find the requested resource") rather than one about a missing object.
 */
export class NotServedError extends ApiError {
  constructor() {
    super('NotFound', 'the server could not find the requested resource');
  }
}

export class AlreadyExistsError extends ApiError {
  constructor(ref: ObjectRef, options?: { cause?: unknown }) {
    super('AlreadyExists', `${qualified(ref)} "${ref.name ?? ''}" already exists`, refDetails(ref), options);
  }
}

export class ConflictError extends ApiError {
  constructor(ref: ObjectRef, why: string, causes?: FieldCause[]) {
    const d = refDetails(ref);
    if (causes) d.causes = causes;
    super('Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name ?? ''}": ${why}`, d);
  }
}

export class InvalidError extends ApiError {
  readonly causes: FieldCause[];
  constructor(kind: string, name: string, causes: FieldCause[], group?: string) {
    const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    const details: ErrorDetails = { name, kind, causes };
    if (group) details.group = group;
    // The message names the group-qualified kind (`Deployment.apps`), as Kubernetes' does;
    // details keep kind and group apart.
    super('Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${summary}`, details);
    this.causes = causes;
  }
}

/** A resourceVersion too old to serve from the watch window; clients relist. */
export class GoneError extends ApiError {
  constructor(message: string) {
    super('Expired', message);
  }
}

export class BadRequestError extends ApiError {
  constructor(message: string, causes?: FieldCause[]) {
    super('BadRequest', message, causes ? { causes } : {});
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'Unauthorized') {
    super('Unauthorized', message);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string, ref?: ObjectRef) {
    super('Forbidden', message, ref ? refDetails(ref) : {});
  }
}

export class TooLargeError extends ApiError {
  constructor(message: string) {
    super('RequestEntityTooLarge', message);
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor(message: string) {
    super('MethodNotAllowed', message);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(contentType: string) {
    super('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${JSON.stringify(contentType)})`);
  }
}

export class TooManyRequestsError extends ApiError {
  constructor(message: string, retryAfterSeconds: number) {
    super('TooManyRequests', message, { retryAfterSeconds });
  }
}

/** retryAfterSeconds: when the client should try again (the Retry-After header), e.g. while etcd is away. */
export class ServiceUnavailableError extends ApiError {
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super('ServiceUnavailable', message, options?.retryAfterSeconds ? { retryAfterSeconds: options.retryAfterSeconds } : {}, options);
  }
}

export class TimeoutError extends ApiError {
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super('Timeout', message, options?.retryAfterSeconds ? { retryAfterSeconds: options.retryAfterSeconds } : {}, options);
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
