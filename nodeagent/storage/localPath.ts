// The node's side of the gantry.dev/local-path provisioner: one directory per volume below
// `<agent root>/local-path`, made when a pod first mounts the volume and removed when its
// PersistentVolume is deleted. Both walk from the root one element at a time and refuse a
// symlink on the way, so a PV's path (written by the provisioner, or by an administrator)
// can never make the agent create or delete anything outside the root, nor the root itself.
//
// Modes: the root is 0700 (only root on the node reaches the volumes' content from the host);
// a volume directory is 0777, as rancher's local-path makes it, so any user a container runs
// as can write its volume. That is no wider than an emptyDir (also 0777 below a 0700 pod
// directory): host users cannot cross the root, and containers see only their own mount.

import fs from 'node:fs/promises';
import path from 'node:path';
import { listMounts } from '../runtime/mounts.js';
import { ensureRealDir, isInside, UnsafePathError } from '../podspec/paths.js';

import { annProvisionedBy as provisionedByAnnotation, localPathCleanupFinalizer, localPathNodeLabel, localPathProvisioner, localPathRootAnnotation } from '../../common/api/storage.js';
export { provisionedByAnnotation, localPathCleanupFinalizer, localPathNodeLabel, localPathProvisioner, localPathRootAnnotation };

export const rootMode = 0o700;
export const volumeMode = 0o777;

/** Where an agent with this root keeps local-path volumes. */
export function localPathRootOf(agentRoot: string): string {
  return path.join(path.resolve(agentRoot), 'local-path');
}

/**
 * The path of `p` below `root` when `p` lies strictly inside it (the root itself is not
 * inside), judged on the text alone: absolute, no `..`, no NUL. Undefined otherwise.
 */
export function relativeInside(root: string, p: unknown): string | undefined {
  if (typeof p !== 'string' || !path.isAbsolute(p) || p.includes('\0') || p.split('/').includes('..')) return undefined;
  const r = path.resolve(root);
  const norm = path.resolve(p);
  if (norm === r || !isInside(r, norm)) return undefined;
  return path.relative(r, norm);
}

/** Creates the root (and its parents) if needed: a real directory, not a symlink, mode 0700. */
export async function ensureLocalPathRoot(root: string): Promise<void> {
  await fs.mkdir(path.dirname(root), { recursive: true, mode: 0o700 });
  await fs.mkdir(root, { mode: rootMode }).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
  const st = await fs.lstat(root);
  if (!st.isDirectory()) throw new UnsafePathError(`the local-path root ${root} exists and is not a directory`);
  await fs.chmod(root, rootMode);
}

async function checkRoot(root: string): Promise<boolean> {
  const st = await fs.lstat(root).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  if (!st) return false;
  if (!st.isDirectory()) throw new UnsafePathError(`the local-path root ${root} is not a directory`);
  return true;
}

/** Makes the directory of a provisioned volume at `p`, strictly inside `root`; returns it. */
export async function ensureVolumeDir(root: string, p: string): Promise<string> {
  const rel = relativeInside(root, p);
  if (rel === undefined) throw new UnsafePathError(`${String(p)} is not inside the local-path root ${root}`);
  if (!(await checkRoot(root))) throw new UnsafePathError(`the local-path root ${root} does not exist`);
  const parent = path.dirname(rel);
  const base = parent === '.' ? path.resolve(root) : await ensureRealDir(path.resolve(root), parent, rootMode);
  return ensureRealDir(base, path.basename(rel), volumeMode);
}

/** Something is mounted in the directory: retry once it is unmounted. */
export class VolumeBusyError extends Error {}

export type RemoveOutcome = 'removed' | 'absent';

/**
 * Removes the volume directory at `p` and everything in it. Refuses a path that is not
 * strictly inside `root`, a symlink on the way to it, and a directory with anything mounted
 * at or below it (a mount's content must never be deleted through it). A symlink in place
 * of the directory itself is removed as a link, never followed; so are links inside it.
 */
export async function removeVolumeDir(root: string, p: string): Promise<RemoveOutcome> {
  const rel = relativeInside(root, p);
  if (rel === undefined) throw new UnsafePathError(`${String(p)} is not inside the local-path root ${root}`);
  if (!(await checkRoot(root))) return 'absent';
  const parts = rel.split('/');
  let cur = path.resolve(root);
  for (const [i, part] of parts.entries()) {
    cur = path.join(cur, part);
    const st = await fs.lstat(cur).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (!st) return 'absent';
    if (i < parts.length - 1 && (st.isSymbolicLink() || !st.isDirectory())) throw new UnsafePathError(`${cur} is not a real directory: refusing to follow it`);
  }
  const mounted = (await listMounts()).map((m) => m.mountPoint).filter((m) => isInside(cur, m));
  if (mounted.length) throw new VolumeBusyError(`${cur} is still mounted: ${mounted.join(', ')}`);
  await fs.rm(cur, { recursive: true, force: true });
  return 'removed';
}
