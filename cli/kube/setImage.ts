// `gantry set image TYPE/NAME CONTAINER=IMAGE...` (`*` for every container): a strategic merge
// patch of the pod template's containers (a pod's own for pods), keyed by name.

import type { KubeObject } from '../../common/api/meta.js';
import type { CommandContext } from './commands.js';
import { CliError, UsageError } from './errors.js';
import { resolveTargets, splitChanges, type SelectFlags } from './targets.js';

interface Named {
  name: string;
  image?: string;
}
interface PodSpecLike {
  containers?: Named[];
  initContainers?: Named[];
}
interface Workload extends KubeObject {
  spec?: PodSpecLike & { template?: { spec?: PodSpecLike } };
}

export async function setImageCommand(ctx: CommandContext, args: string[], flags: SelectFlags): Promise<void> {
  const { resources, changes } = splitChanges(args, (a) => a.includes('='));
  if (!resources.length || !changes.length) throw new UsageError('give a resource and CONTAINER=IMAGE pairs, e.g. `gantry set image deploy/web web=nginx:1.27`');
  const images = new Map<string, string>();
  for (const c of changes) {
    const [name, image] = [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)];
    if (!name || !image) throw new UsageError(`expected CONTAINER=IMAGE, got "${c}"`);
    images.set(name, image);
  }
  const s = ctx.session();
  for (const t of await resolveTargets(s, resources, flags, 'update')) {
    const o = await s.api.get<Workload>(t.resource, t.namespace, t.name);
    const isPod = t.resource.kind === 'Pod' && t.resource.group === '';
    const spec = isPod ? o.spec : o.spec?.template?.spec;
    if (!spec) throw new CliError(`${t.label} has no pod template (set image works on pods and on workloads with spec.template)`);
    const patchSpec: Record<string, Named[]> = {};
    for (const list of ['containers', 'initContainers'] as const) {
      const changed: Named[] = [];
      for (const c of spec[list] ?? []) {
        const image = images.get(c.name) ?? images.get('*');
        if (image !== undefined && image !== c.image) changed.push({ name: c.name, image });
      }
      if (changed.length) patchSpec[list] = changed;
    }
    const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);
    for (const name of images.keys()) if (name !== '*' && !all.includes(name)) throw new CliError(`unable to find container named "${name}" in ${t.label} (it has ${all.join(', ')})`);
    // Nothing to change: kubectl stays silent too.
    if (!Object.keys(patchSpec).length) continue;
    await s.api.patch(t.resource, t.namespace, t.name, 'strategic', isPod ? { spec: patchSpec } : { spec: { template: { spec: patchSpec } } });
    ctx.io.out(`${t.label} image updated\n`);
  }
}
