// What the server serves, from its discovery documents (/api, /apis and each group
// version's resource list), fetched once per command: how a name the user typed (po, pods,
// pod, Pod, deployments.apps, deploy.v1.apps) or a manifest's apiVersion/kind maps to a
// resource and its path.

import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { ApiClient } from '../../common/client/apiClient.js';
import { CliError } from './errors.js';

export interface ApiResource extends ResourceDescriptor {
  verbs: string[];
  /** Whether this is the group's preferred version (names resolve to those first). */
  preferred: boolean;
}

interface APIResourceList {
  groupVersion: string;
  resources?: { name: string; singularName?: string; namespaced: boolean; kind: string; verbs?: string[]; shortNames?: string[]; categories?: string[] }[];
}

interface APIGroupList {
  groups?: { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion?: { version: string } }[];
}

/** `deployment.apps`, `pod`: how kubectl names a resource in `kind/name` and `"name" deleted` lines. */
export function qualifiedKind(r: Pick<ResourceDescriptor, 'kind' | 'group'>): string {
  return r.group ? `${r.kind.toLowerCase()}.${r.group}` : r.kind.toLowerCase();
}

/** `deployments.apps`, `pods`: how the server names a resource in its messages. */
export function qualifiedResource(r: Pick<ResourceDescriptor, 'plural' | 'group'>): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export class Discovery {
  private all?: Promise<ApiResource[]>;

  constructor(private readonly api: ApiClient) {}

  /** Every resource (no subresources), the preferred versions first, core before groups. */
  resources(): Promise<ApiResource[]> {
    this.all ??= this.fetch();
    return this.all;
  }

  private async fetch(): Promise<ApiResource[]> {
    const [core, groups] = await Promise.all([this.api.send<{ versions?: string[] }>('GET', '/api'), this.api.send<APIGroupList>('GET', '/apis')]);
    const gvs: { group: string; version: string; preferred: boolean }[] = (core.body.versions ?? []).map((v, i) => ({ group: '', version: v, preferred: i === 0 }));
    for (const g of groups.body.groups ?? []) {
      const pref = g.preferredVersion?.version ?? g.versions[0]?.version;
      for (const v of g.versions) gvs.push({ group: g.name, version: v.version, preferred: v.version === pref });
    }
    const lists = await Promise.all(gvs.map((gv) => this.api.send<APIResourceList>('GET', gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`).then((r) => ({ gv, list: r.body }))));
    const out: ApiResource[] = [];
    for (const { gv, list } of lists) {
      for (const r of list.resources ?? []) {
        if (r.name.includes('/')) continue;
        out.push({
          group: gv.group,
          version: gv.version,
          kind: r.kind,
          listKind: `${r.kind}List`,
          plural: r.name,
          singular: r.singularName || r.kind.toLowerCase(),
          namespaced: r.namespaced,
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          subresources: [],
          definition: '',
          verbs: r.verbs ?? [],
          preferred: gv.preferred,
        });
      }
    }
    return out.sort((a, b) => Number(b.preferred) - Number(a.preferred));
  }

  /**
   * The resource a user named: plural, singular, short name or kind, optionally qualified
   * by group (`deployments.apps`) or version and group (`deployments.v1.apps`).
   */
  async resolve(typed: string): Promise<ApiResource> {
    const all = await this.resources();
    const arg = typed.toLowerCase();
    const names = (r: ApiResource): string[] => [r.plural, r.singular, r.kind.toLowerCase(), ...r.shortNames];
    for (const r of all) {
      for (const n of names(r)) {
        if (arg === n || arg === `${n}.${r.group}` || arg === `${n}.${r.version}.${r.group}`) {
          if (r.group === '' || arg === n || arg.endsWith(`.${r.group}`)) return r;
        }
      }
    }
    throw new CliError(`the server doesn't have a resource type "${typed}"`);
  }

  /** The resources of a category (`all`: pods, services, deployments, ...), preferred versions only. */
  async category(name: string): Promise<ApiResource[]> {
    return (await this.resources()).filter((r) => r.preferred && r.categories.includes(name.toLowerCase()));
  }

  /** The resource of a manifest's apiVersion and kind; undefined when the server has none. */
  async forKind(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/', 2) as [string, string]) : ['', apiVersion];
    return (await this.resources()).find((r) => r.group === group && r.version === version && r.kind === kind);
  }
}
