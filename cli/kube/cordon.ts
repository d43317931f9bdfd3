// `gantry cordon` / `gantry uncordon`: marks nodes (un)schedulable by a strategic merge patch
// of spec.unschedulable, as kubectl does; a node already so is reported, not patched.

import type { KubeObject } from '../../common/api/meta.js';
import type { CommandContext } from './commands.js';
import { UsageError } from './errors.js';
import { resolveTargets, type SelectFlags } from './targets.js';

interface NodeObj extends KubeObject {
  spec?: { unschedulable?: boolean };
}

export async function cordonCommand(ctx: CommandContext, cordon: boolean, names: string[], flags: SelectFlags & { dryRun?: string }): Promise<void> {
  if (!names.length && !flags.selector) throw new UsageError(`name the nodes to ${cordon ? 'cordon' : 'uncordon'}, or select them with -l`);
  if (flags.dryRun !== undefined && flags.dryRun !== 'server') throw new UsageError(`--dry-run must be server, not "${flags.dryRun}"`);
  const s = ctx.session();
  const args = names.length ? ['nodes', ...names.map((n) => n.replace(/^(nodes?|no)\//, ''))] : ['nodes'];
  const word = cordon ? 'cordoned' : 'uncordoned';
  for (const t of await resolveTargets(s, args, flags, cordon ? 'cordon' : 'uncordon')) {
    const node = await s.api.get<NodeObj>(t.resource, undefined, t.name);
    if (Boolean(node.spec?.unschedulable) === cordon) {
      ctx.io.out(`${t.label} already ${word}\n`);
      continue;
    }
    await s.api.patch(t.resource, undefined, t.name, 'strategic', { spec: { unschedulable: cordon ? true : null } }, flags.dryRun ? { dryRun: true } : {});
    ctx.io.out(`${t.label} ${word}${flags.dryRun ? ' (server dry run)' : ''}\n`);
  }
}
