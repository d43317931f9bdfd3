// Errors become Kubernetes Status objects here, and only here.

import type { Status } from '../../common/api/meta.js';
import { ApiError } from '../../common/errors.js';

export function statusFromError(e: unknown): { status: Status; internal: boolean } {
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
