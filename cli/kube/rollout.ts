// `gantry rollout status|history|undo|restart|pause|resume` for deployments.
//   status:  follows the deployment (a watch) and prints kubectl's progress lines until the
//            rollout is done; exits 1 with the reason on ProgressDeadlineExceeded.
//   history: the revisions, from the deployment's ReplicaSets' revision annotations.
//   undo:    puts a previous revision's pod template back (JSON patch, as kubectl).
//   restart: a new rollout of the same template, by the restartedAt template annotation.

import type { KubeObject } from '../../common/api/meta.js';
import { formatLabelSelectorObject } from '../../common/selectors/labels.js';
import type { Session } from './access.js';
import type { CommandContext } from './commands.js';
import { describePodTemplate } from './describe/containers.js';
import { sameTemplate } from './describe/deployment.js';
import { DescribeWriter } from './describe/tabwriter.js';
import type { Condition, Deployment, ReplicaSet } from './describe/wire.js';
import { qualifiedResource } from './discovery.js';
import { CliError, UsageError } from './errors.js';
import { parseDurationFlag } from './durationFlag.js';
import { resolveTargets, type Target } from './targets.js';
import { followObject, TimedOut } from './watchObject.js';

export interface RolloutFlags {
  timeout?: string;
  watch?: boolean;
  revision?: string;
  toRevision?: string;
  dryRun?: string;
}

const revisionKey = 'deployment.kubernetes.io/revision';
const changeCauseKey = 'kubernetes.io/change-cause';
export const restartedAtKey = 'kubectl.kubernetes.io/restartedAt';

async function deployments(ctx: CommandContext, args: string[]): Promise<{ s: Session; targets: Target[] }> {
  const s = ctx.session();
  const targets = await resolveTargets(s, args, {}, 'roll out');
  for (const t of targets) {
    if (t.resource.group !== 'apps' || t.resource.kind !== 'Deployment') throw new UsageError(`rollout works on deployments; ${t.label} is a ${t.resource.kind}`);
  }
  return { s, targets };
}

/** kubectl's rollout status of a deployment: a line to print, whether it is done, or the failure. */
export function rolloutStatus(d: Deployment): { message: string; done: boolean; error?: string } {
  const name = d.metadata?.name ?? '';
  const st = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (st.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  const progressing = st.conditions?.find((c: Condition) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { message: '', done: false, error: `deployment "${name}" exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}` };
  }
  const want = d.spec?.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  const total = st.replicas ?? 0;
  const available = st.availableReplicas ?? 0;
  if (updated < want) return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...`, done: false };
  if (total > updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`, done: false };
  if (available < updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`, done: false };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

async function statusCommand(ctx: CommandContext, args: string[], flags: RolloutFlags): Promise<void> {
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout);
  const { s, targets } = await deployments(ctx, args);
  if (targets.length !== 1) throw new UsageError('rollout status follows one deployment at a time');
  const t = targets[0]!;
  await s.api.get(t.resource, t.namespace, t.name);
  let last = '';
  try {
    await followObject(
      s,
      t,
      (o) => {
        if (!o) return { done: false, error: new CliError(`${qualifiedResource(t.resource)} "${t.name}" was deleted`) };
        const st = rolloutStatus(o as Deployment);
        if (st.error) return { done: false, error: new CliError(st.error) };
        // One line per change of state (kubectl repeats a line for every event).
        if (st.message !== last) ctx.io.out(`${st.message}\n`);
        last = st.message;
        return st.done || flags.watch === false ? { done: true } : { done: false };
      },
      timeoutMs,
    );
  } catch (e) {
    if (e instanceof TimedOut) throw new CliError(`timed out waiting for the rollout of ${t.label} (last: ${last || 'no status yet'})`);
    throw e;
  }
}

/** The deployment's ReplicaSets (selected by its selector and controlled by it), oldest revision first. */
export async function revisions(s: Session, d: Deployment): Promise<{ revision: number; rs: ReplicaSet }[]> {
  const rsResource = await s.discovery.resolve('replicasets.apps');
  const list = await s.api.list<ReplicaSet>(rsResource, d.metadata?.namespace, { labelSelector: formatLabelSelectorObject(d.spec?.selector) });
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === d.metadata?.uid))
    .map((rs) => ({ revision: Number(rs.metadata?.annotations?.[revisionKey] ?? 0), rs }))
    .filter((r) => Number.isInteger(r.revision) && r.revision > 0)
    .sort((a, b) => a.revision - b.revision);
}

async function historyCommand(ctx: CommandContext, args: string[], flags: RolloutFlags): Promise<void> {
  const { s, targets } = await deployments(ctx, args);
  for (const t of targets) {
    const d = await s.api.get<Deployment>(t.resource, t.namespace, t.name);
    const revs = await revisions(s, d);
    if (flags.revision !== undefined && flags.revision !== '0') {
      const want = Number(flags.revision);
      const r = revs.find((x) => x.revision === want);
      if (!r) throw new CliError('unable to find the specified revision');
      // As kubectl: the revision's change cause shows among the template's annotations.
      const template = structuredClone(r.rs.spec?.template ?? {});
      const cause = r.rs.metadata?.annotations?.[changeCauseKey];
      if (cause) template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [changeCauseKey]: cause } };
      const w = new DescribeWriter();
      describePodTemplate(w, template);
      ctx.io.out(`${t.label} with revision #${want}\n${w.raw()}\n`);
      continue;
    }
    if (!revs.length) {
      ctx.io.out('No rollout history found.\n');
      continue;
    }
    const w = new DescribeWriter();
    w.line(0, 'REVISION', 'CHANGE-CAUSE');
    for (const r of revs) w.line(0, r.revision, r.rs.metadata?.annotations?.[changeCauseKey] || '<none>');
    ctx.io.out(`${t.label} \n${w.text()}\n`);
  }
}

/** Annotations undo keeps from the deployment rather than taking from the ReplicaSet. */
const deploymentOnly = new Set(['kubectl.kubernetes.io/last-applied-configuration', revisionKey, 'deployment.kubernetes.io/revision-history', 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to']);

async function undoCommand(ctx: CommandContext, args: string[], flags: RolloutFlags): Promise<void> {
  const to = flags.toRevision === undefined ? 0 : Number(flags.toRevision);
  if (!Number.isInteger(to) || to < 0) throw new UsageError(`--to-revision must be a revision number, not "${flags.toRevision}"`);
  const { s, targets } = await deployments(ctx, args);
  for (const t of targets) {
    const d = await s.api.get<Deployment>(t.resource, t.namespace, t.name);
    if (d.spec?.paused) throw new CliError(`you cannot rollback a paused deployment; resume it first with 'gantry rollout resume ${t.label}' and try again`);
    const revs = await revisions(s, d);
    if (!revs.length) throw new CliError(`no rollout history found for deployment "${t.name}"`);
    // The previous revision: the highest below the current (newest) one.
    const chosen = to ? revs.find((r) => r.revision === to) : revs[revs.length - 2];
    if (!chosen) throw new CliError(to ? `unable to find specified revision ${to} in history` : `no revision to roll back to: deployment "${t.name}" has only revision ${revs[0]!.revision}`);
    if (sameTemplate(chosen.rs.spec?.template, d.spec?.template)) {
      ctx.io.out(`${t.label} skipped rollback (current template already matches revision ${chosen.revision})\n`);
      continue;
    }
    const template = structuredClone(chosen.rs.spec?.template ?? {});
    if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (deploymentOnly.has(k)) annotations[k] = v;
    for (const [k, v] of Object.entries(chosen.rs.metadata?.annotations ?? {})) if (!deploymentOnly.has(k)) annotations[k] = v;
    const patch = [
      { op: 'replace', path: '/spec/template', value: template },
      // `add` replaces the annotations, and unlike kubectl's `replace` also works when there are none.
      { op: 'add', path: '/metadata/annotations', value: annotations },
    ];
    await s.api.patch(t.resource, t.namespace, t.name, 'json', patch, flags.dryRun === 'server' ? { dryRun: true } : {});
    ctx.io.out(`${t.label} rolled back${flags.dryRun === 'server' ? ' (server dry run)' : ''}\n`);
  }
}

/** Go's time.RFC3339 in local time: `2026-12-07T10:05:00Z` or with an offset. */
export function rfc3339(d: Date): string {
  const off = -d.getTimezoneOffset();
  const two = (n: number): string => String(n).padStart(2, '0');
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${two(Math.trunc(Math.abs(off) / 60))}:${two(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}${zone}`;
}

async function simpleCommand(ctx: CommandContext, verb: 'restart' | 'pause' | 'resume', args: string[]): Promise<void> {
  const { s, targets } = await deployments(ctx, args);
  for (const t of targets) {
    const d = await s.api.get<Deployment>(t.resource, t.namespace, t.name);
    const name = `${qualifiedResource(t.resource)} "${t.name}"`;
    let patch: unknown;
    if (verb === 'restart') {
      if (d.spec?.paused) throw new CliError(`${name} can't restart paused deployment (run rollout resume first)`);
      patch = { spec: { template: { metadata: { annotations: { [restartedAtKey]: rfc3339(new Date()) } } } } };
    } else if (verb === 'pause') {
      if (d.spec?.paused) throw new CliError(`${name} is already paused`);
      patch = { spec: { paused: true } };
    } else {
      if (!d.spec?.paused) throw new CliError(`${name} is not paused`);
      patch = { spec: { paused: null } };
    }
    await s.api.patch<KubeObject>(t.resource, t.namespace, t.name, 'strategic', patch);
    ctx.io.out(`${t.label} ${verb === 'restart' ? 'restarted' : verb === 'pause' ? 'paused' : 'resumed'}\n`);
  }
}

export async function rolloutCommand(ctx: CommandContext, sub: string, args: string[], flags: RolloutFlags): Promise<void> {
  switch (sub) {
    case 'status':
      return statusCommand(ctx, args, flags);
    case 'history':
      return historyCommand(ctx, args, flags);
    case 'undo':
      return undoCommand(ctx, args, flags);
    case 'restart':
    case 'pause':
    case 'resume':
      return simpleCommand(ctx, sub, args);
  }
  throw new UsageError(`unknown rollout command "${sub}"`);
}
