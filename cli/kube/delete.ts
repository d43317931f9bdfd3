// `gantry delete`: objects by name, by label selector or from manifests (-f), with a cascade
// policy and grace period; by default waits (with a watch) until each is really gone.

import type { KubeObject } from '../../common/api/meta.js';
import { resourcePath } from '../../common/client/apiClient.js';
import { ApiError, NotFoundError } from '../../common/errors.js';
import type { Session } from './access.js';
import type { CommandContext } from './commands.js';
import { qualifiedKind, type ApiResource } from './discovery.js';
import { CliError, UsageError, exitCodes, serverErrorLine } from './errors.js';
import { parseDurationFlag } from './durationFlag.js';
import { parseResourceArgs } from './get.js';
import { manifestTarget } from './manifestTarget.js';
import { readManifests } from './manifests.js';

export interface DeleteFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  all?: boolean;
  cascade?: string;
  gracePeriod?: string;
  wait?: boolean;
  timeout?: string;
  ignoreNotFound?: boolean;
}

const cascades = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan', true: 'Background', false: 'Orphan' } as const;

interface Doomed {
  resource: ApiResource;
  namespace: string | undefined;
  name: string;
}

/**
 * Waits until the object with this uid is gone: lists it by name, and when it is still
 * there watches from that list's resourceVersion for its DELETED event (or a newer object
 * of the same name, which means ours is gone). Throws after `timeoutMs` (0: no limit).
 */
export async function waitGone(s: Session, d: Doomed, uid: string | undefined, timeoutMs: number): Promise<void> {
  const fieldSelector = `metadata.name=${d.name}`;
  const deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
  for (;;) {
    const list = await s.api.list(d.resource, d.namespace, { fieldSelector });
    const still = list.items.find((o) => !uid || o.metadata?.uid === uid);
    if (!still) return;
    let gone = false;
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const w = s.rest.watch(resourcePath(d.resource, d.namespace), { fieldSelector, resourceVersion: list.resourceVersion, timeoutSeconds: Math.min(300, Math.ceil(remaining / 1000)) }, (ev) => {
      const o = ev.object as KubeObject;
      if ((ev.type === 'DELETED' && (!uid || o.metadata?.uid === uid)) || (ev.type === 'ADDED' && uid && o.metadata?.uid !== uid)) {
        gone = true;
        w.stop();
      }
    });
    const timer = Number.isFinite(remaining) ? setTimeout(() => w.stop(), remaining) : undefined;
    await w.done;
    if (timer) clearTimeout(timer);
    if (gone) return;
    if (Date.now() >= deadline) break;
    // The watch ended (server timeout or a 410): list again.
  }
  throw new CliError(`timed out waiting for ${qualifiedKind(d.resource)} "${d.name}" to be deleted (it may have finalizers, or dependents under --cascade=foreground)`);
}

async function targets(ctx: CommandContext, s: Session, args: string[], flags: DeleteFlags): Promise<Doomed[]> {
  const out: Doomed[] = [];
  if (flags.filename?.length) {
    if (args.length) throw new UsageError('give either -f or resource names, not both');
    const set = await readManifests(flags.filename, Boolean(flags.recursive), ctx.io.readStdin);
    for (const p of set.problems) {
      ctx.io.err(`error: ${p}\n`);
      ctx.io.exitCode = exitCodes.failure;
    }
    for (const m of set.objects) {
      const t = await manifestTarget(s, m);
      if (typeof t === 'string') {
        ctx.io.err(`error: ${t}\n`);
        ctx.io.exitCode = exitCodes.failure;
      } else out.push({ resource: t.resource, namespace: t.namespace, name: t.name });
    }
    return out;
  }
  const reqs = await parseResourceArgs(s, args);
  for (const req of reqs) {
    const ns = req.resource.namespaced ? s.namespace : undefined;
    if (req.names.length) {
      if (flags.selector || flags.all) throw new UsageError('give names, or -l / --all, not both');
      for (const name of req.names) out.push({ resource: req.resource, namespace: ns, name });
      continue;
    }
    if (!flags.selector && !flags.all) throw new UsageError(`name the ${req.resource.plural} to delete, or select them with -l, or pass --all`);
    const list = await s.api.list(req.resource, ns, flags.selector ? { labelSelector: flags.selector } : {});
    for (const o of list.items) out.push({ resource: req.resource, namespace: ns, name: o.metadata!.name! });
  }
  return out;
}

export async function deleteCommand(ctx: CommandContext, args: string[], flags: DeleteFlags): Promise<void> {
  const cascade = cascades[(flags.cascade ?? 'background') as keyof typeof cascades];
  if (!cascade) throw new UsageError(`--cascade must be background, foreground or orphan, not "${flags.cascade}"`);
  let grace: number | undefined;
  if (flags.gracePeriod !== undefined && flags.gracePeriod !== '-1') {
    grace = Number(flags.gracePeriod);
    if (!/^\d+$/.test(flags.gracePeriod)) throw new UsageError(`--grace-period must be a number of seconds (or -1 for the object's own), not "${flags.gracePeriod}"`);
  }
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout);
  const s = ctx.session();
  const doomed = await targets(ctx, s, args, flags);
  if (!doomed.length && !args.some((a) => a.includes('/')) && !flags.filename?.length && (flags.selector || flags.all)) {
    ctx.io.err('No resources found\n');
    return;
  }
  const waiting: { d: Doomed; uid: string | undefined }[] = [];
  for (const d of doomed) {
    try {
      const before = await s.api.send<KubeObject>('DELETE', resourcePath(d.resource, d.namespace, d.name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: cascade, ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}) },
      });
      ctx.io.out(`${qualifiedKind(d.resource)} "${d.name}" deleted\n`);
      waiting.push({ d, uid: before.body?.metadata?.uid });
    } catch (e) {
      if (e instanceof NotFoundError && flags.ignoreNotFound) continue;
      if (!(e instanceof ApiError)) throw e;
      ctx.io.err(`${serverErrorLine(e)}\n`);
      ctx.io.exitCode = exitCodes.failure;
    }
  }
  if (flags.wait === false) return;
  for (const { d, uid } of waiting) await waitGone(s, d, uid, timeoutMs);
}
