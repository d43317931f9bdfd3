// `gantry describe`: one object (or every object of a type, or those matching -l) in
// kubectl's layout with its related objects and its events: pods, deployments (with their
// ReplicaSets), nodes (with the pods on them and what they request), services (with their
// endpoints), and any other kind field by field.

import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import { NotFoundError } from '../../common/errors.js';
import { escapeFieldValue } from '../../common/selectors/fields.js';
import type { Session } from './access.js';
import type { CommandContext } from './commands.js';
import type { ApiResource } from './discovery.js';
import { UsageError } from './errors.js';
import { namespaceOf, parseResourceArgs, refused } from './get.js';
import { describeDeployment } from './describe/deployment.js';
import { describeGeneric } from './describe/generic.js';
import { describeNode, type LeaseInfo } from './describe/node.js';
import { describePod } from './describe/pod.js';
import { describeReplicaSet } from './describe/replicaset.js';
import { describeService } from './describe/service.js';
import { formatLabelSelectorObject } from '../../common/selectors/labels.js';
import type { CoreEvent, Deployment, EndpointSlice, Node, Pod, ReplicaSet, Service } from './describe/wire.js';

export interface DescribeFlags {
  selector?: string;
  allNamespaces?: boolean;
  showEvents?: boolean | string;
}

/** Events about `o` from the core events API, by the involvedObject field selectors kubectl uses. */
export async function eventsFor(s: Session, o: KubeObject, kind: string, withUid = true): Promise<CoreEvent[]> {
  const fields = [`involvedObject.name=${escapeFieldValue(o.metadata?.name ?? '')}`, `involvedObject.kind=${kind}`];
  if (o.metadata?.namespace) fields.push(`involvedObject.namespace=${o.metadata.namespace}`);
  if (withUid && o.metadata?.uid) fields.push(`involvedObject.uid=${o.metadata.uid}`);
  const list = await s.api.list<CoreEvent>(resourceFor('Event'), o.metadata?.namespace || undefined, { fieldSelector: fields.join(',') });
  return list.items;
}

async function lease(s: Session, node: string): Promise<LeaseInfo> {
  try {
    const l = (await s.api.send<{ spec?: { holderIdentity?: string; acquireTime?: string; renewTime?: string } }>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(node)}`)).body;
    return { ...l.spec };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

type Describer = (s: Session, o: KubeObject, events: boolean) => Promise<string>;

const describers: Record<string, Describer> = {
  '/Pod': async (s, o, ev) => describePod(o as Pod, ev ? await eventsFor(s, o, 'Pod') : undefined),
  'apps/Deployment': async (s, o, ev) => {
    const rs = await s.api.list<ReplicaSet>(resourceFor('ReplicaSet', 'apps'), o.metadata?.namespace);
    return describeDeployment(o as Deployment, rs.items, ev ? await eventsFor(s, o, 'Deployment') : undefined);
  },
  'apps/ReplicaSet': async (s, o, ev) => {
    const rs = o as ReplicaSet;
    const pods = await s.api.list<Pod>(resourceFor('Pod'), o.metadata?.namespace, { labelSelector: formatLabelSelectorObject(rs.spec?.selector) });
    return describeReplicaSet(rs, pods.items, ev ? await eventsFor(s, o, 'ReplicaSet') : undefined);
  },
  '/Node': async (s, o, ev) => {
    const name = o.metadata?.name ?? '';
    const fieldSelector = `spec.nodeName=${escapeFieldValue(name)},status.phase!=Succeeded,status.phase!=Failed`;
    const [pods, l, events] = await Promise.all([
      s.api.list<Pod>(resourceFor('Pod'), undefined, { fieldSelector }),
      lease(s, name),
      // The node agent names its node by name, as the kubelet does, not by uid.
      ev ? eventsFor(s, o, 'Node', false) : Promise.resolve(undefined),
    ]);
    return describeNode(o as Node, pods.items, l, events);
  },
  '/Service': async (s, o, ev) => {
    const slices = await s.api.send<{ items?: EndpointSlice[] }>('GET', `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(o.metadata?.namespace ?? '')}/endpointslices`, {
      query: { labelSelector: `kubernetes.io/service-name=${o.metadata?.name ?? ''}` },
    });
    return describeService(o as Service, slices.body.items ?? [], ev ? await eventsFor(s, o, 'Service') : undefined);
  },
};

function describerFor(r: ApiResource): Describer {
  return describers[`${r.group}/${r.kind}`] ?? (async (s, o, ev) => describeGeneric(o, ev ? await eventsFor(s, o, r.kind) : undefined));
}

/** The named object; when there is none, those whose names begin with it (as kubectl does). */
async function byNameOrPrefix(s: Session, r: ApiResource, name: string): Promise<{ objects: KubeObject[]; prefix: boolean }> {
  try {
    return { objects: [await s.api.get(r, s.namespace, name)], prefix: false };
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    const all = await s.api.list(r, r.namespaced ? s.namespace : undefined);
    const matches = all.items.filter((o) => o.metadata?.name?.startsWith(name));
    if (!matches.length) throw e;
    return { objects: matches, prefix: true };
  }
}

export async function describeCommand(ctx: CommandContext, args: string[], flags: DescribeFlags): Promise<void> {
  const s = ctx.session();
  const reqs = await parseResourceArgs(s, args);
  if (s.allNamespaces && reqs.some((r) => r.names.length)) throw new UsageError('a resource cannot be described by name across all namespaces (drop -A, or use -n)');
  if (flags.selector && reqs.some((r) => r.names.length)) throw new UsageError('give names or -l, not both');
  const events = flags.showEvents !== false && flags.showEvents !== 'false';
  if (typeof flags.showEvents === 'string' && !['true', 'false'].includes(flags.showEvents)) throw new UsageError(`--show-events must be true or false, not "${flags.showEvents}"`);
  let first = true;
  let found = false;
  for (const req of reqs) {
    const batches: { objects: KubeObject[]; prefix: boolean }[] = [];
    if (req.names.length) {
      for (const name of req.names) {
        try {
          batches.push(await byNameOrPrefix(s, req.resource, name));
        } catch (e) {
          refused(ctx, e);
        }
      }
    } else {
      const list = await s.api.list(req.resource, namespaceOf(s, req.resource), flags.selector ? { labelSelector: flags.selector } : {});
      batches.push({ objects: list.items, prefix: false });
    }
    for (const b of batches) {
      for (const o of b.objects) {
        found = true;
        const text = await describerFor(req.resource)(s, o, events);
        // Prefix matches end each object with a newline instead of separating them, as kubectl's do.
        if (b.prefix) ctx.io.out(`${text}\n`);
        else ctx.io.out(first ? text : `\n\n${text}`);
        first = false;
      }
    }
  }
  if (!found && !reqs.some((r) => r.names.length)) {
    const namespaced = reqs.some((r) => r.resource.namespaced) && !s.allNamespaces;
    ctx.io.err(namespaced ? `No resources found in ${s.namespace} namespace.\n` : 'No resources found\n');
  }
}

