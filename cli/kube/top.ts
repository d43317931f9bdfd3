// `gantry top nodes|pods [NAME]`: one view of what is used (the metrics API, fed by the node
// agents' cgroup samples) beside what is requested and limited (the pods' specs, summed as the
// scheduler sums them) against allocatable. Usage is a bonus, not a precondition: without the
// metrics API, or before a node or pod has been sampled, its usage shows as <unknown> with one
// line on stderr saying why, and the requests and limits still show. `--requests` leaves
// usage out (and never asks the metrics API). kubectl's own columns come from `kubectl top`.

import { resourceFor } from '../../common/api/resources.js';
import { ApiError, NotFoundError } from '../../common/errors.js';
import type { Session } from './access.js';
import type { CommandContext } from './commands.js';
import type { Node, Pod } from './describe/wire.js';
import { UsageError } from './errors.js';
import { topNodesText } from './topNodes.js';
import { topPodsText, type PodUsage } from './topPods.js';
import { nodeUsages, podUsages, type NodeMetricsLike, type PodMetricsLike, type SortBy, type Usage } from './topUsage.js';

// why.ts lays out its table with the same helper.
export { table } from './topTable.js';

export interface TopFlags {
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  /** false with --no-headers (commander names the negated flag so). */
  headers?: boolean;
  /** pods: one row per container. */
  containers?: boolean;
  sortBy?: string;
  /** Requests and limits only: usage left out, the metrics API not asked. */
  requests?: boolean;
}

const metricsBase = '/apis/metrics.k8s.io/v1beta1';
/** Pods that have finished hold nothing on their node; the scheduler leaves them out too. */
const unfinished = 'status.phase!=Succeeded,status.phase!=Failed';
export const samplingNote = 'the node agents sample every 10 s; a new node or pod has usage after two samples';

function kindOf(what: string): 'nodes' | 'pods' {
  if (what === 'nodes' || what === 'node' || what === 'no') return 'nodes';
  if (what === 'pods' || what === 'pod' || what === 'po') return 'pods';
  throw new UsageError(`top shows nodes or pods, not "${what}"`);
}

function sortByOf(v: string | undefined): SortBy | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'cpu' || v === 'memory') return v;
  throw new UsageError(`--sort-by accepts only cpu or memory, not "${v}"`);
}

function selectors(flags: TopFlags, extraField?: string): Record<string, string> {
  const field = [flags.fieldSelector, extraField].filter(Boolean).join(',');
  return { ...(flags.selector ? { labelSelector: flags.selector } : {}), ...(field ? { fieldSelector: field } : {}) };
}

/** Usage objects, or why there are none: a server without the metrics API, or its refusal. */
async function metrics<T>(s: Session, path: string, query: Record<string, string>, one: boolean): Promise<{ items: T[] } | { why: string }> {
  const groups = (await s.api.send<{ groups?: { name: string; versions?: { version: string }[] }[] }>('GET', '/apis')).body.groups ?? [];
  if (!groups.find((g) => g.name === 'metrics.k8s.io')?.versions?.some((v) => v.version === 'v1beta1')) return { why: 'the server does not serve the metrics API (metrics.k8s.io/v1beta1)' };
  try {
    if (one) return { items: [(await s.api.send<T>('GET', path)).body] };
    return { items: (await s.api.send<{ items?: T[] }>('GET', path, { query })).body.items ?? [] };
  } catch (e) {
    if (one && e instanceof NotFoundError) return { items: [] };
    if (e instanceof ApiError) return { why: `the metrics API refused: ${e.message}` };
    throw e;
  }
}

/** The one stderr line when some usage is unknown. */
function unknownNote(kind: 'nodes' | 'pods', unknown: number, total: number, why: string | undefined): string | undefined {
  if (why) return `usage unknown: ${why}; showing requests and limits only\n`;
  if (!unknown) return undefined;
  const what = total === 1 ? kind.slice(0, -1) : kind;
  const which = unknown === total ? `the ${total === 1 ? what : `${total} ${what}`}` : `${unknown} of ${total} ${what}`;
  return `usage unknown for ${which}: ${kind === 'pods' ? 'not running, or ' : ''}no sample yet (${samplingNote})\n`;
}

export async function topCommand(ctx: CommandContext, what: string, name: string | undefined, flags: TopFlags): Promise<void> {
  const kind = kindOf(what);
  const sortBy = sortByOf(flags.sortBy);
  if (name && (flags.selector || flags.fieldSelector)) throw new UsageError('only one of NAME or --selector can be provided');
  if (kind === 'nodes' && flags.containers) throw new UsageError('--containers applies to pods only');
  const s = ctx.session();
  const headers = flags.headers !== false;
  const showUsage = !flags.requests;
  const enc = encodeURIComponent;

  if (kind === 'nodes') {
    const [nodes, pods, m] = await Promise.all([
      name ? s.api.get<Node>(resourceFor('Node'), undefined, name).then((n) => [n]) : s.api.list<Node>(resourceFor('Node'), undefined, selectors(flags)).then((l) => l.items),
      s.api.list<Pod>(resourceFor('Pod'), undefined, { fieldSelector: [unfinished, ...(name ? [`spec.nodeName=${name}`] : [])].join(',') }).then((l) => l.items),
      showUsage ? metrics<NodeMetricsLike>(s, name ? `${metricsBase}/nodes/${enc(name)}` : `${metricsBase}/nodes`, selectors(flags), Boolean(name)) : undefined,
    ]);
    if (!nodes.length) {
      ctx.io.err('No resources found\n');
      return;
    }
    const usage: Map<string, Usage> = m && 'items' in m ? nodeUsages(m.items) : new Map();
    ctx.io.out(topNodesText(nodes, pods, usage, { headers, tty: ctx.io.isTTY, showUsage, ...(sortBy ? { sortBy } : {}) }));
    const note = m && unknownNote('nodes', nodes.filter((n) => !usage.has(n.metadata?.name ?? '')).length, nodes.length, 'why' in m ? m.why : undefined);
    if (note) ctx.io.err(note);
    return;
  }

  const ns = flags.allNamespaces && !name ? undefined : s.namespace;
  const podsPath = ns === undefined ? `${metricsBase}/pods` : `${metricsBase}/namespaces/${enc(ns)}/pods`;
  const [pods, m] = await Promise.all([
    name ? s.api.get<Pod>(resourceFor('Pod'), ns, name).then((p) => [p]) : s.api.list<Pod>(resourceFor('Pod'), ns, selectors(flags, unfinished)).then((l) => l.items),
    showUsage ? metrics<PodMetricsLike>(s, name ? `${podsPath}/${enc(name)}` : podsPath, selectors(flags), Boolean(name)) : undefined,
  ]);
  if (!pods.length) {
    ctx.io.err(ns === undefined ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`);
    return;
  }
  const usage: Map<string, PodUsage> = m && 'items' in m ? podUsages(m.items) : new Map();
  ctx.io.out(topPodsText(pods, usage, { headers, allNamespaces: ns === undefined, containers: Boolean(flags.containers), showUsage, ...(sortBy ? { sortBy } : {}) }));
  const key = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
  const note = m && unknownNote('pods', pods.filter((p) => !usage.has(key(p))).length, pods.length, 'why' in m ? m.why : undefined);
  if (note) ctx.io.err(note);
}
