// Discovery documents: /version, /api, /apis, /api/v1, /apis/G/V, and the aggregated
// (apidiscovery.k8s.io/v2) form that saves kubectl round trips. Built once per process.

import { apiVersionOf } from '../../common/api/meta.js';
import { groupVersions, subresourceKind, type ResourceDescriptor } from '../../common/api/resources.js';

export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-gantry',
  gitCommit: 'gantry',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Stored kinds serve every verb; create-only reviews say so. */
function verbsOf(r: ResourceDescriptor): string[] {
  return r.verbs ? [...r.verbs] : allVerbs;
}

export interface Discovery {
  legacyVersions: object;
  groupList: object;
  resourceLists: Map<string, object>;
  aggregatedLegacy: object;
  aggregatedGroups: object;
}

export function buildDiscovery(resources: readonly ResourceDescriptor[]): Discovery {
  const gvs = groupVersions(resources);
  const resourceLists = new Map<string, object>();
  for (const gv of gvs) {
    const list: object[] = [];
    for (const r of resources.filter((x) => x.group === gv.group && x.version === gv.version)) {
      list.push({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r), ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}), ...(r.verbs ? {} : { storageVersionHash: '' }) });
      for (const sub of r.subresources) {
        const k = subresourceKind(r, sub);
        list.push({ name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, ...(k.group !== r.group ? { group: k.group, version: k.version } : {}), kind: k.kind, verbs: k.verbs });
      }
      if (r.plural === 'namespaces') list.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
    }
    resourceLists.set(apiVersionOf(gv), { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(gv), resources: list });
  }
  // One entry per group with all its versions; the first listed is the preferred one.
  const groups = new Map<string, { group: string; version: string }[]>();
  for (const gv of gvs) if (gv.group !== '') groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv]);
  const groupList = {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((gv) => ({ groupVersion: apiVersionOf(gv), version: gv.version })),
      preferredVersion: { groupVersion: apiVersionOf(versions[0]!), version: versions[0]!.version },
    })),
  };
  const aggregated = (gv: { group: string; version: string }): object => ({
    version: gv.version,
    freshness: 'Current',
    resources: resources
      .filter((r) => r.group === gv.group && r.version === gv.version)
      .map((r) => ({
        resource: r.plural,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singular,
        verbs: verbsOf(r),
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
        subresources: [
          ...r.subresources.map((sub) => ({ sub, k: subresourceKind(r, sub) })),
          ...(r.plural === 'namespaces' ? [{ sub: 'finalize', k: { group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] } }] : []),
        ].map(({ sub, k }) => ({ subresource: sub, responseKind: { group: k.group, version: k.version, kind: k.kind }, verbs: k.verbs })),
      })),
  });
  const list = (items: object[]): object => ({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items });
  return {
    legacyVersions: { kind: 'APIVersions', apiVersion: 'v1', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] },
    groupList,
    resourceLists,
    aggregatedLegacy: list([{ metadata: { creationTimestamp: null }, versions: gvs.filter((g) => g.group === '').map(aggregated) }]),
    aggregatedGroups: list([...groups].map(([name, versions]) => ({ metadata: { name, creationTimestamp: null }, versions: versions.map(aggregated) }))),
  };
}

/** kubectl picks aggregated discovery by the response Content-Type; which version it asked for decides ours. */
export function aggregatedDiscoveryType(accept: string | undefined): string | undefined {
  const a = accept ?? '';
  if (!a.includes('as=APIGroupDiscoveryList')) return undefined;
  if (/g=apidiscovery\.k8s\.io;\s*v=v2;/.test(a) || /g=apidiscovery\.k8s\.io;v=v2(,|;|$)/.test(a)) {
    return 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
  }
  if (a.includes('v=v2beta1')) return 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
  return undefined;
}
