// `gantry top nodes|pods`: what the pods ask (requests) and may take (limits) against each
// node's allocatable, summed the way the scheduler's bin-packer sums them (podAmounts.ts), with
// a bar per resource on a terminal. Actual usage is not shown: the node agents expose no stats
// endpoint and the API server has no node proxy or metrics API to reach one, and the header
// says so rather than printing blanks that look like zero.

import { resourceFor } from '../../common/api/resources.js';
import type { CommandContext } from './commands.js';
import type { Node, Pod } from './describe/wire.js';
import { UsageError } from './errors.js';
import { formatAmount, nodeUsage, podAmounts, type Amounts, type NodeLike, type PodLike } from './podAmounts.js';

export interface TopFlags {
  selector?: string;
  allNamespaces?: boolean;
  /** false with --no-headers (commander names the negated flag so). */
  headers?: boolean;
}

export const usageNote = 'requests and limits as the scheduler counts them; no usage: the node agents expose no stats through the API';

/** Columns padded to their widest cell, three spaces apart (kubectl's table layout). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('   ').trimEnd() + '\n').join('');
}

const barWidth = 10;

/** `[####······]`: the share of allocatable taken, capped at full (an overcommitted limit shows `!` at the end). */
export function bar(part: number, whole: number): string {
  if (whole <= 0) return `[${'·'.repeat(barWidth)}]`;
  const filled = Math.min(barWidth, Math.round((part / whole) * barWidth));
  return `[${'#'.repeat(filled)}${'·'.repeat(barWidth - filled)}]${part > whole ? '!' : ''}`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.trunc((part / whole) * 100)}%` : '-';
}

function cell(name: string, part: number, whole: number, tty: boolean): string {
  const base = `${formatAmount(name, part)}/${formatAmount(name, whole)} ${percent(part, whole)}`;
  return tty ? `${base} ${bar(part, whole)}` : base;
}

const get = (a: Amounts, k: string): number => a.get(k) ?? 0;

export function topNodesText(nodes: NodeLike[], pods: PodLike[], o: { tty: boolean; headers: boolean }): string {
  const usage = nodeUsage(nodes, pods);
  const rows: string[][] = [];
  if (o.headers) rows.push(['NAME', 'CPU REQUESTS', 'CPU LIMITS', 'MEMORY REQUESTS', 'MEMORY LIMITS', 'PODS']);
  const names = [...usage.keys()].sort();
  for (const name of names) {
    const u = usage.get(name)!;
    rows.push([
      name,
      cell('cpu', get(u.requests, 'cpu'), get(u.allocatable, 'cpu'), o.tty),
      cell('cpu', get(u.limits, 'cpu'), get(u.allocatable, 'cpu'), o.tty),
      cell('memory', get(u.requests, 'memory'), get(u.allocatable, 'memory'), o.tty),
      cell('memory', get(u.limits, 'memory'), get(u.allocatable, 'memory'), o.tty),
      cell('pods', u.pods, get(u.allocatable, 'pods'), o.tty),
    ]);
  }
  return table(rows);
}

export function topPodsText(pods: PodLike[], o: { allNamespaces: boolean; headers: boolean }): string {
  const rows: string[][] = [];
  if (o.headers) rows.push([...(o.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'NODE', 'CPU REQUESTS', 'CPU LIMITS', 'MEMORY REQUESTS', 'MEMORY LIMITS']);
  const sorted = [...pods].sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  for (const p of sorted) {
    const rq = podAmounts(p, 'requests');
    const lim = podAmounts(p, 'limits');
    // A limit that is not set means "no limit", not zero.
    const limit = (k: string): string => (lim.has(k) ? formatAmount(k, get(lim, k)) : '-');
    rows.push([
      ...(o.allNamespaces ? [p.metadata?.namespace ?? ''] : []),
      p.metadata?.name ?? '',
      p.spec?.nodeName || '<none>',
      formatAmount('cpu', get(rq, 'cpu')),
      limit('cpu'),
      formatAmount('memory', get(rq, 'memory')),
      limit('memory'),
    ]);
  }
  return table(rows);
}

export async function topCommand(ctx: CommandContext, what: string, flags: TopFlags): Promise<void> {
  const s = ctx.session();
  const headers = flags.headers !== false;
  const note = headers ? `# ${usageNote}\n` : '';
  if (what === 'nodes' || what === 'node' || what === 'no') {
    const [nodes, pods] = await Promise.all([
      s.api.list<Node>(resourceFor('Node'), undefined, flags.selector ? { labelSelector: flags.selector } : {}),
      s.api.list<Pod>(resourceFor('Pod'), undefined, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }),
    ]);
    if (!nodes.items.length) {
      ctx.io.err('No resources found\n');
      return;
    }
    ctx.io.out(note + topNodesText(nodes.items, pods.items, { tty: ctx.io.isTTY, headers }));
    return;
  }
  if (what === 'pods' || what === 'pod' || what === 'po') {
    const ns = flags.allNamespaces ? undefined : s.namespace;
    const list = await s.api.list<Pod>(resourceFor('Pod'), ns, {
      fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
    });
    if (!list.items.length) {
      ctx.io.err(flags.allNamespaces ? 'No resources found\n' : `No resources found in ${s.namespace} namespace.\n`);
      return;
    }
    ctx.io.out(note + topPodsText(list.items, { allNamespaces: Boolean(flags.allNamespaces), headers }));
    return;
  }
  throw new UsageError(`top shows nodes or pods, not "${what}"`);
}
