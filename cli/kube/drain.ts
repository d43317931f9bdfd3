// `gantry drain NODE`: cordons the node, then evicts its pods through the eviction
// subresource so PodDisruptionBudgets are honoured, retrying every 5 s while a budget refuses
// (429), and waits for the pods to be gone, as kubectl drain does, with its messages.
// DaemonSet pods are skipped with --ignore-daemonsets (refused without), mirror pods always;
// pods with emptyDir need --delete-emptydir-data, pods without a controller --force.
// While the pods go, a terminal's stderr shows how many are gone (progress.ts).

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import { NotFoundError, TooManyRequestsError } from '../../common/errors.js';
import type { CommandContext } from './commands.js';
import { parseDurationFlag } from './durationFlag.js';
import { CliError, UsageError } from './errors.js';
import { progressLine, type Progress } from './progress.js';

const nodes = resourceFor('Node', '');
const pods = resourceFor('Pod', '');

/** kubectl waits this long between tries of an eviction a budget refused. */
export const evictionRetryMs = 5_000;
const deletePollMs = 1_000;

export interface DrainFlags {
  ignoreDaemonsets?: boolean;
  deleteEmptydirData?: boolean;
  force?: boolean;
  gracePeriod?: string;
  timeout?: string;
  disableEviction?: boolean;
}

/** What drain does with one pod of the node (kubectl's pod filters, in its order). */
export type PodVerdict = { action: 'drain'; warning?: string } | { action: 'skip'; warning?: string } | { action: 'refuse'; error: string };

export const drainMessages = {
  daemonSetError: 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)',
  daemonSetWarning: 'ignoring DaemonSet-managed Pods',
  localStorageError: 'Pods with local storage (use --delete-emptydir-data to override)',
  // kubectl 1.32 says "cannot delete cannot delete Pods that ..." here; Gantry says it once.
  unmanagedError: 'Pods that declare no controller (use --force to override)',
  unmanagedWarning: 'deleting Pods that declare no controller',
} as const;

const finished = (pod: KubeObject): boolean => {
  const phase = isObject(pod.status) ? pod.status.phase : undefined;
  return phase === 'Succeeded' || phase === 'Failed';
};

export function podVerdict(pod: KubeObject, flags: DrainFlags): PodVerdict {
  const controller = pod.metadata.ownerReferences?.find((r) => r.controller === true);
  if (controller?.kind === 'DaemonSet') {
    return flags.ignoreDaemonsets ? { action: 'skip', warning: drainMessages.daemonSetWarning } : { action: 'refuse', error: drainMessages.daemonSetError };
  }
  if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) return { action: 'skip' };
  const spec = isObject(pod.spec) ? pod.spec : {};
  const emptyDir = Array.isArray(spec.volumes) && spec.volumes.some((v) => isObject(v) && v.emptyDir !== undefined);
  if (emptyDir && !finished(pod) && !flags.deleteEmptydirData) return { action: 'refuse', error: drainMessages.localStorageError };
  // kubectl keeps the last filter's word only: the local-storage warning gives way to the controller check.
  if (!controller && !finished(pod)) return flags.force ? { action: 'drain', warning: drainMessages.unmanagedWarning } : { action: 'refuse', error: drainMessages.unmanagedError };
  return { action: 'drain' };
}

/** kubectl's grouping: `message: ns/a, ns/b` per message, messages joined by `; ` (warnings) or listed (errors). */
export function groupByMessage(entries: { message: string; pod: KubeObject }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const list = out.get(e.message) ?? [];
    list.push(`${e.pod.metadata.namespace ?? ''}/${e.pod.metadata.name ?? ''}`);
    out.set(e.message, list);
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** kubectl's aggregate error: one message as it is, several in brackets. */
class DrainError extends Error {
  readonly messages: string[];
  constructor(messages: string | string[]) {
    const list = typeof messages === 'string' ? [messages] : messages;
    super(list.length === 1 ? list[0]! : `[${list.join(', ')}]`);
    this.messages = list;
  }
}

export async function drainCommand(ctx: CommandContext, names: string[], flags: DrainFlags): Promise<void> {
  if (names.length === 0) throw new UsageError('USAGE: gantry drain NODE [flags]: name the node to drain');
  const grace = flags.gracePeriod === undefined ? -1 : Number(flags.gracePeriod);
  if (!Number.isInteger(grace)) throw new UsageError(`--grace-period must be an integer, not "${flags.gracePeriod}"`);
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout);
  const s = ctx.session();
  const pending: string[] = [];
  let failure: string[] | undefined;
  // Every line below goes around the status line (progress.ts), which is gone before an error is printed.
  const status = progressLine(ctx.io);
  try {
    for (const raw of names) {
      const name = raw.replace(/^(nodes?|no)\//, '');
      const node = await s.api.get(nodes, undefined, name);
      if (isObject(node.spec) && node.spec.unschedulable === true) status.out(`node/${name} already cordoned\n`);
      else {
        await s.api.patch(nodes, undefined, name, 'strategic', { spec: { unschedulable: true } });
        status.out(`node/${name} cordoned\n`);
      }
      try {
        await drainNode(ctx, status, name, flags, grace, timeoutMs);
        status.out(`node/${name} drained\n`);
      } catch (e) {
        if (!(e instanceof DrainError)) throw e;
        status.err(`error: unable to drain node "${name}" due to error: ${e.message}, continuing command...\n`);
        pending.push(name);
        failure = [...(failure ?? []), ...e.messages];
      }
    }
  } finally {
    status.done();
  }
  if (pending.length) {
    ctx.io.err(`There are pending nodes to be drained:\n${pending.map((n) => ` ${n}\n`).join('')}`);
    // As kubectl prints the aggregate: one error with its prefix, several one per line.
    if (failure!.length === 1) throw new CliError(failure![0]!);
    ctx.io.err(failure!.map((m) => `${m}\n`).join(''));
    ctx.io.exitCode = 1;
  }
}

/** `draining node/n1: 2 of 5 pods gone…`, kept current as each pod goes. */
function podsGone(status: Progress, node: string, total: number): () => void {
  let gone = 0;
  const show = (): void => status.update(`draining node/${node}: ${gone} of ${total} pod${total === 1 ? '' : 's'} gone…`);
  show();
  return () => {
    gone++;
    show();
  };
}

async function drainNode(ctx: CommandContext, status: Progress, node: string, flags: DrainFlags, grace: number, timeoutMs: number): Promise<void> {
  const s = ctx.session();
  status.update(`draining node/${node}: listing its pods…`);
  const onNode = (await s.api.list(pods, undefined, { fieldSelector: `spec.nodeName=${node}` })).items;
  const errors: { message: string; pod: KubeObject }[] = [];
  const warnings: { message: string; pod: KubeObject }[] = [];
  const toDrain: KubeObject[] = [];
  for (const pod of onNode) {
    const v = podVerdict(pod, flags);
    if (v.action === 'refuse') errors.push({ message: v.error, pod });
    else {
      if (v.warning) warnings.push({ message: v.warning, pod });
      if (v.action === 'drain') toDrain.push(pod);
    }
  }
  if (errors.length) {
    throw new DrainError([...groupByMessage(errors)].map(([m, list]) => `cannot delete ${m}: ${list.join(', ')}`));
  }
  if (warnings.length) status.err(`Warning: ${[...groupByMessage(warnings)].map(([m, list]) => `${m}: ${list.join(', ')}`).join('; ')}\n`);
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const timeoutText = flags.timeout ?? '';
  const settled = podsGone(status, node, toDrain.length);
  const results = await Promise.allSettled(toDrain.map((pod) => removePod(ctx, status, pod, flags, grace, deadline, timeoutText).then(settled)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason instanceof DrainError ? r.reason.messages : [r.reason instanceof Error ? r.reason.message : String(r.reason)]));
  if (failed.length) {
    const err = new DrainError(failed.flatMap((e) => e));
    // kubectl lists what is still on the node before it gives up on it.
    const still = (await s.api.list(pods, undefined, { fieldSelector: `spec.nodeName=${node}` })).items.filter((p) => podVerdict(p, flags).action === 'drain');
    if (still.length) status.err(`There are pending pods in node ${JSON.stringify(node)} when an error occurred: ${err.message}\n${still.map((p) => `pod/${p.metadata.name ?? ''}\n`).join('')}`);
    throw err;
  }
}

async function removePod(ctx: CommandContext, status: Progress, pod: KubeObject, flags: DrainFlags, grace: number, deadline: number, timeoutText: string): Promise<void> {
  const s = ctx.session();
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  const where = `pods/${JSON.stringify(name)} -n ${JSON.stringify(ns)}`;
  const deleteOptions = grace >= 0 ? { gracePeriodSeconds: grace } : {};
  if (flags.disableEviction) {
    try {
      await s.api.delete(pods, ns, name, deleteOptions);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw new DrainError(`error when deleting pods/${JSON.stringify(name)} -n ${JSON.stringify(ns)}: ${(e as Error).message}`);
    }
  } else {
    for (;;) {
      // As kubectl: the announcement comes before the deadline check, and the 5 s pause ignores the deadline.
      status.out(`evicting pod ${ns}/${name}\n`);
      if (Date.now() > deadline) throw new DrainError(`error when evicting ${where}: global timeout reached: ${timeoutText}`);
      try {
        await s.api.createSubresource(pods, ns, name, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, deleteOptions });
        break;
      } catch (e) {
        if (e instanceof NotFoundError) return;
        if (!(e instanceof TooManyRequestsError)) throw new DrainError(`error when evicting ${where}: ${(e as Error).message}`);
        status.err(`error when evicting ${where} (will retry after 5s): ${e.message}\n`);
        await sleep(evictionRetryMs);
      }
    }
  }
  // Gone, or replaced by a pod of the same name (another uid): kubectl's waitForDelete.
  for (;;) {
    try {
      const now = await s.api.get(pods, ns, name);
      if (now.metadata.uid !== pod.metadata.uid) break;
    } catch (e) {
      if (e instanceof NotFoundError) break;
      throw e;
    }
    if (Date.now() > deadline) throw new DrainError(`error when waiting for pod ${JSON.stringify(name)} in namespace ${JSON.stringify(ns)} to terminate: global timeout reached: ${timeoutText}`);
    await sleep(deletePollMs);
  }
  status.out(`pod/${name} ${flags.disableEviction ? 'deleted' : 'evicted'}\n`);
}
