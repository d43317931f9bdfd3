// A pod sandbox: a pinned network namespace wired by CNI, the pod's /etc files and shared
// /dev/shm, and a pause process (a runc container under conmon) that holds the pod's UTS,
// IPC and PID namespaces for the containers to join. Teardown undoes each piece on its
// own, so it can resume after a crash at any point.

import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError } from '../../common/errors.js';
import type { PodSandboxConfig } from '../cri/types.js';
import { writeFileAtomic } from '../../common/atomicFile.js';
import type { RuntimeContext } from './context.js';
import { removeContainer, stopContainer } from './containerOps.js';
import { hostsFile, resolvConf } from './etcFiles.js';
import { newId } from './layout.js';
import { isMountPoint, mountTmpfs, unmountAll } from './mounts.js';
import { createNetns, removeNetns } from './netns.js';
import { recordVersion, type SandboxRecord } from './records.js';
import { buildPauseSpec } from './specBuilder.js';
import { conmonCreate, exitOf, forgetConmonFiles, terminate } from './supervise.js';

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/i;

export function validateSandboxConfig(c: PodSandboxConfig): void {
  const m = c.metadata;
  if (!m?.name || !m.uid || !m.namespace) throw new BadRequestError('sandbox metadata needs name, uid and namespace');
  if (!path.isAbsolute(c.logDirectory ?? '')) throw new BadRequestError(`logDirectory ${JSON.stringify(c.logDirectory)} must be an absolute path`);
  const hostname = c.hostname || m.name;
  if (!dnsLabel.test(hostname)) throw new BadRequestError(`hostname ${JSON.stringify(hostname)} is not a valid DNS label`);
  const parent = c.linux?.cgroupParent;
  if (parent !== undefined && (parent === '' || parent.split('/').some((p) => p === '..' || p === '.'))) throw new BadRequestError(`cgroupParent ${JSON.stringify(parent)} is invalid`);
  for (const p of c.portMappings ?? []) {
    const ok = (n: number): boolean => Number.isInteger(n) && n > 0 && n < 65536;
    if (!ok(p.containerPort) || !ok(p.hostPort)) throw new BadRequestError(`invalid port mapping ${JSON.stringify(p)}`);
  }
  const hostNetwork = c.linux?.securityContext?.namespaceOptions?.network === 'NODE';
  for (const key of Object.keys(c.linux?.sysctls ?? {})) {
    if (!/^[a-z0-9_.\-/]+$/.test(key)) throw new BadRequestError(`invalid sysctl ${JSON.stringify(key)}`);
    // Applied in the pod's namespaces; with the node's network they would change the node.
    if (hostNetwork && key.startsWith('net.')) throw new BadRequestError(`sysctl ${key} is not allowed with the node's network`);
  }
}

/** The pause process's root: a static busybox, made once per runtime root. */
export function ensurePauseRootfs(ctx: RuntimeContext): string {
  const rootfs = ctx.layout.pauseRootfs;
  const bin = path.join(rootfs, 'bin', 'busybox');
  if (!existsSync(bin)) {
    for (const d of ['bin', 'proc', 'dev', 'etc']) mkdirSync(path.join(rootfs, d), { recursive: true, mode: 0o755 });
    const tmp = `${bin}.tmp`;
    copyFileSync(ctx.opts.pauseBinary, tmp);
    chmodSync(tmp, 0o755);
    // Rename makes the copy appear whole; a crash mid-copy leaves only the .tmp.
    renameSync(tmp, bin);
  }
  return rootfs;
}

export const pauseArgs = ['/bin/busybox', 'sleep', '2147483647'];

export async function runPodSandbox(ctx: RuntimeContext, config: PodSandboxConfig): Promise<string> {
  validateSandboxConfig(config);
  const L = ctx.layout;
  const id = newId();
  const ns = config.linux?.securityContext?.namespaceOptions ?? {};
  const hostname = config.hostname || config.metadata.name;
  const podCgroup = path.posix.join(ctx.opts.cgroupRoot, config.linux?.cgroupParent ?? `pod${config.metadata.uid}`);
  const etcDir = L.sandboxEtc(id);
  const record: SandboxRecord = {
    kind: 'sandbox',
    version: recordVersion,
    id,
    config,
    createdAt: ctx.clock.now(),
    state: 'notready',
    podCgroup,
    cgroupsPath: `${podCgroup}/${id}`,
    etc: { hosts: path.join(etcDir, 'hosts'), resolvConf: path.join(etcDir, 'resolv.conf'), hostname: path.join(etcDir, 'hostname') },
  };
  ctx.sandboxes.set(id, record);
  try {
    await fs.mkdir(etcDir, { recursive: true, mode: 0o755 });
    await fs.mkdir(L.sandboxBundle(id), { recursive: true, mode: 0o700 });
    await ctx.store.saveSandbox(record);
    if (ns.network !== 'NODE') {
      record.netnsPath = L.netns(id);
      await ctx.store.saveSandbox(record);
      await createNetns(record.netnsPath);
      record.network = await ctx.cni.add(id, record.netnsPath, config.metadata, config.portMappings ?? []);
      await ctx.store.saveSandbox(record);
    }
    await fs.writeFile(record.etc.hostname, hostname + '\n', { mode: 0o644 });
    await fs.writeFile(record.etc.hosts, hostsFile(hostname, record.network?.ip, config.hosts), { mode: 0o644 });
    await fs.writeFile(record.etc.resolvConf, resolvConf(config.dnsConfig, ctx.opts.hostResolvConf), { mode: 0o644 });
    await fs.mkdir(config.logDirectory, { recursive: true });
    if (ns.ipc !== 'NODE') {
      record.shmPath = L.sandboxShm(id);
      await fs.mkdir(record.shmPath, { recursive: true, mode: 0o755 });
      await ctx.store.saveSandbox(record);
      await mountTmpfs(record.shmPath, ctx.opts.shmSizeBytes);
    }
    const spec = buildPauseSpec({
      hostname,
      ...(record.netnsPath ? { netnsPath: record.netnsPath } : {}),
      namespaceOptions: ns,
      rootfs: ensurePauseRootfs(ctx),
      args: pauseArgs,
      cgroupsPath: record.cgroupsPath,
      sysctls: config.linux?.sysctls ?? {},
      cgroupNamespace: ctx.cgroups.version === 2,
    });
    await writeFileAtomic(path.join(L.sandboxBundle(id), 'config.json'), JSON.stringify(spec));
    record.pausePid = await conmonCreate(ctx, { id, name: `${config.metadata.namespace}_${config.metadata.name}_pause`, bundle: L.sandboxBundle(id), persistDir: L.sandboxPersist(id) });
    await ctx.runc.start(id);
    record.state = 'ready';
    await ctx.store.saveSandbox(record);
    return id;
  } catch (e) {
    await teardownSandbox(ctx, record).catch((te: Error) => ctx.log.warn('sandbox rollback incomplete', { sandbox: id, error: te.message }));
    await fs.rm(L.sandboxDir(id), { recursive: true, force: true }).catch(() => undefined);
    ctx.sandboxes.delete(id);
    throw e;
  }
}

/** Is the pause process still there? */
export async function pauseRunning(ctx: RuntimeContext, s: SandboxRecord): Promise<boolean> {
  if (!s.pausePid) return false;
  return !(await exitOf(ctx, s.id, ctx.layout.sandboxPersist(s.id)));
}

/** Stops the pod's containers and pause process, releases its address and namespace. */
export async function stopPodSandbox(ctx: RuntimeContext, s: SandboxRecord): Promise<void> {
  for (const c of [...ctx.containers.values()].filter((c) => c.sandboxId === s.id)) {
    await ctx.locks.with(c.id, () => stopContainer(ctx, c, 0));
  }
  await teardownSandbox(ctx, s);
  s.state = 'notready';
  await ctx.store.saveSandbox(s);
}

/**
 * Undoes whatever of the sandbox exists: pause process, CNI attachment (DEL while the
 * namespace still exists, so the plugins can remove the veth and its rules), netns pin,
 * shm mount. Each step is skipped when already done.
 */
export async function teardownSandbox(ctx: RuntimeContext, s: SandboxRecord): Promise<void> {
  const L = ctx.layout;
  if (s.pausePid && (await pauseRunning(ctx, s))) {
    await terminate(ctx, s.id, L.sandboxPersist(s.id), 0);
  }
  if (s.netnsPath) {
    const pinned = await isMountPoint(s.netnsPath);
    if (s.network || pinned) {
      // Without the namespace the plugins can still release the address (they skip the rest).
      await ctx.cni.del(s.id, pinned ? s.netnsPath : '', s.config.metadata, s.network);
      delete s.network;
      await ctx.store.saveSandbox(s).catch(() => undefined);
    }
    await removeNetns(s.netnsPath);
  }
  if (s.shmPath) await unmountAll(s.shmPath);
}

export async function removePodSandbox(ctx: RuntimeContext, s: SandboxRecord): Promise<void> {
  for (const c of [...ctx.containers.values()].filter((c) => c.sandboxId === s.id)) {
    await ctx.locks.with(c.id, () => removeContainer(ctx, c));
  }
  await teardownSandbox(ctx, s);
  await ctx.runc.delete(s.id);
  await forgetConmonFiles(ctx, s.id);
  const left = await ctx.cgroups.remove(s.cgroupsPath);
  // Another sandbox of the same pod (a new attempt) may still live in the pod's cgroup.
  const shared = [...ctx.sandboxes.values()].some((o) => o.id !== s.id && o.podCgroup === s.podCgroup);
  if (!shared) left.push(...(await ctx.cgroups.remove(s.podCgroup)));
  if (left.length) ctx.log.warn('cgroup not removed', { sandbox: s.id, cgroups: left });
  await fs.rm(ctx.layout.sandboxDir(s.id), { recursive: true, force: true });
  ctx.sandboxes.delete(s.id);
}
