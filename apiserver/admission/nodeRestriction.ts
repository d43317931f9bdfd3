// Kubernetes' NodeRestriction, for the writes a node agent makes: a node (user
// system:node:<name> in group system:nodes) may create and change only its own Node object
// (by name: never by generateName), never its node-restriction.kubernetes.io/ labels, only
// its own Lease in kube-node-lease, and may write status of / delete only pods bound to it.

import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { ForbiddenError, NotFoundError } from '../../common/errors.js';
import { decodeBody, prereadBody } from '../http/body.js';
import type { RequestInfo } from '../http/requestInfo.js';
import { nodeLeaseNamespace, nodeOfUser } from '../auth/authorizer.js';
import type { UserInfo } from '../auth/tokens.js';

export { nodeLeaseNamespace, nodeOfUser };
export const nodesGroup = 'system:nodes';
/** Labels only an administrator sets on a Node (workload isolation): a node may not set its own. */
export const restrictedLabelPrefix = 'node-restriction.kubernetes.io/';

const writeVerbs = new Set(['create', 'update', 'patch', 'delete']);

/** What NodeRestriction reads of a request body. */
export interface BodyMeta {
  name?: string;
  generateName?: string;
  labels: Record<string, string>;
  /** The body as sent (a patch is checked by what it mentions). */
  raw: string;
  /** Whether the body decoded as an object; the handler reports a body that does not. */
  decoded: boolean;
}

export interface NodeRestrictionDeps {
  /** The pod's node as the cluster knows it now; undefined when the pod does not exist. */
  podNodeName(namespace: string, name: string): Promise<string | undefined>;
  /** The request body and its metadata. */
  body(): Promise<BodyMeta>;
  /** The Node's labels now; undefined when it does not exist. */
  nodeLabels(name: string): Promise<Record<string, string> | undefined>;
}

const restricted = (key: string): boolean => key.startsWith(restrictedLabelPrefix);

/** Restricted label keys that differ between `before` (absent: a new object) and `after`. */
function changedRestrictedLabels(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter(restricted));
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/** Throws Forbidden when a node reaches beyond itself; other users and requests pass untouched. */
export async function admitNodeRequest(user: UserInfo, info: RequestInfo, deps: NodeRestrictionDeps): Promise<void> {
  const node = nodeOfUser(user);
  if (node === undefined || info.kind !== 'resource' || !writeVerbs.has(info.verb)) return;
  /** The object a write names: the path's name, or for a create the body's (no name: generateName). */
  const target = async (kind: string, group: string): Promise<{ name: string | undefined; body: BodyMeta | undefined }> => {
    if (info.verb !== 'create') return { name: info.name, body: info.verb === 'delete' ? undefined : await deps.body() };
    const body = await deps.body();
    if (body.decoded && !body.name) {
      throw new ForbiddenError(`node "${node}" may not create a ${kind} by generateName: it must name its own`, { resource: info.resource, ...(group ? { group } : {}) });
    }
    return { name: body.name, body };
  };

  if (info.group === '' && info.resource === 'nodes') {
    const { name, body } = await target('Node', '');
    if (name !== undefined && name !== node) throw new ForbiddenError(`node "${node}" is not allowed to modify node "${name}"`, { resource: 'nodes', name });
    // Labels live on the Node itself: the status subresource does not change them.
    if (!body || info.subresource) return;
    if (!body.decoded && info.verb !== 'patch') return;
    let changed: string[];
    if (info.verb === 'create') changed = changedRestrictedLabels({}, body.labels);
    else if (info.verb === 'update') changed = changedRestrictedLabels((await deps.nodeLabels(node)) ?? {}, body.labels);
    // A patch (merge, strategic, JSON or apply) may set, change or remove a label: any
    // mention of the prefix is refused (JSON patch paths escape only the `/` after it).
    else changed = body.raw.includes(restrictedLabelPrefix.slice(0, -1)) ? [restrictedLabelPrefix + '*'] : [];
    if (changed.length) {
      throw new ForbiddenError(`node "${node}" is not allowed to modify labels: ${changed.join(', ')} (the prefix ${restrictedLabelPrefix} is for administrators)`, { resource: 'nodes', name: node });
    }
    return;
  }
  if (info.group === 'coordination.k8s.io' && info.resource === 'leases') {
    if (info.namespace !== nodeLeaseNamespace) throw new ForbiddenError(`node "${node}" can only access leases in the namespace ${nodeLeaseNamespace}`, { resource: 'leases', group: 'coordination.k8s.io' });
    const { name } = await target('Lease', 'coordination.k8s.io');
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

/** Reads pods and Nodes for NodeRestriction: the watch cache, then storage before saying "not yours". */
interface ObjectReader {
  get(namespace: string | undefined, name: string, opts?: { resourceVersion?: string }): Promise<KubeObject>;
}

const orMissing = (e: unknown): undefined => {
  if (e instanceof NotFoundError) return undefined;
  throw e;
};

export function nodeRestrictionLookups(pods: ObjectReader, nodes: ObjectReader, req: IncomingMessage, node: string): NodeRestrictionDeps {
  return {
    podNodeName: async (ns, name) => {
      const cached = await pods.get(ns, name, { resourceVersion: '0' }).catch(orMissing);
      // A pod bound a moment ago may not be in the cache yet: check storage before refusing.
      if (cached && podNodeName(cached) === node) return node;
      const current = await pods.get(ns, name).catch(orMissing);
      return current ? podNodeName(current) : undefined;
    },
    body: async () => {
      const raw = await prereadBody(req);
      let body: unknown;
      try {
        body = decodeBody(raw, req.headers['content-type']);
      } catch {
        // The handler reports the undecodable body; a patch is still judged by its text.
        return { labels: {}, raw: raw.toString('utf8'), decoded: false };
      }
      const meta = isObject(body) && isObject(body.metadata) ? body.metadata : {};
      const labels: Record<string, string> = {};
      if (isObject(meta.labels)) for (const [k, v] of Object.entries(meta.labels)) labels[k] = String(v);
      return {
        ...(typeof meta.name === 'string' && meta.name ? { name: meta.name } : {}),
        ...(typeof meta.generateName === 'string' ? { generateName: meta.generateName } : {}),
        labels,
        raw: raw.toString('utf8'),
        decoded: isObject(body),
      };
    },
    nodeLabels: async (name) => {
      // The current state, not the cache's: an update is judged against what it replaces.
      const current = await nodes.get(undefined, name).catch(orMissing);
      if (!current) return undefined;
      const labels: Record<string, string> = {};
      if (isObject(current.metadata.labels)) for (const [k, v] of Object.entries(current.metadata.labels)) labels[k] = String(v);
      return labels;
    },
  };
}
