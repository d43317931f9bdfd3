// The paths the node agent serves, as the kubelet names them.

import { BadRequestError, NotFoundError } from '../../common/errors.js';
import type { ContainerTarget } from './types.js';

export type Route = { kind: 'healthz' } | ({ kind: 'containerLogs' | 'exec' } & ContainerTarget);

/** Throws NotFoundError for an unknown path, BadRequestError for a malformed one. */
export function matchRoute(pathname: string): Route {
  if (pathname === '/healthz') return { kind: 'healthz' };
  const parts = pathname.split('/');
  // '', kind, namespace, pod, container
  if (parts.length === 5 && (parts[1] === 'containerLogs' || parts[1] === 'exec')) {
    const [namespace, pod, container] = parts.slice(2).map(decodeSegment);
    if (!namespace || !pod || !container) throw new BadRequestError(`the path must be /${parts[1]}/{namespace}/{pod}/{container}`);
    return { kind: parts[1], namespace, pod, container };
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
