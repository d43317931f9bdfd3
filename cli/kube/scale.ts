// `gantry scale`: sets the replicas of deployments, replica sets (anything with a scale
// subresource) through that subresource; --current-replicas is a precondition.

import type { KubeObject } from '../../common/api/meta.js';
import { resourcePath } from '../../common/client/apiClient.js';
import type { CommandContext } from './commands.js';
import { NotServedError } from '../../common/errors.js';
import { CliError, UsageError } from './errors.js';
import { resolveTargets, type SelectFlags } from './targets.js';

export interface ScaleFlags extends SelectFlags {
  replicas?: string;
  currentReplicas?: string;
}

interface Scale extends KubeObject {
  spec?: { replicas?: number };
}

function count(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} must be a whole number of replicas, not "${v}"`);
  return Number(v);
}

export async function scaleCommand(ctx: CommandContext, args: string[], flags: ScaleFlags): Promise<void> {
  if (flags.replicas === undefined) throw new UsageError('--replicas is required (e.g. --replicas=3)');
  const replicas = count('--replicas', flags.replicas);
  const current = flags.currentReplicas !== undefined && flags.currentReplicas !== '-1' ? count('--current-replicas', flags.currentReplicas) : undefined;
  const s = ctx.session();
  for (const t of await resolveTargets(s, args, flags, 'scale')) {
    const patch: Record<string, unknown> = { spec: { replicas } };
    if (current !== undefined) {
      const sc = (await s.api.send<Scale>('GET', resourcePath(t.resource, t.namespace, t.name, 'scale'))).body;
      if ((sc.spec?.replicas ?? 0) !== current) throw new CliError(`Expected replicas to be ${current}, was ${sc.spec?.replicas ?? 0}`);
      // The precondition holds at this resourceVersion only: a concurrent change is a conflict.
      patch.metadata = { resourceVersion: sc.metadata?.resourceVersion };
    }
    try {
      await s.api.patch(t.resource, t.namespace, t.name, 'merge', patch, { subresource: 'scale' });
    } catch (e) {
      // The object exists but has no scale subresource: say so rather than "not found".
      if (e instanceof NotServedError && (await s.api.get(t.resource, t.namespace, t.name))) throw new CliError(`${t.label} cannot be scaled: ${t.resource.plural} have no scale subresource`);
      throw e;
    }
    ctx.io.out(`${t.label} scaled\n`);
  }
}
