// `gantry apply -f`: server-side apply of every object in the manifests, under the field
// manager `gantry`, one object after another (a namespace before the objects in it), going
// on past failures and failing at the end. On a terminal a status line on stderr counts the
// objects as they are applied (progress.ts).

import { resourcePath } from '../../common/client/apiClient.js';
import { ApiError, ConflictError, NotFoundError } from '../../common/errors.js';
import type { KubeObject } from '../../common/api/meta.js';
import { colorsFor } from './color.js';
import type { CommandContext } from './commands.js';
import { UsageError, exitCodes, serverErrorLine } from './errors.js';
import { manifestTarget, type ManifestTarget } from './manifestTarget.js';
import { fieldLine } from './fieldLines.js';
import { readManifests, where, type ManifestObject } from './manifests.js';
import type { Session } from './access.js';
import { prune, type PruneScope } from './prune.js';
import { waitForApplied } from './applyWait.js';
import { parseDurationFlag } from './durationFlag.js';
import { progressLine } from './progress.js';
import type { Target } from './targets.js';

export interface ApplyFlags {
  filename?: string[];
  recursive?: boolean;
  dryRun?: string;
  forceConflicts?: boolean;
  fieldManager?: string;
  prune?: boolean;
  selector?: string;
  wait?: boolean;
  timeout?: string;
}

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

/** The object without what changes on every write whether or not anything was asked to change. */
function comparable(o: KubeObject | undefined): string {
  if (!o) return '';
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata ?? {};
  return JSON.stringify({ ...o, metadata: meta });
}

/**
 * Applies one object. Whether it was created, configured or left unchanged is decided by a
 * GET before the PATCH: absent before means created; otherwise the resourceVersion after is
 * compared with the one before (a no-op apply does not bump it). A server dry run writes
 * nothing, so there the objects themselves are compared instead.
 */
export async function applyOne(s: Session, t: ManifestTarget, obj: KubeObject, o: { dryRun: boolean; force: boolean; fieldManager: string }): Promise<ApplyOutcome> {
  let before: KubeObject | undefined;
  try {
    before = await s.api.get(t.resource, t.namespace, t.name);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
  const query = { fieldManager: o.fieldManager, fieldValidation: 'Strict', force: o.force ? true : undefined, dryRun: o.dryRun ? 'All' : undefined };
  const res = await s.api.send<KubeObject>('PATCH', resourcePath(t.resource, t.namespace, t.name), { body: JSON.stringify(obj), contentType: 'application/apply-patch+yaml', query });
  if (!before) return 'created';
  if (o.dryRun) return comparable(before) === comparable(res.body) ? 'unchanged' : 'configured';
  return res.body.metadata?.resourceVersion === before.metadata?.resourceVersion ? 'unchanged' : 'configured';
}

/** `  web.yaml:16: spec.replicas: ...`: the cause, led by where its field is in the manifest when it is there. */
function causeLine(m: ManifestObject, c: { field?: string; message: string }): string {
  const line = c.field && m.text !== undefined ? fieldLine(m.text, m.line, c.field) : undefined;
  return `  ${line ? `${where(m.file, line)}: ` : ''}${c.field ? `${c.field}: ` : ''}${c.message}`;
}

/** What went wrong with one object, saying which object, from where, and the field paths. */
export function applyError(t: ManifestTarget, m: ManifestObject, e: unknown): string {
  if (e instanceof ConflictError && e.details.causes?.length) {
    const lines = e.details.causes.map((c) => causeLine(m, c));
    return [
      `${t.place}: apply conflicts with other field managers on ${e.details.causes.length === 1 ? 'this field' : 'these fields'}:`,
      ...lines,
      '  Apply again with --force-conflicts to take them over (the other managers lose them), or remove them from the manifest to leave them as they are.',
    ].join('\n');
  }
  if (e instanceof ApiError && e.details.causes?.length) {
    const verdict = e.reason === 'Invalid' ? 'is invalid' : `was refused (${e.reason})`;
    return [`${t.place} ${verdict}:`, ...e.details.causes.map((c) => causeLine(m, c))].join('\n');
  }
  if (e instanceof ApiError) return `${t.place}: ${serverErrorLine(e)}`;
  throw e;
}

function summary(counts: Record<ApplyOutcome | 'failed', number>, dryRun: boolean, pruned?: number): string {
  const total = counts.created + counts.configured + counts.unchanged + counts.failed;
  const parts = (['created', 'configured', 'unchanged', 'failed'] as const).filter((k) => counts[k]).map((k) => `${counts[k]} ${k}`);
  return `${total} object${total === 1 ? '' : 's'}: ${parts.join(', ') || 'nothing to apply'}${pruned !== undefined ? `; ${pruned} pruned` : ''}${dryRun ? ' (server dry run)' : ''}`;
}

export async function applyCommand(ctx: CommandContext, flags: ApplyFlags): Promise<void> {
  const { io } = ctx;
  if (!flags.filename?.length) throw new UsageError('apply needs -f FILE, -f DIR or -f - (standard input)');
  if (flags.dryRun !== undefined && flags.dryRun !== 'server' && flags.dryRun !== 'none') throw new UsageError(`--dry-run must be server or none, not "${flags.dryRun}" (a client-side dry run would not check against the server)`);
  const dryRun = flags.dryRun === 'server';
  if (flags.prune && !flags.selector) throw new UsageError('--prune needs -l SELECTOR: only objects with these labels that left the manifests are deleted (and only those gantry applied)');
  if (flags.selector && !flags.prune) throw new UsageError('-l selects the objects --prune may delete; it needs --prune');
  if (flags.wait && dryRun) throw new UsageError('--wait has nothing to wait for in a server dry run');
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout ?? '5m');
  const fieldManager = flags.fieldManager || 'gantry';
  const c = colorsFor(io);
  const set = await readManifests(flags.filename, Boolean(flags.recursive), io.readStdin);
  const counts = { created: 0, configured: 0, unchanged: 0, failed: set.problems.length };
  for (const p of set.problems) io.err(`${c.red('error:')} ${p}\n`);
  const s = set.objects.length || flags.prune ? ctx.session() : undefined;
  const kept: PruneScope[] = [];
  const applied: Target[] = [];
  // A status line on a terminal's stderr while objects are applied (progress.ts); out and err go around it.
  const status = progressLine(io);
  const total = set.objects.length;
  let pruned: number | undefined;
  try {
    for (const [i, m] of set.objects.entries()) {
      status.update(`applying ${i + 1}/${total} object${total === 1 ? '' : 's'}${dryRun ? ' (server dry run)' : ''}… ${m.obj.kind ?? ''}/${m.obj.metadata?.name ?? ''}`);
      const t = await manifestTarget(s!, m);
      if (typeof t === 'string') {
        counts.failed++;
        status.err(`${c.red('error:')} ${t}\n`);
        continue;
      }
      kept.push(t);
      try {
        const outcome = await applyOne(s!, t, objectFor(m, t), { dryRun, force: Boolean(flags.forceConflicts), fieldManager });
        applied.push(t);
        counts[outcome]++;
        const paint = outcome === 'unchanged' ? c.dim : outcome === 'created' ? c.green : c.yellow;
        status.out(`${t.label} ${paint(outcome)}${dryRun ? ' (server dry run)' : ''}\n`);
      } catch (e) {
        counts.failed++;
        status.err(`${c.red('error:')} ${applyError(t, m, e)}\n`);
      }
    }
    if (flags.prune) {
      // A manifest that could not be read may hold objects still wanted: prune nothing then.
      if (set.problems.length) status.err(`${c.yellow('warning:')} nothing pruned: some manifests could not be read, and objects in them would have been deleted\n`);
      else {
        status.update(`pruning what left the manifests (-l ${flags.selector})…`);
        const r = await prune(s!, kept, { selector: flags.selector!, fieldManager, dryRun }, (label) => status.out(`${label} ${c.red('pruned')}${dryRun ? ' (server dry run)' : ''}\n`));
        for (const e of r.errors) status.err(`${c.red('error:')} ${e}\n`);
        counts.failed += r.errors.length;
        pruned = r.pruned.length;
      }
    }
  } finally {
    status.done();
  }
  io.out(`${summary(counts, dryRun, pruned)}\n`);
  // Each failure was said where it happened; the summary counted them.
  if (counts.failed) io.exitCode = exitCodes.failure;
  if (flags.wait && applied.length) await waitForApplied(s!, applied, timeoutMs, { out: (t) => io.out(t), isTTY: io.isTTY, colors: c });
}

/** The manifest's object with the namespace it is applied in (the server wants them equal). */
function objectFor(m: ManifestObject, t: ManifestTarget): KubeObject {
  if (!t.namespace || m.obj.metadata?.namespace === t.namespace) return m.obj;
  return { ...m.obj, metadata: { ...m.obj.metadata, namespace: t.namespace } };
}
