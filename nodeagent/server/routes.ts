// The paths the node agent serves, as the kubelet names them.

import { BadRequestError, NotFoundError } from '../../common/errors.js';
import { statsSummaryPath } from '../../common/api/statsSummary.js';
import type { ContainerTarget } from './types.js';

export type Route =
  | { kind: 'healthz' }
  | { kind: 'statsSummary' }
  | ({ kind: 'containerLogs' | 'exec' | 'attach' } & ContainerTarget)
  | { kind: 'portForward'; namespace: string; pod: string; uid?: string };

const containerKinds = new Set(['containerLogs', 'exec', 'attach']);

/** Throws NotFoundError for an unknown path, BadRequestError for a malformed one. */
export function matchRoute(pathname: string): Route {
  if (pathname === '/healthz') return { kind: 'healthz' };
  if (pathname === statsSummaryPath) return { kind: 'statsSummary' };
  const parts = pathname.split('/');
  // '', kind, namespace, pod, container
  const kind = parts[1] ?? '';
  if (parts.length === 5 && containerKinds.has(kind)) {
    const [namespace, pod, container] = parts.slice(2).map(decodeSegment);
    if (!namespace || !pod || !container) throw new BadRequestError(`the path must be /${kind}/{namespace}/{pod}/{container}`);
    return { kind: kind as 'containerLogs' | 'exec' | 'attach', namespace, pod, container };
  }
  // '', portForward, namespace, pod[, uid]
  if (kind === 'portForward' && (parts.length === 4 || parts.length === 5)) {
    const [namespace, pod, uid] = parts.slice(2).map(decodeSegment);
    if (!namespace || !pod || uid === '') throw new BadRequestError('the path must be /portForward/{namespace}/{pod}[/{uid}]');
    return uid === undefined ? { kind: 'portForward', namespace, pod } : { kind: 'portForward', namespace, pod, uid };
  }
  throw new NotFoundError({ resource: 'paths', name: pathname });
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new BadRequestError(`malformed path segment ${JSON.stringify(s)}`);
  }
}
