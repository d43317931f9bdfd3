// How overlayfs spells the OCI whiteouts in a lower directory: a deleted name is a
// character device 0:0, an opaque directory carries the xattr trusted.overlay.opaque=y.
// Node has neither mknod(2) nor setxattr(2), so coreutils' mknod and the attr package's
// setfattr do it; both need root (CAP_MKNOD, CAP_SYS_ADMIN for trusted.*). Callers pass
// paths they have already checked, and setfattr is told not to follow symlinks.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OverlayMarkOptions {
  /** `trusted.overlay.opaque` (default); `user.overlay.opaque` for mounts with userxattr. */
  opaqueXattr?: string;
}

export async function makeWhiteout(path: string): Promise<void> {
  try {
    await run('mknod', ['-m', '000', path, 'c', '0', '0']);
  } catch (e) {
    throw new Error(`cannot create overlay whiteout ${path} (mknod, needs root): ${stderrOf(e)}`, { cause: e });
  }
}

export async function markOpaque(dir: string, opts: OverlayMarkOptions = {}): Promise<void> {
  const name = opts.opaqueXattr ?? 'trusted.overlay.opaque';
  try {
    await run('setfattr', ['-h', '-n', name, '-v', 'y', dir]);
  } catch (e) {
    throw new Error(`cannot mark ${dir} opaque (setfattr from the attr package, needs root for trusted.*): ${stderrOf(e)}`, { cause: e });
  }
}

function stderrOf(e: unknown): string {
  const o = e as { stderr?: unknown; message?: unknown };
  const s = typeof o.stderr === 'string' && o.stderr.trim() ? o.stderr.trim() : typeof o.message === 'string' ? o.message : String(e);
  return s;
}
