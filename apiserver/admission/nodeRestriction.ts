// Kubernetes' NodeRestriction, for the writes a node agent makes: a node (user
// system:node:<name> in group system:nodes) may change only its own Node object and its
// own lease in kube-node-lease, and may write status of / delete only pods bound to it.

import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { ForbiddenError, NotFoundError } from '../../common/errors.js';
import { decodeBody, prereadBody } from '../http/body.js';
import type { RequestInfo } from '../http/requestInfo.js';
import type { UserInfo } from '../auth/tokens.js';

export const nodesGroup = 'system:nodes';
const nodeUserPrefix = 'system:node:';
export const nodeLeaseNamespace = 'kube-node-lease';

const writeVerbs = new Set(['create', 'update', 'patch', 'delete']);

/** The node a user acts for, or undefined for anyone else. */
export function nodeOfUser(user: UserInfo): string | undefined {
  if (!user.groups.includes(nodesGroup) || !user.name.startsWith(nodeUserPrefix)) return undefined;
  return user.name.slice(nodeUserPrefix.length) || undefined;
}

export interface NodeRestrictionDeps {
  /** The pod's node as the cluster knows it now; undefined when the pod does not exist. */
  podNodeName(namespace: string, name: string): Promise<string | undefined>;
  /** metadata.name of the request body (creates name their object there); undefined if unreadable. */
  bodyName(): Promise<string | undefined>;
}

/** Throws Forbidden when a node reaches beyond itself; other users and requests pass untouched. */
export async function admitNodeRequest(user: UserInfo, info: RequestInfo, deps: NodeRestrictionDeps): Promise<void> {
  const node = nodeOfUser(user);
  if (node === undefined || info.kind !== 'resource' || !writeVerbs.has(info.verb)) return;
  const target = async (): Promise<string | undefined> => info.name ?? (info.verb === 'create' ? deps.bodyName() : undefined);

  if (info.group === '' && info.resource === 'nodes') {
    const name = await target();
    if (name !== undefined && name !== node) throw new ForbiddenError(`node "${node}" is not allowed to modify node "${name}"`, { resource: 'nodes', name });
    return;
  }
  if (info.group === 'coordination.k8s.io' && info.resource === 'leases' && info.namespace === nodeLeaseNamespace) {
    const name = await target();
    if (name !== undefined && name !== node) throw new ForbiddenError(`node "${node}" can only access the node lease named after itself, not "${name}"`, { resource: 'leases', group: 'coordination.k8s.io', name });
    return;
  }
  if (info.group === '' && info.resource === 'pods' && info.name && info.namespace) {
    const what = info.subresource === 'status' ? 'update the status of' : info.subresource === 'eviction' ? 'evict' : !info.subresource && info.verb === 'delete' ? 'delete' : undefined;
    if (!what) return;
    const bound = await deps.podNodeName(info.namespace, info.name);
    // A missing pod is the handler's 404 to report.
    if (bound !== undefined && bound !== node) throw new ForbiddenError(`node "${node}" can only ${what} pods with spec.nodeName set to itself`, { resource: 'pods', name: info.name });
  }
}

function podNodeName(pod: KubeObject): string {
  const spec = isObject(pod.spec) ? pod.spec : {};
  return typeof spec.nodeName === 'string' ? spec.nodeName : '';
}

/** Reads pods for NodeRestriction: the watch cache, then storage before saying "not yours". */
interface PodReader {
  get(namespace: string | undefined, name: string, opts?: { resourceVersion?: string }): Promise<KubeObject>;
}

const orMissing = (e: unknown): undefined => {
  if (e instanceof NotFoundError) return undefined;
  throw e;
};

export function nodeRestrictionLookups(pods: PodReader, req: IncomingMessage, node: string): NodeRestrictionDeps {
  return {
    podNodeName: async (ns, name) => {
      const cached = await pods.get(ns, name, { resourceVersion: '0' }).catch(orMissing);
      // A pod bound a moment ago may not be in the cache yet: check storage before refusing.
      if (cached && podNodeName(cached) === node) return node;
      const current = await pods.get(ns, name).catch(orMissing);
      return current ? podNodeName(current) : undefined;
    },
    bodyName: async () => {
      const raw = await prereadBody(req);
      try {
        const body = decodeBody(raw, req.headers['content-type']);
        const meta = isObject(body) && isObject(body.metadata) ? body.metadata : {};
        return typeof meta.name === 'string' ? meta.name : undefined;
      } catch {
        return undefined; // the handler reports the undecodable body
      }
    },
  };
}
