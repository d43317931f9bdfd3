// What exists on the node under the runtime's names but belongs to no record: left by a
// crash between two steps, or by a removed root. Reported so the agent can decide, and
// removable one by one.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Orphan } from '../cri/types.js';
import type { RuntimeContext } from './context.js';
import { isId } from './layout.js';
import { listMounts, unmountAll } from './mounts.js';
import { removeNetns } from './netns.js';

/** How a runc container without a record is told apart from a directory without one. */
const runcOrphanPrefix = 'runc container';

export async function findOrphans(ctx: RuntimeContext, unowned: { sandboxes: string[]; containers: string[] }): Promise<Orphan[]> {
  const L = ctx.layout;
  const out: Orphan[] = [];
  const known = (id: string): boolean => ctx.sandboxes.has(id) || ctx.containers.has(id);

  for (const name of unowned.sandboxes) out.push({ kind: 'sandbox', id: name, detail: path.join(L.sandboxesDir, name) });
  for (const name of unowned.containers) out.push({ kind: 'container', id: name, detail: path.join(L.containersDir, name) });

  for (const st of await ctx.runc.list().catch(() => [])) {
    if (!known(st.id)) out.push({ kind: 'container', id: st.id, detail: `${runcOrphanPrefix} (${st.status}) in ${L.runcRoot}` });
  }

  const root = L.root + '/';
  for (const m of await listMounts()) {
    if (!m.mountPoint.startsWith(root)) continue;
    const rel = path.relative(L.root, m.mountPoint).split('/');
    const [area, id] = rel;
    if (area === 'netns') {
      if (rel.length === 1) continue; // the private self-bind of the netns directory
      if (!id || !ctx.sandboxes.has(id)) out.push({ kind: 'netns', id: id ?? '', detail: m.mountPoint });
      continue;
    }
    const owned = (area === 'containers' && id && ctx.containers.has(id)) || (area === 'sandboxes' && id && ctx.sandboxes.has(id));
    if (!owned) out.push({ kind: 'mount', id: id ?? '', detail: m.mountPoint });
  }

  const pinned = new Set(out.filter((o) => o.kind === 'netns').map((o) => o.id));
  for (const name of await fs.readdir(L.netnsDir).catch(() => [] as string[])) {
    if (!ctx.sandboxes.has(name) && !pinned.has(name)) out.push({ kind: 'netns', id: name, detail: path.join(L.netnsDir, name) });
  }

  // cgroups: <cgroupRoot>/<pod>/<id>; pod cgroups of no sandbox, leaves of no record.
  const podCgroups = new Set([...ctx.sandboxes.values()].map((s) => s.podCgroup));
  const rootCg = ctx.opts.cgroupRoot;
  if (rootCg !== '/') {
    for (const rel of await ctx.cgroups.descendants(rootCg).catch(() => [] as string[])) {
      const full = path.posix.join(rootCg, rel);
      const parts = rel.split('/');
      const leaf = parts[parts.length - 1]!;
      if (podCgroups.has(full)) continue;
      // An intermediate level of a deeper cgroupParent.
      if ([...podCgroups].some((p) => p.startsWith(full + '/'))) continue;
      if (isId(leaf) && known(leaf) && podCgroups.has(path.posix.dirname(full))) continue;
      // A pod cgroup with unknown children is reported once, at the pod level.
      if (parts.length > 1 && !podCgroups.has(path.posix.dirname(full))) continue;
      out.push({ kind: 'cgroup', id: isId(leaf) ? leaf : '', detail: full });
    }
  }
  return out;
}

/** Removes one orphan. Processes are killed through runc (by container id), never by name. */
export async function removeOrphan(ctx: RuntimeContext, o: Orphan): Promise<void> {
  switch (o.kind) {
    case 'container':
    case 'sandbox': {
      if (o.detail.startsWith(runcOrphanPrefix)) {
        await ctx.runc.kill(o.id, 'KILL', true).catch(() => undefined);
        await ctx.runc.delete(o.id);
        return;
      }
      const dir = o.detail;
      for (const m of (await listMounts()).filter((m) => m.mountPoint.startsWith(dir + '/')).reverse()) await unmountAll(m.mountPoint);
      await fs.rm(dir, { recursive: true, force: true });
      return;
    }
    case 'mount':
      await unmountAll(o.detail);
      return;
    case 'netns': {
      // Release what CNI holds for it (address, veth, rules) while the namespace still exists.
      if (isId(o.id)) {
        const pinned = (await listMounts()).some((m) => m.mountPoint === o.detail);
        await ctx.cni.del(o.id, pinned ? o.detail : '', { namespace: '', name: '', uid: '' }, undefined).catch((e: Error) => ctx.log.warn('CNI DEL of an orphan failed', { netns: o.detail, error: e.message }));
      }
      await removeNetns(o.detail);
      return;
    }
    case 'cgroup':
      await ctx.cgroups.remove(o.detail);
      return;
  }
}
