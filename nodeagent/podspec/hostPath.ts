// hostPath volumes: a path on the node, checked against the volume's `type` the way the
// kubelet checks it before any container starts. The check follows symlinks (the path is
// the node's, chosen by whoever may create hostPath pods), and the *OrCreate types make
// what is missing: a directory (with parents, 0755) or an empty file (0644, parent must exist).

import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { VolumeError } from './errors.js';

export const hostPathTypes = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] as const;
export type HostPathType = (typeof hostPathTypes)[number];

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const kinds: Record<Exclude<HostPathType, '' | 'DirectoryOrCreate' | 'FileOrCreate'>, [(s: Stats) => boolean, string]> = {
  Directory: [(s) => s.isDirectory(), 'a directory'],
  File: [(s) => s.isFile(), 'a file'],
  Socket: [(s) => s.isSocket(), 'a socket file'],
  CharDevice: [(s) => s.isCharacterDevice(), 'a character device'],
  BlockDevice: [(s) => s.isBlockDevice(), 'a block device'],
};

/** Checks (and for *OrCreate, makes) the path; returns it for mounting. */
export async function prepareHostPath(src: { path?: unknown; type?: unknown }, field: string): Promise<string> {
  const p = src.path;
  if (typeof p !== 'string' || !path.isAbsolute(p)) throw new VolumeError(`${field}.path must be an absolute path`, `${field}.path`);
  if (p.split('/').includes('..')) throw new VolumeError(`${field}.path must not contain '..'`, `${field}.path`);
  const type = (src.type ?? '') as HostPathType;
  if (!hostPathTypes.includes(type)) throw new VolumeError(`hostPath type check failed: ${JSON.stringify(src.type)} is an invalid volume type`, `${field}.type`);
  const fail = (what: string): VolumeError => new VolumeError(`hostPath type check failed: ${p} ${what}`, `${field}.type`);
  const st = await statOrUndefined(p);

  switch (type) {
    case '':
      return p;
    case 'DirectoryOrCreate':
      if (!st) await fs.mkdir(p, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) throw fail('is not a directory');
      return p;
    case 'FileOrCreate':
      if (!st) {
        try {
          // No truncation and no exclusivity: another creator winning the race is fine.
          const fh = await fs.open(p, 'a', 0o644);
          await fh.close();
        } catch (e) {
          throw new VolumeError(`hostPath type check failed: cannot create ${p}: ${(e as Error).message}`, `${field}.path`, { cause: e });
        }
        const made = await fs.stat(p);
        if (!made.isFile()) throw fail('is not a file');
      } else if (!st.isFile()) throw fail('is not a file');
      return p;
    default: {
      const [ok, what] = kinds[type];
      if (!st) throw fail('does not exist');
      if (!ok(st)) throw fail(`is not ${what}`);
      return p;
    }
  }
}
