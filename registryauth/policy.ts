// Who may do what: a user from the users file gets its actions on every repository; an
// anonymous caller gets what the service allows anonymous callers (pull, in `gantry up`'s
// cluster). Scopes asked for but not allowed are dropped, never refused: the spec has the
// token carry the allowed subset and the registry say no to the rest.

import type { RegistryAction } from '../common/images/registryUsers.js';
import type { ScopeRequest } from './scope.js';

export type Identity = { kind: 'anonymous' } | { kind: 'user'; name: string; actions: readonly RegistryAction[] };

/** One entry of the token's `access` claim. */
export interface Access {
  type: string;
  name: string;
  actions: string[];
}

export function grant(who: Identity, requested: ScopeRequest[], anonymousActions: readonly RegistryAction[]): Access[] {
  const allowed: readonly string[] = who.kind === 'user' ? who.actions : anonymousActions;
  const byResource = new Map<string, Access>();
  for (const r of requested) {
    // Only repositories: `registry:catalog:*` would list every repository, which nobody needs.
    if (r.type !== 'repository') continue;
    const actions = r.actions.filter((a) => allowed.includes(a));
    if (!actions.length) continue;
    const key = `${r.type}:${r.name}`;
    const entry = byResource.get(key) ?? { type: r.type, name: r.name, actions: [] };
    entry.actions = [...new Set([...entry.actions, ...actions])];
    byResource.set(key, entry);
  }
  return [...byResource.values()];
}

export function subject(who: Identity): string {
  return who.kind === 'user' ? who.name : '';
}
