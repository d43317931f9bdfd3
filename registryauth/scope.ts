// Scopes of the Docker registry token spec: `type[(class)]:name:action[,action...]`, e.g.
// `repository:gantry/web:pull,push`. A request may repeat `scope=` and put several scopes,
// space-separated, in one. The name may hold colons (a registry host with a port), so the
// type ends at the first colon and the actions start after the last.

import { BadRequestError } from '../common/errors.js';

export interface ScopeRequest {
  /** `repository`, `registry`, ... with any `(class)` kept, so an unknown class is never taken for a plain repository. */
  type: string;
  name: string;
  actions: string[];
}

/** distribution's reference grammar for a repository path: lower-case components joined by `/`. */
const repositoryName = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const typePattern = /^[a-z0-9]+(?:\([a-z0-9]+\))?$/;
const actionPattern = /^(?:[a-z]+|\*)$/;

/** More scopes than any client asks for at once; keeps one request's work bounded. */
export const maxScopes = 32;

export function parseScope(scope: string): ScopeRequest {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  const invalid = (why: string): never => {
    throw new BadRequestError(`invalid scope ${JSON.stringify(scope.slice(0, 300))}: ${why}`);
  };
  if (first < 0 || last === first) return invalid('expected type:name:actions');
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope.slice(last + 1).split(',');
  if (!typePattern.test(type)) invalid(`resource type ${JSON.stringify(type)} is not lower-case letters and digits`);
  if (type === 'repository' && (name.length > 255 || !repositoryName.test(name))) invalid('not a repository name (lower-case path components separated by /, at most 255 characters)');
  if (name.length === 0 || name.length > 255) invalid('the resource name must be 1-255 characters');
  if (!actions.every((a) => actionPattern.test(a))) invalid('actions must be a comma-separated list of lower-case words or *');
  return { type, name, actions: [...new Set(actions)] };
}

/** Every scope of a request's `scope` parameters, in order. */
export function parseScopes(params: string[]): ScopeRequest[] {
  const scopes = params.flatMap((p) => p.split(' ')).filter(Boolean);
  if (scopes.length > maxScopes) throw new BadRequestError(`too many scopes (${scopes.length}; at most ${maxScopes})`);
  return scopes.map(parseScope);
}
