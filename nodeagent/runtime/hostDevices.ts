// The host's device nodes, as a privileged container gets them in Kubernetes (containerd's
// and CRI-O's "all host devices"): every character and block device under /dev, with its
// numbers, mode and owner, for runc to create in the container's own /dev. Left out as the
// CRI runtimes leave them out: the pseudo-filesystems a container mounts for itself (pts,
// shm, mqueue), fd links, LXC/udev bookkeeping, and /dev/console (runc makes the
// container's console itself).

import fs from 'node:fs';
import path from 'node:path';
import type { OciDevice } from './oci.js';

const skippedDirs = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);
const skippedFiles = new Set(['console']);

/** Linux's dev_t split (glibc's gnu_dev_major/minor). */
export function splitDevice(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

function walk(dir: string, out: OciDevice[], depth: number): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (depth === 0 && skippedDirs.has(e.name)) continue;
      walk(p, out, depth + 1);
      continue;
    }
    if (!e.isCharacterDevice() && !e.isBlockDevice()) continue; // symlinks, sockets, fifos, files
    if (depth === 0 && skippedFiles.has(e.name)) continue;
    let st: fs.BigIntStats;
    try {
      st = fs.lstatSync(p, { bigint: true });
    } catch {
      continue; // gone meanwhile
    }
    out.push({ path: p, type: e.isCharacterDevice() ? 'c' : 'b', ...splitDevice(st.rdev), fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) });
  }
}

/** Every device node under `root` (default /dev), sorted by path; paths are as in the container. */
export function hostDevices(root = '/dev'): OciDevice[] {
  const out: OciDevice[] = [];
  walk(root, out, 0);
  return out.map((d) => ({ ...d, path: path.join('/dev', path.relative(root, d.path)) })).sort((a, b) => a.path.localeCompare(b.path));
}
