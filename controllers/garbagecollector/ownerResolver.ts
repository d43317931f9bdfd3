// Where an owner reference points and whether something is there. A namespaced dependent's
// owners are looked for in its own namespace; a cluster-scoped dependent can only have
// cluster-scoped owners. An owner the graph has observed is judged from the graph; one it
// has not is verified with a live GET (a reference is never judged dangling from a cache that
// may simply not have caught up). Owners proven absent are remembered by coordinates and
// uid: uids are never reused, so an answer, once absent, stays absent.

import type { KubeObject, OwnerReference } from '../../common/api/meta.js';
import { parseApiVersion } from '../../common/api/meta.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import { NotFoundError } from '../../common/errors.js';
import { isDeletingDependents, type OwnerGraph } from './graph.js';
import type { OwnerState } from './plan.js';

export interface ResolvedOwner {
  state: OwnerState;
  /** Set when the reference is dangling because of where it points: the event's message. */
  invalidNamespace?: string;
}

/** A bounded set of owners proven absent (insertion order evicts the oldest). */
export class AbsentOwnerCache {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 500) {}
  has(k: string): boolean {
    return this.keys.has(k);
  }
  add(k: string): void {
    this.keys.delete(k);
    this.keys.add(k);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
  }
}

export function findResource(resources: readonly ResourceDescriptor[], ref: Pick<OwnerReference, 'apiVersion' | 'kind'>): ResourceDescriptor | undefined {
  const gv = parseApiVersion(ref.apiVersion ?? '');
  // Any served version of the group names the same objects.
  return resources.find((r) => r.group === gv.group && r.kind === ref.kind && r.version === gv.version) ?? resources.find((r) => r.group === gv.group && r.kind === ref.kind);
}

function describeRef(ref: OwnerReference, namespace: string | undefined): string {
  return `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${namespace ?? ''}, name: ${ref.name}, uid: ${ref.uid}]`;
}

export class OwnerResolver {
  readonly absent = new AbsentOwnerCache();

  constructor(
    private readonly api: Api,
    private readonly graph: OwnerGraph,
    private readonly resources: readonly ResourceDescriptor[],
  ) {}

  async resolve(dependent: KubeObject, ref: OwnerReference): Promise<ResolvedOwner> {
    const resource = findResource(this.resources, ref);
    if (!resource) return { state: 'unresolvable' };
    const depNs = dependent.metadata.namespace || undefined;
    if (resource.namespaced && !depNs) {
      return { state: 'dangling', invalidNamespace: `${describeRef(ref, undefined)} does not exist in namespace "": a cluster-scoped object cannot have a namespaced owner` };
    }
    const ownerNs = resource.namespaced ? depNs : undefined;
    const node = this.graph.get(ref.uid);
    if (node && !node.virtual && node.resource && node.object) {
      if (node.resource.kind !== resource.kind || node.resource.group !== resource.group) return { state: 'dangling' };
      if ((node.namespace ?? undefined) !== ownerNs) {
        return { state: 'dangling', invalidNamespace: `${describeRef(ref, node.namespace)} does not exist in namespace ${JSON.stringify(depNs ?? '')}` };
      }
      return { state: isDeletingDependents(node.object) ? 'waiting' : 'solid' };
    }
    const absentKey = `${resource.group}/${resource.kind}/${ownerNs ?? ''}/${ref.name}/${ref.uid}`;
    if (this.absent.has(absentKey)) return { state: 'dangling' };
    let live: KubeObject;
    try {
      live = await this.api.get(resource, ownerNs, ref.name);
    } catch (e) {
      if (e instanceof NotFoundError) {
        this.absent.add(absentKey);
        return { state: 'dangling' };
      }
      throw e;
    }
    if (live.metadata.uid !== ref.uid) {
      this.absent.add(absentKey);
      return { state: 'dangling' };
    }
    return { state: isDeletingDependents(live) ? 'waiting' : 'solid' };
  }
}
