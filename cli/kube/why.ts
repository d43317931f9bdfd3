// `gantry why POD`: why a pod is not running and Ready, in one answer.
//
// Not scheduled: the scheduler's own verdict. Its FailedScheduling message (the PodScheduled
// condition) says "0/N nodes are available: <counts>"; next to it the scheduler publishes each
// node's reasons in the `scheduler.gantry.dev/unschedulable-nodes` annotation
// (scheduler/core/unschedulableNodes.ts), which this prints as a table — the same statuses
// the message counts, so the two always agree. For "Insufficient <resource>" it adds by how
// much, from the node's allocatable and its pods' requests (podAmounts.ts, the bin-packer's
// rules).
// Scheduled but not Ready: the likely cause from the pod's status and events — an image that
// cannot be pulled, a crash loop (last exit code and the last log lines), OOMKilled, a failing
// probe (its output, from the Unhealthy events), or a container still waiting.

import { resourceFor } from '../../common/api/resources.js';
import { parseUnschedulableNodes, schedulerUnschedulableNodesAnnotation } from '../../common/api/schedulerAnnotations.js';
import { resourcePath } from '../../common/client/apiClient.js';
import type { CommandContext } from './commands.js';
import { eventsFor } from './describe.js';
import type { KubeObject } from '../../common/api/meta.js';
import type { CoreEvent, ContainerStatus, Node, Pod } from './describe/wire.js';
import { UsageError } from './errors.js';
import { openStream } from './stream.js';
import { amount, formatAmount, nodeUsage, podAmounts, type PodLike } from './podAmounts.js';
import { table } from './top.js';

const logLines = 10;

interface WhyPod extends KubeObject {
  spec?: PodLike['spec'];
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** "Insufficient cpu" on a node -> "Insufficient cpu (asks 2000m, 1500m free of 4000m)". */
function withShortfall(reason: string, pod: PodLike, node: string, usage: ReturnType<typeof nodeUsage>): string {
  const m = /^Insufficient (.+)$/.exec(reason);
  const u = usage.get(node);
  if (!m || !u) return reason;
  const res = m[1]!;
  const alloc = u.allocatable.get(res) ?? 0;
  if (res === 'pods') return `${reason} (${u.pods} of ${alloc} pods)`;
  const asks = podAmounts(pod, 'requests').get(res) ?? 0;
  const free = alloc - (u.requests.get(res) ?? 0);
  return `${reason} (asks ${formatAmount(res, asks)}, ${formatAmount(res, Math.max(0, free))} free of ${formatAmount(res, alloc)}: short by ${formatAmount(res, asks - Math.max(0, free))})`;
}

async function whyUnscheduled(ctx: CommandContext, pod: WhyPod, ref: string): Promise<string> {
  const s = ctx.session();
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (!cond || cond.status !== 'False') return `${ref} is Pending and waits for the scheduler: no scheduling attempt is recorded yet (is the scheduler running?).\n`;
  let out = `${ref} is Pending: it cannot be scheduled.\nscheduler (${cond.reason ?? 'Unschedulable'}): ${cond.message ?? ''}\n`;
  const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName;
  if (nominated) out += `preemption: nominated to node ${nominated}; it takes the node once the evicted pods are gone\n`;
  const reasons = parseUnschedulableNodes(pod.metadata.annotations?.[schedulerUnschedulableNodesAnnotation]);
  if (!reasons) return `${out}(the scheduler left no per-node reasons on the pod)\n`;
  const names = Object.keys(reasons.nodes).sort();
  if (!names.length) return out;
  const [nodes, pods] = await Promise.all([
    s.api.list<Node>(resourceFor('Node'), undefined),
    s.api.list<Pod>(resourceFor('Pod'), undefined, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }),
  ]);
  const usage = nodeUsage(nodes.items, pods.items);
  const rows = [['NODE', 'WHY NOT'], ...names.map((n) => [n, reasons.nodes[n]!.map((r) => withShortfall(r, pod, n, usage)).join('; ')])];
  out += `\n${table(rows)}`;
  if (reasons.omitted) out += `... and ${reasons.omitted} more node(s) not listed (the annotation is bounded)\n`;
  return out;
}

async function lastLogLines(ctx: CommandContext, pod: WhyPod, container: string, previous: boolean): Promise<string> {
  const s = ctx.session();
  try {
    const { res } = await openStream(s.rest.access, resourcePath(resourceFor('Pod'), pod.metadata.namespace, pod.metadata.name ?? '', 'log'), { container, tailLines: logLines, previous: previous || undefined });
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) text += chunk;
    const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    return lines.length ? lines.map((l) => `    | ${l}\n`).join('') : '    (the log is empty)\n';
  } catch (e) {
    return `    (no log: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})\n`;
  }
}

function memoryLimit(pod: WhyPod, container: string): string {
  const raw = pod.spec?.containers?.find((c) => c.name === container)?.resources?.limits?.memory;
  return raw === undefined ? 'no memory limit set' : `memory limit ${formatAmount('memory', amount('memory', raw))}`;
}

/** Findings about one container, most telling first; empty when it looks healthy. */
async function containerFindings(ctx: CommandContext, pod: WhyPod, cs: ContainerStatus, kind: string, probeEvents: CoreEvent[]): Promise<string[]> {
  const out: string[] = [];
  const who = `${kind} ${cs.name}`;
  const waiting = cs.state?.waiting;
  const terminated = cs.state?.terminated;
  const last = cs.lastState?.terminated;
  const restarts = cs.restartCount ?? 0;
  if (waiting && /ImagePull|ErrImage|InvalidImageName|RegistryUnavailable/.test(waiting.reason ?? '')) {
    out.push(`${who}: cannot pull its image ${cs.image ?? ''} (${waiting.reason}): ${waiting.message ?? 'no message'}\n`);
    return out;
  }
  const oom = [terminated, last].find((t) => t?.reason === 'OOMKilled');
  if (oom) {
    // The kill is the cause; the crash loop and the log lines that follow it are its consequence.
    out.push(`${who}: killed for running out of memory (OOMKilled, exit code ${oom.exitCode})${restarts ? `, restarted ${restarts} time(s)` : ''}; ${memoryLimit(pod, cs.name)}\n`);
  } else if (waiting?.reason === 'CrashLoopBackOff' || (restarts > 0 && last)) {
    const t = last ?? terminated;
    const exit = t ? `last exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.finishedAt ? ` at ${t.finishedAt}` : ''}` : 'no exit recorded';
    out.push(`${who}: crash loop, restarted ${restarts} time(s); ${exit}\n  last ${logLines} log lines of the previous run:\n${await lastLogLines(ctx, pod, cs.name, true)}`);
  } else if (terminated && terminated.exitCode !== 0) {
    out.push(`${who}: exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}\n  last ${logLines} log lines:\n${await lastLogLines(ctx, pod, cs.name, false)}`);
  } else if (waiting) {
    out.push(`${who}: waiting (${waiting.reason ?? 'no reason'})${waiting.message ? `: ${waiting.message}` : ''}\n`);
  }
  if (cs.state?.running && !cs.ready) {
    const mine = probeEvents.filter((e) => (e.message ?? '').length && (e as { involvedObject?: { fieldPath?: string } }).involvedObject?.fieldPath?.includes(`{${cs.name}}`) !== false);
    if (mine.length) {
      const latest = mine[mine.length - 1]!;
      out.push(`${who}: running but not ready; probe failing (${mine.reduce((n, e) => n + (e.count ?? e.series?.count ?? 1), 0)} failure event(s)), latest: ${latest.message}\n`);
    } else {
      out.push(`${who}: running but not ready (no probe failure recorded yet)\n`);
    }
  }
  return out;
}

const eventTime = (e: CoreEvent): string => e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp ?? '';

async function whyNotReady(ctx: CommandContext, pod: WhyPod, ref: string): Promise<string> {
  const s = ctx.session();
  const events = (await eventsFor(s, pod, 'Pod')).sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const probeEvents = events.filter((e) => e.reason === 'Unhealthy');
  const findings: string[] = [];
  for (const cs of pod.status?.initContainerStatuses ?? []) findings.push(...(await containerFindings(ctx, pod, cs, 'init container', probeEvents)));
  for (const cs of pod.status?.containerStatuses ?? []) findings.push(...(await containerFindings(ctx, pod, cs, 'container', probeEvents)));
  const phase = pod.status?.phase ?? 'Unknown';
  let out = `${ref} is ${phase} on node ${pod.spec?.nodeName} but not Ready.\n`;
  if (findings.length) return out + findings.join('');
  // Nothing in the container statuses: what the pod's conditions and warnings say.
  for (const c of pod.status?.conditions ?? []) if (c.status !== 'True') out += `condition ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}\n`;
  // FailedScheduling warnings are about a decision the binding superseded.
  const warnings = events.filter((e) => e.type === 'Warning' && e.reason !== 'FailedScheduling').slice(-5);
  for (const e of warnings) out += `warning ${e.reason ?? ''}: ${e.message ?? ''}\n`;
  if (!pod.status?.containerStatuses?.length && !warnings.length) out += 'the node agent has not reported the containers yet\n';
  return out;
}

export async function whyCommand(ctx: CommandContext, name: string): Promise<void> {
  if (name.includes('/') && !/^(pods?|po)\//.test(name)) throw new UsageError(`why explains pods: give a pod name, not "${name}"`);
  const podName = name.replace(/^(pods?|po)\//, '');
  const s = ctx.session();
  const pod = await s.api.get<WhyPod>(resourceFor('Pod'), s.namespace, podName);
  const ref = `pod/${podName}`;
  const phase = pod.status?.phase;
  if (pod.metadata.deletionTimestamp) {
    ctx.io.out(`${ref} is being deleted (since ${pod.metadata.deletionTimestamp}).\n`);
    return;
  }
  if (phase === 'Succeeded') {
    ctx.io.out(`${ref} has completed successfully (Succeeded): nothing is wrong.\n`);
    return;
  }
  if (!pod.spec?.nodeName) {
    ctx.io.out(await whyUnscheduled(ctx, pod, ref));
    return;
  }
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (phase === 'Running' && ready?.status === 'True') {
    ctx.io.out(`${ref} is Running and Ready on node ${pod.spec.nodeName}: nothing is wrong.\n`);
    return;
  }
  if (phase === 'Failed') {
    ctx.io.out(`${ref} has failed${pod.status?.reason ? ` (${pod.status.reason})` : ''}${pod.status?.message ? `: ${pod.status.message}` : ''}.\n`);
  }
  ctx.io.out(await whyNotReady(ctx, pod, ref));
}
