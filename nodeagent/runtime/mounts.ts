// Mounts the runtime makes on the host: each container's overlayfs root (the image's
// shared read-only layers below, its own writable directory above) and each pod's /dev/shm
// tmpfs. They outlive our process by design; /proc/self/mountinfo is how we find them again.

import fs from 'node:fs/promises';
import path from 'node:path';
import { run, runChecked } from '../../common/proc/run.js';

export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 3) continue;
    out.push({ mountPoint: unescapeMountField(left[4]!), fsType: right[0]!, source: unescapeMountField(right[1]!), superOptions: right[2]! });
  }
  return out;
}

export async function listMounts(): Promise<MountInfo[]> {
  return parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8'));
}

export async function isMountPoint(p: string): Promise<boolean> {
  const abs = path.resolve(p);
  return (await listMounts()).some((m) => m.mountPoint === abs);
}

// The kernel takes mount options in one page; leave room for the other options.
const maxOptionBytes = 3800;

/**
 * Mounts an overlay at `target`. `lowerDirs` come lowest first (the OCI layer order);
 * overlayfs wants the top one first. Long layer lists are passed relative to their
 * common parent (mount runs there) to stay within the kernel's one-page option limit.
 */
export async function mountOverlay(lowerDirs: readonly string[], upperDir: string, workDir: string, target: string): Promise<void> {
  if (lowerDirs.length === 0) throw new Error('an overlay needs at least one lower layer');
  for (const d of [...lowerDirs, upperDir, workDir]) {
    if (!path.isAbsolute(d) || /[,:\\]/.test(d)) throw new Error(`unusable overlay directory ${JSON.stringify(d)}`);
  }
  const top = [...lowerDirs].reverse();
  let cwd: string | undefined;
  let lower = top.join(':');
  const rest = `,upperdir=${upperDir},workdir=${workDir}`;
  if (lower.length + rest.length > maxOptionBytes) {
    cwd = commonParent(top);
    lower = top.map((d) => path.relative(cwd!, d)).join(':');
    if (lower.length + rest.length > maxOptionBytes) throw new Error(`too many image layers for one overlay mount (${lowerDirs.length})`);
  }
  await runChecked('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower}${rest}`, target], cwd ? { cwd } : {});
}

function commonParent(dirs: readonly string[]): string {
  let parts = path.dirname(dirs[0]!).split('/');
  for (const d of dirs.slice(1)) {
    const q = path.dirname(d).split('/');
    let i = 0;
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/') || '/';
}

export async function mountTmpfs(target: string, sizeBytes: number): Promise<void> {
  await runChecked('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,noexec,mode=1777,size=${sizeBytes}`, 'shm', target]);
}

/**
 * Unmounts everything mounted at `target` (stacked mounts too). A mount still busy (a
 * process of ours has it open) is detached lazily rather than left behind.
 */
export async function unmountAll(target: string): Promise<void> {
  const abs = path.resolve(target);
  for (let i = 0; i < 8; i++) {
    if (!(await isMountPoint(abs))) return;
    const r = await run('umount', [abs]);
    if (r.code !== 0) await runChecked('umount', ['-l', abs]);
  }
  throw new Error(`${abs} is still mounted after 8 unmounts`);
}
