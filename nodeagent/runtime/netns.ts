// A pod's network namespace, pinned by a bind mount of its nsfs file under the runtime's
// root (as containerd pins it), so it exists before the pause process starts and after it
// dies: the CNI plugins get a path to wire, and teardown works whatever the processes did.

import fs from 'node:fs/promises';
import path from 'node:path';
import { CommandError, run, runChecked } from '../../common/proc/run.js';
import { isMountPoint, unmountAll } from './mounts.js';

/**
 * A bind mount of an nsfs file is refused under a shared mount (it could propagate into
 * the namespace itself). Like `ip netns`, make the directory its own private mount first.
 */
async function ensurePrivateDir(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  if (!(await isMountPoint(abs))) await runChecked('mount', ['--bind', abs, abs]);
  await runChecked('mount', ['--make-private', abs]);
}

export async function createNetns(file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.writeFile(file, '', { mode: 0o600 });
  let r = await run('unshare', [`--net=${file}`, 'true']);
  if (r.code !== 0) {
    await ensurePrivateDir(path.dirname(file));
    r = await run('unshare', [`--net=${file}`, 'true']);
  }
  if (r.code !== 0) {
    await fs.rm(file, { force: true });
    throw new CommandError(`unshare --net=${file} true`, r);
  }
}

export async function removeNetns(file: string): Promise<void> {
  await unmountAll(file);
  await fs.rm(file, { force: true });
}
