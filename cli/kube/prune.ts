// `gantry apply --prune -l SELECTOR`: after applying, delete the objects that left the
// manifest set. Candidates are the objects of the kinds the manifests hold, in the namespaces
// they were applied to, that match the selector and are not in the set. Of those, only the
// ones this tool applied are deleted: objects whose managedFields hold an Apply entry of the
// field manager in use (`gantry` by default). Server-side apply records that entry on every
// object it writes, so it needs no annotation of our own, and it leaves alone objects with
// the same labels that kubectl, a controller or another manager made.

import type { KubeObject } from '../../common/api/meta.js';
import { resourcePath } from '../../common/client/apiClient.js';
import { ApiError, NotFoundError } from '../../common/errors.js';
import type { Session } from './access.js';
import { qualifiedKind, type ApiResource } from './discovery.js';
import { serverErrorLine } from './errors.js';

export interface PruneScope {
  resource: ApiResource;
  namespace: string | undefined;
  name: string;
}

export interface PruneResult {
  pruned: string[];
  errors: string[];
}

const key = (r: ApiResource, ns: string | undefined, name: string): string => `${r.group}/${r.kind}/${ns ?? ''}/${name}`;

/** Whether `o` was written by server-side apply under `manager`. */
export function appliedBy(o: KubeObject, manager: string): boolean {
  return (o.metadata?.managedFields ?? []).some((f) => f.manager === manager && f.operation === 'Apply');
}

/**
 * Deletes (background cascade; a server dry run with `dryRun`) what left the set `kept`,
 * saying `<kind>/<name> pruned` for each through `say`.
 */
export async function prune(s: Session, kept: PruneScope[], o: { selector: string; fieldManager: string; dryRun: boolean }, say: (label: string) => void): Promise<PruneResult> {
  const result: PruneResult = { pruned: [], errors: [] };
  const keep = new Set(kept.map((k) => key(k.resource, k.namespace, k.name)));
  const resources = new Map<string, ApiResource>();
  for (const k of kept) resources.set(`${k.resource.group}/${k.resource.kind}`, k.resource);
  const namespaces = [...new Set(kept.filter((k) => k.namespace).map((k) => k.namespace!))];
  if (!namespaces.length) namespaces.push(s.namespace);
  for (const r of resources.values()) {
    if (!r.verbs.includes('list') || !r.verbs.includes('delete')) continue;
    for (const ns of r.namespaced ? namespaces : [undefined]) {
      const list = await s.api.list(r, ns, { labelSelector: o.selector });
      for (const obj of list.items) {
        const name = obj.metadata?.name ?? '';
        const objNs = r.namespaced ? (obj.metadata?.namespace ?? ns) : undefined;
        if (keep.has(key(r, objNs, name)) || obj.metadata?.deletionTimestamp || !appliedBy(obj, o.fieldManager)) continue;
        const label = `${qualifiedKind(r)}/${name}`;
        try {
          await s.api.send('DELETE', resourcePath(r, objNs, name), {
            body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid: obj.metadata?.uid } },
            query: o.dryRun ? { dryRun: 'All' } : {},
          });
          result.pruned.push(label);
          say(label);
        } catch (e) {
          // Gone meanwhile: someone else pruned it.
          if (e instanceof NotFoundError) continue;
          if (!(e instanceof ApiError)) throw e;
          result.errors.push(`${label}: could not prune: ${serverErrorLine(e)}`);
        }
      }
    }
  }
  return result;
}
