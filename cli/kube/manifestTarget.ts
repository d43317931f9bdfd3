// Where a manifest's object lives on the server: its resource (from discovery, by apiVersion
// and kind) and namespace (its own, else -n, else the context's), shared by apply and delete -f.

import type { Session } from './access.js';
import { qualifiedKind, type ApiResource } from './discovery.js';
import { where, type ManifestObject } from './manifests.js';

export interface ManifestTarget {
  resource: ApiResource;
  /** undefined for cluster-scoped objects. */
  namespace: string | undefined;
  name: string;
  /** `deployment.apps/web`, as kubectl names objects in its output. */
  label: string;
  /** `deployment.apps/web (web.yaml:7)`: what and where, for errors. */
  place: string;
}

/** The target of `m`, or a message saying why there is none. */
export async function manifestTarget(s: Session, m: ManifestObject): Promise<ManifestTarget | string> {
  const { apiVersion, kind } = m.obj;
  const name = m.obj.metadata!.name!;
  const at = where(m.file, m.line);
  const resource = await s.discovery.forKind(apiVersion!, kind!);
  if (!resource) return `${kind}/${name} (${at}): the server has no resource of kind "${kind}" in apiVersion "${apiVersion}"`;
  const label = `${qualifiedKind(resource)}/${name}`;
  const place = `${label} (${at})`;
  if (!resource.namespaced) return { resource, namespace: undefined, name, label, place };
  const own = m.obj.metadata?.namespace;
  if (own && s.namespaceFlag && own !== s.namespace) {
    return `${place}: the object's namespace "${own}" does not match --namespace "${s.namespace}" (pass --namespace=${own}, or leave -n out)`;
  }
  return { resource, namespace: own || s.namespace, name, label, place };
}
