// The process a container runs, from its config and its image's config, with the rules
// Kubernetes documents: `command` replaces the image ENTRYPOINT (and drops its CMD),
// `args` replaces CMD; the container's env overrides the image's by name.

import fs from 'node:fs';
import path from 'node:path';
import { BadRequestError } from '../../common/errors.js';
import type { ContainerConfig, ImageConfigSummary, LinuxContainerSecurityContext } from '../cri/types.js';
import { defaultPath } from './securityDefaults.js';

export function commandLine(config: Pick<ContainerConfig, 'command' | 'args'>, image: Pick<ImageConfigSummary, 'entrypoint' | 'cmd'>): string[] {
  const hasCommand = (config.command?.length ?? 0) > 0;
  const entrypoint = hasCommand ? config.command! : image.entrypoint;
  const args = (config.args?.length ?? 0) > 0 ? config.args! : hasCommand ? [] : image.cmd;
  const argv = [...entrypoint, ...args];
  if (argv.length === 0) throw new BadRequestError('the container has no command: neither the config nor the image gives one');
  return argv;
}

/** `KEY=value` lines: the image's, then the config's (a config entry replaces the image's of the same name). */
export function environment(imageEnv: readonly string[], configEnv: readonly { key: string; value: string }[], extra: Record<string, string> = {}): string[] {
  const order: string[] = [];
  const values = new Map<string, string>();
  const set = (k: string, v: string): void => {
    if (!values.has(k)) order.push(k);
    values.set(k, v);
  };
  for (const line of imageEnv) {
    const i = line.indexOf('=');
    if (i > 0) set(line.slice(0, i), line.slice(i + 1));
  }
  for (const [k, v] of Object.entries(extra)) if (!values.has(k)) set(k, v);
  for (const kv of configEnv) {
    if (!kv.key || kv.key.includes('=')) throw new BadRequestError(`invalid environment variable name ${JSON.stringify(kv.key)}`);
    set(kv.key, kv.value);
  }
  if (!values.has('PATH')) set('PATH', defaultPath);
  return order.map((k) => `${k}=${values.get(k)!}`);
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/** /etc/passwd and /etc/group of the container's root filesystem, read without following symlinks out of it. */
export interface AccountFiles {
  passwd?: string;
  group?: string;
}

/**
 * Reads `etc/passwd` and `etc/group` under `rootfs` only when `etc` and the files are a
 * real directory and regular files: an image could otherwise point them at host files.
 */
export function readAccountFiles(rootfs: string): AccountFiles {
  const out: AccountFiles = {};
  const etc = path.join(rootfs, 'etc');
  try {
    if (!fs.lstatSync(etc).isDirectory()) return out;
  } catch {
    return out;
  }
  for (const name of ['passwd', 'group'] as const) {
    const file = path.join(etc, name);
    try {
      if (!fs.lstatSync(file).isFile()) continue;
      const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        const buf = Buffer.alloc(Math.min(fs.fstatSync(fd).size, 1024 * 1024));
        fs.readSync(fd, buf, 0, buf.length, 0);
        out[name] = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // missing or unreadable: names cannot be resolved, numbers still work
    }
  }
  return out;
}

function lookupUser(passwd: string | undefined, nameOrUid: string): { uid: number; gid: number } | undefined {
  for (const line of (passwd ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    if (f[0] === nameOrUid || f[2] === nameOrUid) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

function lookupGroup(group: string | undefined, name: string): number | undefined {
  for (const line of (group ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] === name) return Number(f[2]);
  }
  return undefined;
}

const numeric = /^\d+$/;

/**
 * The uid/gid to run as: runAsUser/runAsGroup win; otherwise the image's USER
 * (`uid`, `uid:gid`, `name`, `name:group`), names resolved in the image's own files.
 */
export function resolveUser(sc: LinuxContainerSecurityContext | undefined, imageUser: string, accounts: AccountFiles): ResolvedUser {
  let uid = 0;
  let gid: number | undefined;
  if (sc?.runAsUser !== undefined) {
    uid = sc.runAsUser;
    gid = lookupUser(accounts.passwd, String(uid))?.gid;
  } else if (imageUser) {
    const [u, g] = imageUser.split(':', 2) as [string, string | undefined];
    if (numeric.test(u)) {
      uid = Number(u);
      gid = lookupUser(accounts.passwd, u)?.gid;
    } else {
      const found = lookupUser(accounts.passwd, u);
      if (!found) throw new BadRequestError(`image user ${JSON.stringify(u)} is not in the image's /etc/passwd`);
      uid = found.uid;
      gid = found.gid;
    }
    if (g !== undefined && g !== '') {
      if (numeric.test(g)) gid = Number(g);
      else {
        const found = lookupGroup(accounts.group, g);
        if (found === undefined) throw new BadRequestError(`image group ${JSON.stringify(g)} is not in the image's /etc/group`);
        gid = found;
      }
    }
  }
  if (sc?.runAsGroup !== undefined) gid = sc.runAsGroup;
  return { uid, gid: gid ?? 0, additionalGids: [...new Set(sc?.supplementalGroups ?? [])] };
}
