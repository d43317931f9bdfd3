// Which requests may run for as long as the client likes, as kube-apiserver's
// BasicLongRunningRequestCheck decides: watches and the streaming subresources (log,
// exec, attach, portforward, proxy). Timeouts and in-flight limits skip them; they are
// bounded by their own means (watch timeoutSeconds, the agent's stream limits).

import type { RequestInfo } from './requestInfo.js';

export function isLongRunning(info: RequestInfo): boolean {
  return info.kind === 'resource' && (info.verb === 'watch' || info.verb === 'connect');
}

const mutatingVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Counted against --max-mutating-requests-inflight rather than --max-requests-inflight. */
export function isMutating(info: RequestInfo): boolean {
  if (info.kind === 'resource') return mutatingVerbs.has(info.verb);
  return !['get', 'head', 'options'].includes(info.verb);
}
