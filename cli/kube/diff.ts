// `gantry diff -f`: what `gantry apply` would change. Each manifest object is applied as a
// server dry run (so defaults, admission and merging are the server's own) and its YAML is
// compared with the live object's, as a unified diff. Fields that change on every write or
// that nobody writes by hand are left out of both sides: managedFields, resourceVersion,
// generation, uid and the metadata timestamps. Exit codes as kubectl's diff: 0 no
// difference, 1 differences, 2 an error (an object that could not be read or dry-run).

import { createTwoFilesPatch } from 'diff';
import type { KubeObject } from '../../common/api/meta.js';
import { resourcePath } from '../../common/client/apiClient.js';
import { NotFoundError } from '../../common/errors.js';
import { toYaml } from '../../common/yaml.js';
import { colorsFor, type Colors } from './color.js';
import type { CommandContext } from './commands.js';
import { applyError } from './apply.js';
import { CliError, UsageError, errorText, type Target } from './errors.js';
import { manifestTarget, type ManifestTarget } from './manifestTarget.js';
import { readManifests, type ManifestObject } from './manifests.js';

export interface DiffFlags {
  filename?: string[];
  recursive?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
}

export const diffExit = { same: 0, differ: 1, error: 2 } as const;

const noise = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** The value with every mapping's keys in order, as kubectl prints YAML: live and merged then line up field by field. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]));
}

/** The object's YAML without the fields that are noise in a diff; '' for no object. */
export function diffableYaml(o: KubeObject | undefined): string {
  if (!o) return '';
  const meta: Record<string, unknown> = { ...o.metadata };
  for (const k of noise) delete meta[k];
  return toYaml(sortedKeys({ ...o, metadata: meta }));
}

/** `apps.v1.Deployment.shop.web`: kubectl diff's name for an object's file. */
function fileName(t: ManifestTarget): string {
  const r = t.resource;
  return [r.group ? `${r.group}.${r.version}` : r.version, r.kind, t.namespace, t.name].filter(Boolean).join('.');
}

/** The unified diff of live against merged; '' when they are equal. */
export function objectDiff(name: string, live: string, merged: string): string {
  if (live === merged) return '';
  const patch = createTwoFilesPatch(`live/${name}`, `merged/${name}`, live, merged, undefined, undefined, { context: 3 });
  // The library's first line is an `Index:`-less `===` separator; the diff starts at `---`.
  return patch.slice(patch.indexOf('---'));
}

export function paintDiff(text: string, c: Colors): string {
  return text
    .split('\n')
    .map((l) => (l.startsWith('---') || l.startsWith('+++') ? c.bold(l) : l.startsWith('@@') ? c.yellow(l) : l.startsWith('-') ? c.red(l) : l.startsWith('+') ? c.green(l) : l))
    .join('\n');
}

async function merged(ctx: CommandContext, t: ManifestTarget, m: ManifestObject, flags: DiffFlags): Promise<{ live: string; merged: string }> {
  const s = ctx.session();
  let live: KubeObject | undefined;
  try {
    live = await s.api.get(t.resource, t.namespace, t.name);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
  const obj = t.namespace && m.obj.metadata?.namespace !== t.namespace ? { ...m.obj, metadata: { ...m.obj.metadata, namespace: t.namespace } } : m.obj;
  const query = { fieldManager: flags.fieldManager || 'gantry', fieldValidation: 'Strict', force: flags.forceConflicts ? true : undefined, dryRun: 'All' };
  const res = await s.api.send<KubeObject>('PATCH', resourcePath(t.resource, t.namespace, t.name), { body: JSON.stringify(obj), contentType: 'application/apply-patch+yaml', query });
  return { live: diffableYaml(live), merged: diffableYaml(res.body) };
}

export async function diffCommand(ctx: CommandContext, flags: DiffFlags): Promise<void> {
  const { io } = ctx;
  if (!flags.filename?.length) throw new UsageError('diff needs -f FILE, -f DIR or -f - (standard input)');
  const c = colorsFor(io);
  let failed = false;
  let differ = false;
  const fail = (text: string): void => {
    failed = true;
    io.err(`${c.red('error:')} ${text}\n`);
  };
  try {
    const set = await readManifests(flags.filename, Boolean(flags.recursive), io.readStdin);
    set.problems.forEach(fail);
    for (const m of set.objects) {
      const t = await manifestTarget(ctx.session(), m);
      if (typeof t === 'string') {
        fail(t);
        continue;
      }
      let d: { live: string; merged: string };
      try {
        d = await merged(ctx, t, m, flags);
      } catch (e) {
        fail(applyError(t, m, e));
        continue;
      }
      const text = objectDiff(fileName(t), d.live, d.merged);
      if (!text) continue;
      differ = true;
      io.out(paintDiff(text, c));
    }
  } catch (e) {
    // Anything else (the server unreachable, a kubeconfig problem) is an error too: exit 2, not 1.
    if (e instanceof CliError && e.code === diffExit.error) throw e;
    let target: Target | undefined;
    try {
      target = ctx.session().target;
    } catch {
      // No session could be opened: the error says why.
    }
    const { text } = errorText(e, target);
    io.err(`${text}\n`);
    io.exitCode = diffExit.error;
    return;
  }
  io.exitCode = failed ? diffExit.error : differ ? diffExit.differ : diffExit.same;
}
