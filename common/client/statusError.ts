// The client side of the one mapping between typed errors and Kubernetes Status objects:
// apiserver/http/status.ts turns a thrown error into a Status, and this turns a Status the
// server answered back into the same class, so callers catch NotFoundError, ConflictError, ...
// instead of comparing status codes. The server's own message is kept verbatim.

import type { Status } from '../api/meta.js';
import {
  AlreadyExistsError,
  ApiError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidError,
  MethodNotAllowedError,
  NotFoundError,
  NotServedError,
  ServiceUnavailableError,
  TimeoutError,
  TooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  reasonCodes,
  type ErrorDetails,
  type FieldCause,
  type ObjectRef,
  type StatusReason,
} from '../errors.js';

/** What a client knows about a failed request besides its body. */
export interface FailedAnswer {
  /** The HTTP status code. */
  code: number;
  /** The body, when it was a Status (or anything else parsed from JSON). */
  body?: unknown;
  /** The raw text, used as the message when there is no Status. */
  text?: string;
  /** The Retry-After header, in seconds, when the server sent one. */
  retryAfter?: string | string[];
  /** `GET /api/v1/pods` etc., for messages without a Status. */
  request?: string;
}

function isStatus(v: unknown): v is Partial<Status> {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

function isReason(r: string | undefined): r is StatusReason {
  return r !== undefined && Object.hasOwn(reasonCodes, r);
}

/** The reason Kubernetes' client uses for a bare status code (client-go's reasonForError). */
export function reasonForCode(code: number): StatusReason {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 406:
      return 'NotAcceptable';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 413:
      return 'RequestEntityTooLarge';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return 'InternalError';
  }
}

function causesOf(st: Partial<Status>): FieldCause[] {
  return (st.details?.causes ?? []).map((c) => {
    const out: FieldCause = { reason: c.reason ?? '', message: c.message ?? '' };
    if (c.field !== undefined) out.field = c.field;
    return out;
  });
}

function retryAfterSeconds(st: Partial<Status>, header: string | string[] | undefined): number {
  if (typeof st.details?.retryAfterSeconds === 'number') return st.details.retryAfterSeconds;
  const h = Array.isArray(header) ? header[0] : header;
  const n = h === undefined ? NaN : Number(h);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

function detailsOf(st: Partial<Status>, causes: FieldCause[]): ErrorDetails {
  const d = st.details ?? {};
  const out: ErrorDetails = {};
  if (d.kind !== undefined) out.kind = d.kind;
  if (d.name !== undefined) out.name = d.name;
  if (d.group) out.group = d.group;
  if (causes.length) out.causes = causes;
  return out;
}

/** Builds the typed error for a non-2xx answer. */
export function errorFromStatus(a: FailedAnswer): ApiError {
  const st: Partial<Status> = isStatus(a.body) ? a.body : {};
  const reason: StatusReason = isReason(st.reason) ? st.reason : reasonForCode(st.code ?? a.code);
  const fallback = (a.text ?? '').trim().slice(0, 500);
  const message = st.message ?? (fallback || `${a.request ?? 'request'}: the server answered HTTP ${a.code}`);
  const d = st.details ?? {};
  const ref: ObjectRef = { resource: d.kind ?? '', ...(d.name !== undefined ? { name: d.name } : {}), ...(d.group ? { group: d.group } : {}) };
  const causes = causesOf(st);
  let e: ApiError;
  switch (reason) {
    case 'NotFound':
      e = d.name === undefined && d.kind === undefined ? new NotServedError() : new NotFoundError(ref);
      break;
    case 'AlreadyExists':
      e = new AlreadyExistsError(ref);
      break;
    case 'Conflict':
      e = new ConflictError(ref, message, causes.length ? causes : undefined);
      break;
    case 'Invalid':
      e = new InvalidError(d.kind ?? '', d.name ?? '', causes, d.group);
      break;
    case 'Gone':
    case 'Expired':
      e = new GoneError(message);
      break;
    case 'Forbidden':
      e = new ForbiddenError(message, d.kind !== undefined ? ref : undefined);
      break;
    case 'Unauthorized':
      e = new UnauthorizedError(message);
      break;
    case 'TooManyRequests':
      e = new TooManyRequestsError(message, retryAfterSeconds(st, a.retryAfter));
      break;
    case 'ServiceUnavailable':
      e = new ServiceUnavailableError(message);
      break;
    case 'Timeout':
      e = new TimeoutError(message);
      break;
    case 'BadRequest':
      e = new BadRequestError(message, causes.length ? causes : undefined);
      break;
    case 'RequestEntityTooLarge':
      e = new TooLargeError(message);
      break;
    case 'MethodNotAllowed':
      e = new MethodNotAllowedError(message);
      break;
    default:
      e = new ApiError(reason, message, detailsOf(st, causes));
  }
  // The classes compose their own messages; the server's is the one users should see.
  e.message = message;
  // Causes the class did not take (an eviction's 429 says which budget refused) are kept too.
  if (causes.length && !e.details.causes) e.details.causes = causes;
  return e;
}
