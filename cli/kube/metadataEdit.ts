// `gantry label` and `gantry annotate`: `key=value` sets, `key-` removes, by a merge patch of
// metadata; a key that already has another value is only replaced with --overwrite.

import type { KubeObject } from '../../common/api/meta.js';
import { isValidLabelValue, qualifiedNameErrors, labelValueErrors } from '../../common/selectors/validation.js';
import type { CommandContext } from './commands.js';
import { CliError, UsageError, exitCodes } from './errors.js';
import { refused } from './get.js';
import { resolveTargets, splitChanges, type SelectFlags } from './targets.js';

export interface MetadataEditFlags extends SelectFlags {
  overwrite?: boolean;
  resourceVersion?: string;
  dryRun?: string;
}

type Field = 'labels' | 'annotations';

const isChange = (a: string): boolean => a.includes('=') || (a.endsWith('-') && !a.includes('/'));

export function parseChanges(field: Field, changes: string[]): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const c of changes) {
    const eq = c.indexOf('=');
    const key = eq >= 0 ? c.slice(0, eq) : c.slice(0, -1);
    const problems = qualifiedNameErrors(key);
    if (problems.length) throw new UsageError(`invalid ${field === 'labels' ? 'label' : 'annotation'} key "${key}" in "${c}": ${problems.join('; ')}`);
    if (eq < 0) {
      remove.push(key);
      continue;
    }
    const value = c.slice(eq + 1);
    if (field === 'labels' && !isValidLabelValue(value)) throw new UsageError(`invalid label value "${value}" in "${c}": ${labelValueErrors(value).join('; ')}`);
    if (remove.includes(key) || key in set) throw new UsageError(`"${key}" is given more than once`);
    set[key] = value;
  }
  for (const k of remove) if (k in set) throw new UsageError(`"${k}" is both set and removed`);
  return { set, remove };
}

export async function metadataEditCommand(ctx: CommandContext, field: Field, args: string[], flags: MetadataEditFlags): Promise<void> {
  const { resources, changes } = splitChanges(args, isChange);
  if (!resources.length) throw new UsageError('name a resource, e.g. `gantry label pod web app=web`');
  if (!changes.length) throw new UsageError(`give at least one change: key=value to set, key- to remove`);
  if (flags.dryRun !== undefined && flags.dryRun !== 'server') throw new UsageError(`--dry-run must be server, not "${flags.dryRun}"`);
  const { set, remove } = parseChanges(field, changes);
  const s = ctx.session();
  const done = field === 'labels' ? 'labeled' : 'annotated';
  for (const t of await resolveTargets(s, resources, flags, field === 'labels' ? 'label' : 'annotate')) {
    try {
      const before = await s.api.get(t.resource, t.namespace, t.name);
      const current = before.metadata?.[field] ?? {};
      if (!flags.overwrite) {
        const clashes = Object.entries(set).filter(([k, v]) => k in current && current[k] !== v);
        if (clashes.length) throw new CliError(clashes.map(([k]) => `'${k}' already has a value (${current[k]}), and --overwrite is false`).join('\n'));
      }
      const patch: Record<string, string | null> = { ...set };
      for (const k of remove) {
        if (k in current) patch[k] = null;
        else if (field === 'labels') ctx.io.out(`label "${k}" not found.\n`);
      }
      const metadata: Record<string, unknown> = { [field]: patch };
      if (flags.resourceVersion) metadata.resourceVersion = flags.resourceVersion;
      const after = await s.api.patch<KubeObject>(t.resource, t.namespace, t.name, 'merge', { metadata }, flags.dryRun ? { dryRun: true } : {});
      const changed = JSON.stringify(after.metadata?.[field] ?? {}) !== JSON.stringify(current);
      // kubectl says "annotated" whenever it sent a patch; of labels "not labeled" when none
      // changed, "unlabeled" when the changes only removed some.
      const word = field !== 'labels' ? done : !changed ? `not ${done}` : Object.keys(set).length ? done : 'unlabeled';
      ctx.io.out(`${t.label} ${word}${flags.dryRun ? ' (server dry run)' : ''}\n`);
    } catch (e) {
      if (e instanceof CliError) {
        ctx.io.err(`error: ${e.message}\n`);
        ctx.io.exitCode = exitCodes.failure;
      } else refused(ctx, e);
    }
  }
}
