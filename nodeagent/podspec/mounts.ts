// A container's volumeMounts as runtime mounts. The runtime adds the pod's /etc/hosts,
// /etc/hostname, /etc/resolv.conf, /dev/shm and /dev/termination-log itself (see
// runtime/specBuilder.ts), so they are not repeated here.
//
// subPath mounts a path inside the volume. It is created (as directories, with the
// volume's mode) when missing, like the kubelet does, and resolved to a real path that must
// stay inside the volume: a container can plant symlinks in a writable volume, and the bind
// mount must not follow one out of it. The resolved path goes to the runtime; a container
// racing to swap a directory for a symlink between this check and the mount is the
// residual risk (the kubelet closes it by mounting through an open file descriptor).

import fs from 'node:fs/promises';
import path from 'node:path';
import type { KeyValue, Mount, MountPropagation } from '../cri/types.js';
import { ContainerConfigError } from './errors.js';
import { envLookup, expandReferences } from './expansion.js';
import { isInside } from './paths.js';
import { containerField, listAt, type Container, type Pod, type VolumeMount } from './types.js';
import type { PreparedVolume } from './volumes.js';

const propagations: Record<string, MountPropagation> = {
  None: 'PROPAGATION_PRIVATE',
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

export interface MountOptions {
  /** The container's resolved env, for `subPathExpr`. */
  envs?: readonly KeyValue[];
}

function propagationOf(m: VolumeMount, container: Container, field: string): MountPropagation {
  if (m.mountPropagation === undefined || m.mountPropagation === null) return 'PROPAGATION_PRIVATE';
  const p = propagations[m.mountPropagation];
  if (!p) throw new ContainerConfigError(`invalid MountPropagation mode: ${JSON.stringify(m.mountPropagation)}`, `${field}.mountPropagation`);
  // Mounts made inside the container would appear on the node: only for privileged containers.
  if (p === 'PROPAGATION_BIDIRECTIONAL' && container.securityContext?.privileged !== true) {
    throw new ContainerConfigError('Bidirectional mount propagation is available only to privileged containers', `${field}.mountPropagation`);
  }
  return p;
}

function subPathOf(m: VolumeMount, envs: readonly KeyValue[], field: string): string {
  if (m.subPath && m.subPathExpr) throw new ContainerConfigError(`${field}: subPath and subPathExpr are mutually exclusive`, field);
  let sub = m.subPath ?? '';
  if (m.subPathExpr) {
    const lookup = envLookup(envs);
    const missing = new Set<string>();
    sub = expandReferences(m.subPathExpr, (name) => {
      const v = lookup(name);
      if (v === undefined || v === '') missing.add(name);
      return v ?? '';
    });
    if (missing.size) throw new ContainerConfigError(`missing value for ${[...missing].sort().join(', ')}`, `${field}.subPathExpr`);
  }
  if (sub === '') return '';
  if (path.posix.isAbsolute(sub)) throw new ContainerConfigError(`error SubPath \`${sub}\` must not be an absolute path`, `${field}.subPath`);
  if (sub.split('/').includes('..')) throw new ContainerConfigError(`unable to provision SubPath \`${sub}\`: must not contain '..'`, `${field}.subPath`);
  return sub;
}

/** The real path of `sub` inside `volume`, creating missing directories; never outside the volume. */
async function resolveSubPath(volume: string, sub: string, what: string, field: string): Promise<string> {
  const fail = (why: string, cause?: unknown): ContainerConfigError =>
    new ContainerConfigError(`failed to prepare subPath for ${what}: ${why}`, `${field}.subPath`, cause !== undefined ? { cause } : undefined);
  let root: string;
  try {
    root = await fs.realpath(volume);
    if (!(await fs.stat(root)).isDirectory()) throw fail('the volume is not a directory');
  } catch (e) {
    if (e instanceof ContainerConfigError) throw e;
    throw fail((e as Error).message, e);
  }
  const mode = (await fs.stat(root)).mode & 0o7777;
  let cur = root;
  for (const part of sub.split('/').filter((s) => s !== '' && s !== '.')) {
    const next = path.join(cur, part);
    let st = await fs.lstat(next).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(fail(e.message, e))));
    if (!st) {
      await fs.mkdir(next, { mode }).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(fail(e.message, e))));
      await fs.chmod(next, mode).catch(() => undefined);
      st = await fs.lstat(next);
    }
    if (st.isSymbolicLink()) {
      const real = await fs.realpath(next).catch((e: Error) => Promise.reject(fail(e.message, e)));
      if (!isInside(root, real)) throw fail('it leads out of the volume');
      cur = real;
    } else {
      cur = next;
    }
  }
  if (!isInside(root, cur)) throw fail('it leads out of the volume');
  return cur;
}

export async function containerMounts(pod: Pod, container: Container, volumes: ReadonlyMap<string, PreparedVolume>, opts: MountOptions = {}): Promise<Mount[]> {
  const base = containerField(pod, container);
  const out: Mount[] = [];
  const seen = new Set<string>();
  for (const [i, m] of listAt(container.volumeMounts, `${base}.volumeMounts`).entries()) {
    const field = `${base}.volumeMounts[${i}]`;
    const volume = volumes.get(m.name);
    if (!volume) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${container.name}"`, `${field}.name`);
    if (typeof m.mountPath !== 'string' || !path.posix.isAbsolute(m.mountPath) || m.mountPath.split('/').includes('..')) {
      throw new ContainerConfigError(`${field}.mountPath must be an absolute path without '..'`, `${field}.mountPath`);
    }
    const containerPath = path.posix.normalize(m.mountPath).replace(/\/+$/, '');
    if (containerPath === '') throw new ContainerConfigError(`${field}.mountPath must not be the container's root`, `${field}.mountPath`);
    if (seen.has(containerPath)) throw new ContainerConfigError(`${field}.mountPath ${containerPath} is mounted twice`, `${field}.mountPath`);
    seen.add(containerPath);
    const propagation = propagationOf(m, container, field);
    const sub = subPathOf(m, opts.envs ?? [], field);
    const hostPath = sub ? await resolveSubPath(volume.hostPath, sub, `volumeMount "${m.name}" of container "${container.name}"`, field) : volume.hostPath;
    out.push({ containerPath, hostPath, readonly: m.readOnly === true || volume.readOnly, propagation });
  }
  return out;
}
