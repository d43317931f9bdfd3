// Path safety for what the agent writes on behalf of a pod. Names from the pod (volume
// item paths, subPaths) are relative, never climb with `..`, and are written only through
// directories this agent created or checked to be real directories, so neither a crafted
// spec nor a symlink a container planted can make the agent write outside the pod's tree.

import fs from 'node:fs/promises';
import path from 'node:path';

const maxPathLength = 4096;
const maxNameLength = 255;

/**
 * Why `p` cannot name a file inside a volume, or undefined when it can. Rules of the
 * kubelet's atomic writer: not empty, relative, no `..` element, no first element starting
 * with `..` (those names are the writer's own), element and total length limits.
 */
export function relativePathProblem(p: string): string | undefined {
  if (typeof p !== 'string' || p === '') return 'must not be empty';
  if (p.includes('\0')) return 'must not contain NUL';
  if (path.posix.isAbsolute(p)) return 'must be a relative path';
  if (p.length > maxPathLength) return `must be at most ${maxPathLength} characters`;
  const parts = p.split('/');
  if (parts.includes('..')) return "must not contain '..'";
  if (parts.some((s) => s.length > maxNameLength)) return `file names must be at most ${maxNameLength} characters`;
  if (parts[0]!.startsWith('..')) return "must not start with '..'";
  return undefined;
}

/** `a//b/./c` -> `a/b/c`; call after `relativePathProblem` accepted the path. */
export function cleanRelativePath(p: string): string {
  return path.posix.normalize(p).replace(/\/+$/, '');
}

export function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

export class UnsafePathError extends Error {}

/**
 * Creates `root/rel` one element at a time (mode applied despite the umask) and checks that
 * each element is a real directory, not a symlink, so the result is inside `root` for sure.
 */
export async function ensureRealDir(root: string, rel: string, mode: number): Promise<string> {
  let cur = root;
  for (const part of rel.split('/').filter((s) => s !== '' && s !== '.')) {
    if (part === '..') throw new UnsafePathError(`${rel} climbs out of ${root}`);
    cur = path.join(cur, part);
    let created = false;
    try {
      await fs.mkdir(cur, { mode });
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const st = await fs.lstat(cur);
    if (!st.isDirectory()) throw new UnsafePathError(`${cur} exists and is not a directory`);
    if (created) await fs.chmod(cur, mode);
  }
  return cur;
}
