// Turns a URL and method into what the request is about, as Kubernetes'
// RequestInfoResolver does: /api/v1/namespaces/ns/pods/name/status, PUT -> update status.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';

export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: Verb;
}

export interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

/** Subresources that stream (connect) rather than read or create; SPDY clients POST the upgrades. */
const connectOnGet = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);
const connectOnPost = new Set(['exec', 'attach', 'portforward']);

export function resolveRequest(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const m = method.toUpperCase();
  const nonResource = (): NonResourceRequest => ({ kind: 'nonresource', path: pathname, verb: m.toLowerCase() });
  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return nonResource();
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... is namespaced; /namespaces and /namespaces/{ns}[/status|finalize] are the namespace resource itself.
  const namespaceSubresource = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (!resource || rest.length > 3) return nonResource();
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: Verb;
  switch (m) {
    case 'GET':
    case 'HEAD':
      verb = subresource !== undefined && connectOnGet.has(subresource) ? 'connect' : name ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = subresource !== undefined && connectOnPost.has(subresource) ? 'connect' : 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      return nonResource();
  }
  const out: ResourceRequest = { kind: 'resource', group, version, resource, verb };
  if (namespace !== undefined) out.namespace = namespace;
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  return out;
}
