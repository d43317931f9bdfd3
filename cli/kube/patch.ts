// `gantry patch`: a merge, JSON (RFC 6902) or strategic merge patch (the default, as kubectl)
// from -p or --patch-file, optionally of a subresource; "(no change)" when the object is as it was.

import fs from 'node:fs';
import type { KubeObject } from '../../common/api/meta.js';
import { parseYaml } from '../../common/yaml.js';
import type { CommandContext } from './commands.js';
import { CliError, UsageError } from './errors.js';
import { resolveTargets, type SelectFlags } from './targets.js';

export interface PatchFlags extends SelectFlags {
  type?: string;
  patch?: string;
  patchFile?: string;
  subresource?: string;
  dryRun?: string;
}

const types = { strategic: 'strategic', merge: 'merge', json: 'json' } as const;

/** The patch as JSON text: JSON as given, YAML converted (kubectl takes both). */
export function patchBody(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      const v = parseYaml(text);
      if (v === null || typeof v !== 'object') throw new Error('not an object or a list');
      return v;
    } catch (e) {
      throw new CliError(`${where} is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}

export async function patchCommand(ctx: CommandContext, args: string[], flags: PatchFlags): Promise<void> {
  const type = types[(flags.type ?? 'strategic') as keyof typeof types];
  if (!type) throw new UsageError(`--type must be strategic, merge or json, not "${flags.type}"`);
  if (Boolean(flags.patch) === Boolean(flags.patchFile)) throw new UsageError('give the patch with -p or --patch-file (one of them)');
  if (flags.subresource !== undefined && flags.subresource !== 'status' && flags.subresource !== 'scale') throw new UsageError(`--subresource must be status or scale, not "${flags.subresource}"`);
  if (flags.dryRun !== undefined && flags.dryRun !== 'server') throw new UsageError(`--dry-run must be server, not "${flags.dryRun}"`);
  const text = flags.patch ?? fs.readFileSync(flags.patchFile!, 'utf8');
  const body = patchBody(text, flags.patch !== undefined ? '-p' : flags.patchFile!);
  if (type === 'json' && !Array.isArray(body)) throw new CliError('a JSON patch (--type json) is a list of operations, e.g. [{"op":"replace","path":"/spec/replicas","value":3}]');
  const s = ctx.session();
  for (const t of await resolveTargets(s, args, flags, 'patch')) {
    const before = await s.api.get<KubeObject>(t.resource, t.namespace, t.name);
    const after = await s.api.patch<KubeObject>(t.resource, t.namespace, t.name, type, body, {
      ...(flags.subresource ? { subresource: flags.subresource as 'status' | 'scale' } : {}),
      ...(flags.dryRun ? { dryRun: true } : {}),
    });
    const unchanged = flags.subresource !== 'scale' && after.metadata?.resourceVersion === before.metadata?.resourceVersion;
    ctx.io.out(`${t.label} patched${unchanged ? ' (no change)' : ''}${flags.dryRun ? ' (server dry run)' : ''}\n`);
  }
}
