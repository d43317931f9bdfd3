// `gantry logs`: a container's log from pods/log (streamed as it arrives with -f), of one pod,
// of a workload's pod (deploy/NAME), or of every pod matching -l, those interleaved line by
// line with a `[pod/NAME/CONTAINER]` prefix (coloured per stream on a terminal).

import pc from 'picocolors';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import { resourcePath } from '../../common/client/apiClient.js';
import { formatLabelSelectorObject } from '../../common/selectors/labels.js';
import { colorEnabled } from './color.js';
import type { CommandContext } from './commands.js';
import type { Pod, LabelSelector } from './describe/wire.js';
import { CliError, UsageError } from './errors.js';
import { parseDurationFlag } from './durationFlag.js';
import { openStream } from './stream.js';

export interface LogsFlags {
  container?: string;
  allContainers?: boolean;
  follow?: boolean;
  tail?: string;
  since?: string;
  sinceTime?: string;
  timestamps?: boolean;
  previous?: boolean;
  selector?: string;
  prefix?: boolean;
  limitBytes?: string;
  maxLogRequests?: string;
}

interface LogStream {
  pod: string;
  container: string;
}

const defaultContainerKey = 'kubectl.kubernetes.io/default-container';

function containerNames(p: Pod): string[] {
  return (p.spec?.containers ?? []).map((c) => c.name);
}

/** The pods a workload's selector picks, running ones first, then by name. */
export async function workloadPods(ctx: CommandContext, type: string, name: string, quiet = false): Promise<Pod[]> {
  const s = ctx.session();
  const r = await s.discovery.resolve(type);
  if (r.kind === 'Pod' && r.group === '') return [await s.api.get<Pod>(r, s.namespace, name)];
  const o = await s.api.get<KubeObject & { spec?: { selector?: LabelSelector | Record<string, string> } }>(r, s.namespace, name);
  const sel = o.spec?.selector;
  if (!sel) throw new CliError(`${type}/${name} selects no pods (it has no spec.selector)`);
  // Services and replication controllers select with a plain map, the rest with a LabelSelector.
  const labelSelector = 'matchLabels' in sel || 'matchExpressions' in sel ? formatLabelSelectorObject(sel as LabelSelector) : formatLabelSelectorObject({ matchLabels: sel as Record<string, string> });
  const pods = (await s.api.list<Pod>(resourceFor('Pod'), s.namespace, { labelSelector })).items;
  if (!pods.length) throw new CliError(`no pods found for ${type}/${name} (selector ${labelSelector})`);
  const rank = (p: Pod): number => (p.status?.phase === 'Running' ? 0 : 1);
  pods.sort((a, b) => rank(a) - rank(b) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  if (pods.length > 1 && !quiet) ctx.io.err(`Found ${pods.length} pods, using pod/${pods[0]!.metadata?.name}\n`);
  return [pods[0]!];
}

function streamsOf(ctx: CommandContext, pods: Pod[], flags: LogsFlags, positionalContainer: string | undefined, quiet: boolean): LogStream[] {
  const out: LogStream[] = [];
  const wanted = flags.container ?? positionalContainer;
  for (const p of pods) {
    const name = p.metadata?.name ?? '';
    const names = containerNames(p);
    if (flags.allContainers) {
      out.push(...[...(p.spec?.initContainers ?? []).map((c) => c.name), ...names].map((container) => ({ pod: name, container })));
      continue;
    }
    if (wanted) {
      out.push({ pod: name, container: wanted });
      continue;
    }
    const annotated = p.metadata?.annotations?.[defaultContainerKey];
    const container = annotated && names.includes(annotated) ? annotated : names[0];
    if (!container) throw new CliError(`pod/${name} has no containers`);
    if (names.length > 1 && !annotated && !quiet) ctx.io.err(`Defaulted container "${container}" out of: ${names.join(', ')}\n`);
    out.push({ pod: name, container });
  }
  return out;
}

const palette = [pc.cyan, pc.magenta, pc.yellow, pc.green, pc.blue, pc.red];

export async function logsCommand(ctx: CommandContext, args: string[], flags: LogsFlags): Promise<void> {
  if (flags.allContainers && flags.container) throw new UsageError('--all-containers and -c are exclusive');
  if (flags.since && flags.sinceTime) throw new UsageError('--since and --since-time are exclusive');
  if (flags.sinceTime && Number.isNaN(Date.parse(flags.sinceTime))) throw new UsageError(`--since-time must be an RFC 3339 time such as 2026-12-07T10:00:00Z, not "${flags.sinceTime}"`);
  const tail = flags.tail === undefined ? (flags.selector ? 10 : -1) : Number(flags.tail);
  if (!Number.isInteger(tail) || tail < -1) throw new UsageError(`--tail must be a number of lines (-1: all), not "${flags.tail}"`);
  const sinceMs = parseDurationFlag('--since', flags.since);
  const maxRequests = Number(flags.maxLogRequests ?? 5);
  const s = ctx.session();

  let pods: Pod[];
  let positionalContainer: string | undefined;
  if (flags.selector) {
    if (args.length) throw new UsageError('give a pod (or TYPE/NAME), or -l, not both');
    pods = (await s.api.list<Pod>(resourceFor('Pod'), s.namespace, { labelSelector: flags.selector })).items;
    if (!pods.length) {
      ctx.io.err(`No resources found in ${s.namespace} namespace.\n`);
      return;
    }
  } else {
    if (!args.length || args.length > 2) throw new UsageError('name a pod (`gantry logs web-1`), a workload (`gantry logs deploy/web`) or select pods with -l');
    const [first, second] = args as [string, string?];
    positionalContainer = second;
    const slash = first.indexOf('/');
    pods = slash > 0 ? await workloadPods(ctx, first.slice(0, slash), first.slice(slash + 1)) : [await s.api.get<Pod>(resourceFor('Pod'), s.namespace, first)];
  }
  const streams = streamsOf(ctx, pods, flags, positionalContainer, Boolean(flags.selector));
  if (flags.follow && streams.length > maxRequests) {
    throw new CliError(`you are attempting to follow ${streams.length} log streams, but maximum allowed concurrency is ${maxRequests}, use --max-log-requests to increase the limit`);
  }
  const prefixed = flags.prefix ?? (streams.length > 1 || Boolean(flags.selector));
  const colours = colorEnabled(ctx.io);
  const query = {
    follow: flags.follow || undefined,
    tailLines: tail >= 0 ? tail : undefined,
    sinceSeconds: sinceMs ? Math.ceil(sinceMs / 1000) : undefined,
    sinceTime: flags.sinceTime,
    timestamps: flags.timestamps || undefined,
    previous: flags.previous || undefined,
    limitBytes: flags.limitBytes,
  };
  const one = async (st: LogStream, i: number): Promise<void> => {
    const label = `[pod/${st.pod}/${st.container}] `;
    const prefix = !prefixed ? '' : colours ? palette[i % palette.length]!(label) : label;
    const { res } = await openStream(s.rest.access, resourcePath(resourceFor('Pod'), s.namespace, st.pod, 'log'), { ...query, container: st.container });
    let partial = '';
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      if (!prefixed) {
        ctx.io.out(chunk);
        continue;
      }
      // Whole lines only, each with its stream's prefix, so streams interleave by line.
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      if (lines.length) ctx.io.out(lines.map((l) => `${prefix}${l}\n`).join(''));
    }
    if (partial) ctx.io.out(`${prefix}${partial}\n`);
  };
  if (flags.follow) await Promise.all(streams.map(one));
  else for (const [i, st] of streams.entries()) await one(st, i);
}
