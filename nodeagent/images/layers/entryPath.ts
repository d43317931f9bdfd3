// Names inside a layer tarball, reduced to path components relative to the layer root.
// Anything that could name a place outside the layer is refused here, before any
// file system call sees it.

export class EntryPathError extends Error {}

const maxComponentBytes = 255;

/**
 * `./usr//bin/` -> ['usr', 'bin']; `.` or `./` -> [] (the layer root). Throws for
 * absolute paths, `..` components, NUL bytes and over-long components.
 */
export function entryComponents(name: string): string[] {
  if (name.length === 0) throw new EntryPathError('has an empty name');
  if (name.includes('\0')) throw new EntryPathError('has a NUL byte in its name');
  if (name.startsWith('/')) throw new EntryPathError('is an absolute path');
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw new EntryPathError('has a ".." component');
    if (Buffer.byteLength(c) > maxComponentBytes) throw new EntryPathError(`has a component longer than ${maxComponentBytes} bytes`);
    out.push(c);
  }
  return out;
}

export const whiteoutPrefix = '.wh.';
export const opaqueMarker = '.wh..wh..opq';

export type WhiteoutKind = { kind: 'opaque' } | { kind: 'whiteout'; target: string } | undefined;

/** Whether a final component is an OCI whiteout; throws for whiteouts that name nothing valid. */
export function whiteoutOf(base: string): WhiteoutKind {
  if (!base.startsWith(whiteoutPrefix)) return undefined;
  if (base === opaqueMarker) return { kind: 'opaque' };
  if (base.startsWith(`${whiteoutPrefix}${whiteoutPrefix}`)) throw new EntryPathError('is an unsupported AUFS metadata whiteout');
  const target = base.slice(whiteoutPrefix.length);
  if (target === '' || target === '.' || target === '..') throw new EntryPathError(`is a whiteout of ${JSON.stringify(target)}, which names no file`);
  return { kind: 'whiteout', target };
}
