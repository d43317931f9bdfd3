// Unpacks one layer tarball into an empty directory without ever writing outside it.
//
// Every entry name is reduced to components with no `..` and no leading `/`; every
// parent component is checked with lstat as we go (a symlink or a file where a
// directory should be refuses the layer), nothing is opened through a symlink (files are
// created O_EXCL|O_NOFOLLOW after removing what was there), hardlinks must point at a
// file this layer already holds. Device nodes are skipped. OCI whiteouts and opaque
// markers become overlayfs whiteouts at the end, after checking their parents again,
// as are directory modes and times (so a read-only directory does not stop its own
// extraction). The caller extracts into a temp dir and renames it on success.

import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ApiError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logging.js';
import { UnsafeLayerError } from '../errors.js';
import { EntryPathError, entryComponents, whiteoutOf } from './entryPath.js';
import { makeWhiteout, markOpaque, type OverlayMarkOptions } from './overlayMarks.js';

export interface ExtractOptions {
  /** Names the layer in errors and logs. */
  layer: string;
  log: Logger;
  /** Apply uid/gid from the tarball; default: when running as root. */
  preserveOwnership?: boolean;
  overlay?: OverlayMarkOptions;
}

export interface ExtractStats {
  /** Bytes of regular file content written. */
  bytes: number;
  entries: number;
  whiteouts: number;
  /** Device nodes and FIFOs that were not created. */
  skipped: number;
}

interface Metadata {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

interface Pending {
  entry: string;
  comps: string[];
}

/** An entry of tar-stream's extractor: its header and a stream of its content. */
interface TarEntry {
  header: tar.Header;
}

/** streamx streams are async iterable at run time; their typings do not say so. */
function chunks(e: TarEntry): AsyncIterable<Buffer> {
  return e as unknown as AsyncIterable<Buffer>;
}

async function lstatOrUndefined(p: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Reading an entry's content failed: the archive itself is broken (truncated, bad header). */
class TarReadError extends Error {}

async function* content(entry: TarEntry): AsyncGenerator<Buffer> {
  try {
    for await (const c of chunks(entry)) yield c;
  } catch (e) {
    throw new TarReadError(e instanceof Error ? e.message : String(e), { cause: e });
  }
}

async function drain(entry: TarEntry): Promise<void> {
  for await (const _chunk of content(entry)) {
    // discard
  }
}

class LayerExtractor {
  readonly stats: ExtractStats = { bytes: 0, entries: 0, whiteouts: 0, skipped: 0 };
  private readonly root: string;
  private readonly opts: ExtractOptions;
  private readonly preserveOwnership: boolean;
  private readonly dirs = new Map<string, Pending & { meta: Metadata }>();
  private readonly whiteouts: Pending[] = [];
  private readonly opaque = new Map<string, Pending>();
  private droppedXattrs = 0;
  /** Paths known to be real directories (not symlinks), valid until we replace them. */
  private readonly realDirs = new Set<string>();

  constructor(root: string, opts: ExtractOptions) {
    this.root = root;
    this.opts = opts;
    this.preserveOwnership = opts.preserveOwnership ?? process.getuid?.() === 0;
  }

  private unsafe(entry: string, why: string): UnsafeLayerError {
    return new UnsafeLayerError(this.opts.layer, entry, why);
  }

  private components(name: string, entry: string, what = ''): string[] {
    try {
      return entryComponents(name);
    } catch (e) {
      if (e instanceof EntryPathError) throw this.unsafe(entry, `${what}${e.message}`);
      throw e;
    }
  }

  private rel(p: string): string {
    return path.relative(this.root, p) || '.';
  }

  /**
   * The directory named by comps, every component checked with lstat (or known to be a
   * real directory because we made or checked it and have not replaced it since);
   * created when missing if `create`.
   */
  private async directory(comps: string[], entry: string, create: boolean): Promise<string> {
    let p = this.root;
    for (const c of comps) {
      p = path.join(p, c);
      if (this.realDirs.has(p)) continue;
      const st = await lstatOrUndefined(p);
      if (!st) {
        if (!create) throw this.unsafe(entry, `needs ${this.rel(p)}, which is not in this layer`);
        await fs.mkdir(p, { mode: 0o755 });
      } else if (st.isSymbolicLink()) {
        throw this.unsafe(entry, `lies beneath the symlink ${this.rel(p)}`);
      } else if (!st.isDirectory()) {
        throw this.unsafe(entry, `lies beneath ${this.rel(p)}, which is not a directory`);
      }
      this.realDirs.add(p);
    }
    return p;
  }

  /** Forgets what we knew about `p` and everything under it, before replacing it. */
  private forget(p: string): void {
    const prefix = p + path.sep;
    for (const d of this.realDirs) if (d === p || d.startsWith(prefix)) this.realDirs.delete(d);
  }

  async entry(e: TarEntry): Promise<void> {
    const h = e.header;
    const name = h.name;
    this.stats.entries++;
    const comps = this.components(name, name);
    if (h.pax && Object.keys(h.pax).some((k) => k.startsWith('SCHILY.xattr.'))) this.droppedXattrs++;
    if (comps.length === 0) {
      if (h.type !== 'directory') throw this.unsafe(name, 'names the layer root but is not a directory');
      this.dirs.set('', { entry: name, comps, meta: meta(h) });
      return drain(e);
    }
    const parentComps = comps.slice(0, -1);
    const base = comps[comps.length - 1]!;
    let wh;
    try {
      wh = whiteoutOf(base);
    } catch (err) {
      if (err instanceof EntryPathError) throw this.unsafe(name, err.message);
      throw err;
    }
    if (wh) {
      if (h.type !== 'file') throw this.unsafe(name, 'is a whiteout but not a regular file');
      await this.directory(parentComps, name, true);
      if (wh.kind === 'opaque') this.opaque.set(parentComps.join('/'), { entry: name, comps: parentComps });
      else this.whiteouts.push({ entry: name, comps: [...parentComps, wh.target] });
      return drain(e);
    }
    switch (h.type) {
      case 'directory':
        return this.dir(e, comps, name);
      case 'file':
      case 'contiguous-file':
        return this.file(e, comps, name);
      case 'symlink':
        return this.symlink(e, comps, name);
      case 'link':
        return this.hardlink(e, comps, name);
      case 'character-device':
      case 'block-device':
      case 'fifo':
        this.stats.skipped++;
        this.opts.log.debug('skipping special file', { layer: this.opts.layer, entry: name, type: h.type });
        return drain(e);
      default:
        throw this.unsafe(name, `has unsupported type ${JSON.stringify(h.type)}`);
    }
  }

  /** Clears the final path for a new non-directory entry; returns it. */
  private async replaceable(comps: string[], entry: string): Promise<string> {
    const parent = await this.directory(comps.slice(0, -1), entry, true);
    const p = path.join(parent, comps[comps.length - 1]!);
    const st = await lstatOrUndefined(p);
    if (st?.isDirectory()) {
      this.forget(p);
      await fs.rm(p, { recursive: true, force: true });
    } else if (st) {
      await fs.unlink(p);
    }
    return p;
  }

  private async dir(e: TarEntry, comps: string[], entry: string): Promise<void> {
    const parent = await this.directory(comps.slice(0, -1), entry, true);
    const p = path.join(parent, comps[comps.length - 1]!);
    const st = await lstatOrUndefined(p);
    if (st && !st.isDirectory()) await fs.unlink(p);
    if (!st || !st.isDirectory()) await fs.mkdir(p, { mode: 0o755 });
    this.realDirs.add(p);
    this.dirs.set(comps.join('/'), { entry, comps, meta: meta(e.header) });
    await drain(e);
  }

  private async file(e: TarEntry, comps: string[], entry: string): Promise<void> {
    const p = await this.replaceable(comps, entry);
    const fh = await fs.open(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of content(e)) {
        await fh.write(chunk);
        this.stats.bytes += chunk.length;
      }
    } finally {
      await fh.close();
    }
    await this.applyMetadata(p, meta(e.header), false);
  }

  private async symlink(e: TarEntry, comps: string[], entry: string): Promise<void> {
    const target = e.header.linkname;
    if (!target) throw this.unsafe(entry, 'is a symlink with no target');
    if (target.includes('\0')) throw this.unsafe(entry, 'is a symlink whose target has a NUL byte');
    const p = await this.replaceable(comps, entry);
    // The target is stored, never followed: it is resolved inside the container's root.
    await fs.symlink(target, p);
    await this.applyMetadata(p, meta(e.header), true);
    await drain(e);
  }

  private async hardlink(e: TarEntry, comps: string[], entry: string): Promise<void> {
    const linkname = e.header.linkname;
    if (!linkname) throw this.unsafe(entry, 'is a hardlink with no target');
    const tcomps = this.components(linkname, entry, `links to ${JSON.stringify(linkname)}, which `);
    if (tcomps.length === 0) throw this.unsafe(entry, 'is a hardlink to the layer root');
    if (tcomps.join('/') === comps.join('/')) throw this.unsafe(entry, 'is a hardlink to itself');
    const tparent = await this.directory(tcomps.slice(0, -1), entry, false);
    const target = path.join(tparent, tcomps[tcomps.length - 1]!);
    const st = await lstatOrUndefined(target);
    if (!st) throw this.unsafe(entry, `links to ${JSON.stringify(linkname)}, which is not (yet) in this layer`);
    if (st.isDirectory()) throw this.unsafe(entry, `links to the directory ${JSON.stringify(linkname)}`);
    const p = await this.replaceable(comps, entry);
    // link(2) does not follow a symlink target, so this links the symlink itself.
    await fs.link(target, p);
    await drain(e);
  }

  private async applyMetadata(p: string, m: Metadata, isSymlink: boolean): Promise<void> {
    if (this.preserveOwnership) await fs.lchown(p, m.uid, m.gid);
    // chown clears setuid bits, so the mode comes after it; symlinks have no mode of their own.
    if (!isSymlink) await fs.chmod(p, m.mode & 0o7777);
    await fs.lutimes(p, m.mtime, m.mtime);
  }

  /** Whiteouts, opaque markers and directory metadata, each after checking its path again. */
  async finish(): Promise<void> {
    for (const w of this.whiteouts) {
      const parent = await this.directory(w.comps.slice(0, -1), w.entry, false);
      const p = path.join(parent, w.comps[w.comps.length - 1]!);
      if (await lstatOrUndefined(p)) throw this.unsafe(w.entry, `whites out ${this.rel(p)}, which this same layer also creates (ambiguous)`);
      await makeWhiteout(p);
      this.stats.whiteouts++;
    }
    for (const o of this.opaque.values()) {
      const dir = await this.directory(o.comps, o.entry, false);
      await markOpaque(dir, this.opts.overlay);
    }
    const dirs = [...this.dirs.values()].sort((a, b) => b.comps.length - a.comps.length);
    for (const d of dirs) {
      let p: string;
      try {
        p = await this.directory(d.comps, d.entry, false);
      } catch (e) {
        // A later entry replaced this directory (or a parent) with something else.
        if (e instanceof UnsafeLayerError) continue;
        throw e;
      }
      await this.applyMetadata(p, d.meta, false);
    }
    if (this.droppedXattrs > 0) this.opts.log.debug('extended attributes in layer not applied', { layer: this.opts.layer, entries: this.droppedXattrs });
  }
}

function meta(h: tar.Header): Metadata {
  return { mode: h.mode ?? 0o644, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime ?? new Date(0) };
}

/**
 * Extracts a tar stream (already decompressed) into `root`, an existing empty
 * directory. Throws UnsafeLayerError for any entry that is refused; the caller then
 * removes `root`.
 */
export async function extractLayer(tarStream: Readable, root: string, opts: ExtractOptions): Promise<ExtractStats> {
  const x = new LayerExtractor(root, opts);
  const extract = tar.extract();
  const fed = pipeline(tarStream, extract);
  fed.catch(() => undefined); // its failure is seen below, or superseded by ours
  let entryFailure: unknown;
  try {
    for await (const entry of extract) {
      try {
        await x.entry(entry);
      } catch (e) {
        entryFailure = e;
        throw e;
      }
    }
    await fed;
  } catch (e) {
    tarStream.destroy();
    if (e instanceof ApiError) throw e;
    // A failure of our own file operations is not the archive's fault.
    if (e === entryFailure && !(e instanceof TarReadError)) throw e;
    // Otherwise the parser (or what feeds it: gunzip, hashing) failed; its own error says best why.
    const fedError = await fed.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (fedError instanceof ApiError) throw fedError;
    const why = fedError instanceof Error && !/premature close|destroyed/i.test(fedError.message) ? fedError.message : e instanceof Error ? e.message : String(e);
    throw new UnsafeLayerError(opts.layer, '', `not a readable tar archive: ${why}`);
  }
  await x.finish();
  return x.stats;
}
