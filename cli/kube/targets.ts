// The objects a command acts on, from what the user typed: `TYPE NAME...`, `TYPE/NAME...`,
// or `TYPE` with -l SELECTOR or --all, as kubectl's resource builder takes them.

import type { KubeObject } from '../../common/api/meta.js';
import type { Session } from './access.js';
import { qualifiedKind, type ApiResource } from './discovery.js';
import { UsageError } from './errors.js';
import { parseResourceArgs } from './get.js';

export interface Target {
  resource: ApiResource;
  /** undefined for cluster-scoped objects. */
  namespace: string | undefined;
  name: string;
  /** `deployment.apps/web`, as kubectl names an object in its output. */
  label: string;
}

export function target(s: Session, resource: ApiResource, name: string): Target {
  return { resource, namespace: resource.namespaced ? s.namespace : undefined, name, label: `${qualifiedKind(resource)}/${name}` };
}

export interface SelectFlags {
  selector?: string;
  all?: boolean;
}

/** The targets of `args`; a type without names needs -l or --all (the matching objects are listed now). */
export async function resolveTargets(s: Session, args: string[], flags: SelectFlags, verb: string): Promise<Target[]> {
  const reqs = await parseResourceArgs(s, args);
  const out: Target[] = [];
  for (const req of reqs) {
    if (req.names.length) {
      if (flags.selector || flags.all) throw new UsageError('give names, or -l / --all, not both');
      out.push(...req.names.map((n) => target(s, req.resource, n)));
      continue;
    }
    if (!flags.selector && !flags.all) throw new UsageError(`name the ${req.resource.plural} to ${verb}, or select them with -l, or pass --all`);
    const list = await s.api.list<KubeObject>(req.resource, req.resource.namespaced ? s.namespace : undefined, flags.selector ? { labelSelector: flags.selector } : {});
    out.push(...list.items.map((o) => target(s, req.resource, o.metadata!.name!)));
  }
  return out;
}

/**
 * Splits `TYPE NAME... CHANGE...` where changes are recognised by `isChange` (kubectl reads
 * `key=value` and `key-` from the end of the arguments).
 */
export function splitChanges(args: string[], isChange: (a: string) => boolean): { resources: string[]; changes: string[] } {
  let i = args.length;
  while (i > 0 && isChange(args[i - 1]!)) i--;
  return { resources: args.slice(0, i), changes: args.slice(i) };
}
