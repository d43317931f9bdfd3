// Writes a set of files (a ConfigMap, Secret or downward API volume) into a directory so
// that a reader inside the container sees either the whole old set or the whole new one,
// never a mix, the way the kubelet's AtomicWriter does:
//
//   <dir>/..2026_01_02_15_04_05.123456   the files of one version (a fresh directory)
//   <dir>/..data -> ..2026_01_02_...     the current version, swapped by rename(2)
//   <dir>/<key>  -> ..data/<key>         one link per top-level name, what users open
//
// A new version is written into a directory created for it, so no symlink can be waiting
// there; the `..data` link is replaced by renaming a new link over it, which is atomic.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { cleanRelativePath, relativePathProblem } from './paths.js';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, 0..0o777. */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

export class PayloadError extends Error {}

const dataLink = '..data';
const dataLinkTmp = '..data_tmp';
const versionDirShape = /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.[0-9a-f]+$/;

function versionDirName(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`;
  return `..${stamp}.${randomBytes(6).toString('hex')}`;
}

/** Checks and normalizes the payload's paths; a file may not also be another file's directory. */
export function cleanPayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    const problem = relativePathProblem(p);
    if (problem) throw new PayloadError(`invalid path ${JSON.stringify(p)}: ${problem}`);
    const clean = cleanRelativePath(p);
    if (clean === '.' || clean === '') throw new PayloadError(`invalid path ${JSON.stringify(p)}: names no file`);
    if (!Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0o777) throw new PayloadError(`invalid mode ${f.mode} for ${JSON.stringify(p)}: must be between 0 and 0777`);
    out.set(clean, f);
  }
  for (const p of out.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (out.has(dir)) throw new PayloadError(`path ${JSON.stringify(dir)} is both a file and the directory of ${JSON.stringify(p)}`);
    }
  }
  return out;
}

async function readLinkOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fs.readlink(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EINVAL') return undefined;
    throw e;
  }
}

/** The files of a version directory, read without following symlinks. */
async function readVersion(dir: string): Promise<Payload> {
  const out: Payload = new Map();
  const walk = async (rel: string): Promise<void> => {
    for (const ent of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) await walk(r);
      else if (ent.isFile()) {
        const full = path.join(dir, r);
        const st = await fs.lstat(full);
        out.set(r, { data: await fs.readFile(full), mode: st.mode & 0o777 });
      }
    }
  };
  await walk('');
  return out;
}

function samePayload(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [p, f] of a) {
    const g = b.get(p);
    if (!g || g.mode !== f.mode || !g.data.equals(f.data)) return false;
  }
  return true;
}

function topLevelNames(payload: Payload): Set<string> {
  return new Set([...payload.keys()].map((p) => p.split('/')[0]!));
}

async function writeVersion(dir: string, payload: Payload): Promise<void> {
  for (const [rel, f] of [...payload].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const full = path.join(dir, rel);
    // The version directory is new and ours alone: nothing in it can be a planted symlink.
    await fs.mkdir(path.dirname(full), { recursive: true, mode: 0o755 });
    const fh = await fs.open(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, f.mode);
    try {
      await fh.writeFile(f.data);
      await fh.chmod(f.mode);
    } finally {
      await fh.close();
    }
  }
}

/**
 * Makes `targetDir` (an existing directory the caller made safely) hold exactly `payload`.
 * Returns false when it already did, so re-running it to refresh content is cheap.
 */
export async function writeAtomically(targetDir: string, payload: Payload, now: () => Date = () => new Date()): Promise<boolean> {
  const files = cleanPayload(payload);
  const oldVersion = await readLinkOrUndefined(path.join(targetDir, dataLink));
  const old = oldVersion && versionDirShape.test(oldVersion) ? await readVersion(path.join(targetDir, oldVersion)).catch(() => undefined) : undefined;
  const changed = !old || !samePayload(old, files);

  let current = oldVersion;
  if (changed) {
    current = versionDirName(now());
    const versionDir = path.join(targetDir, current);
    await fs.mkdir(versionDir, { mode: 0o755 });
    await fs.chmod(versionDir, 0o755);
    await writeVersion(versionDir, files);
    const tmp = path.join(targetDir, dataLinkTmp);
    await fs.rm(tmp, { force: true });
    await fs.symlink(current, tmp);
    await fs.rename(tmp, path.join(targetDir, dataLink));
  }

  const wanted = topLevelNames(files);
  for (const name of wanted) {
    const link = path.join(targetDir, name);
    const target = `${dataLink}/${name}`;
    const existing = await readLinkOrUndefined(link);
    if (existing === target) continue;
    if (existing === undefined) {
      try {
        const st = await fs.lstat(link);
        throw new PayloadError(`${link} exists and is not the link the volume needs (${st.isDirectory() ? 'a directory' : 'a file'})`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      await fs.symlink(target, link);
    } else {
      // Replace a stray link atomically, as for ..data.
      const tmp = `${link}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.symlink(target, tmp);
      await fs.rename(tmp, link);
    }
  }

  // Links of names the new version no longer has, then versions no link points at.
  for (const ent of await fs.readdir(targetDir, { withFileTypes: true })) {
    if (ent.name === dataLink || ent.name === current) continue;
    const full = path.join(targetDir, ent.name);
    if (ent.isSymbolicLink()) {
      const t = await readLinkOrUndefined(full);
      if (!wanted.has(ent.name) && t !== undefined && t.startsWith(`${dataLink}/`)) await fs.unlink(full);
      else if (ent.name === dataLinkTmp) await fs.unlink(full);
    } else if (ent.isDirectory() && versionDirShape.test(ent.name)) {
      await fs.rm(full, { recursive: true, force: true });
    }
  }
  return changed;
}
