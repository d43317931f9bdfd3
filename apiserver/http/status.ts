// Errors become Kubernetes Status objects here, and only here.

import type { Status } from '../../common/api/meta.js';
import { ApiError, ServiceUnavailableError, TimeoutError } from '../../common/errors.js';
import { StorageUnavailableError } from '../storage/errors.js';

/** How long a client should wait before retrying while etcd is away (client-go honours Retry-After on 5xx). */
export const storageRetryAfterSeconds = 1;

/** gRPC's DEADLINE_EXCEEDED anywhere in the cause chain: etcd did not answer in time (504), rather than refused (503). */
function deadlineExceeded(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    if (c.name === 'GRPCDeadlineExceededError' || /deadline exceeded/i.test(c.message)) return true;
  }
  return false;
}

/**
 * A storage failure (etcd unreachable, its circuit breaker open, a deadline passed) is the
 * store being away, not a bug in the request: 503 or 504 with Retry-After, so clients retry.
 */
function fromStorage(e: StorageUnavailableError): ApiError {
  const opts = { cause: e, retryAfterSeconds: storageRetryAfterSeconds };
  if (deadlineExceeded(e)) return new TimeoutError('Timeout: the storage backend (etcd) did not answer in time', opts);
  return new ServiceUnavailableError('the storage backend (etcd) is unavailable; try again', opts);
}

export function statusFromError(e: unknown): { status: Status; internal: boolean } {
  if (e instanceof StorageUnavailableError) e = fromStorage(e);
  if (e instanceof ApiError) {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, code: e.code };
    if (Object.keys(e.details).length) status.details = e.details;
    return { status, internal: false };
  }
  return {
    status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Internal error occurred: the server could not complete the request', reason: 'InternalError', code: 500 },
    internal: true,
  };
}

export function successStatus(details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}
