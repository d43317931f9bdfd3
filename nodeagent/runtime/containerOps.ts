// A container's life: overlay root and spec, conmon + runc create, runc start, its state as
// conmon's files tell it, stop with a grace period, and removal of every piece it had.

import fs from 'node:fs/promises';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { AlreadyExistsError, BadRequestError, ConflictError } from '../../common/errors.js';
import type { ContainerConfig } from '../cri/types.js';
import type { RuntimeContext } from './context.js';
import { newId } from './layout.js';
import { mountOverlay, unmountAll } from './mounts.js';
import { readAccountFiles, resolveUser } from './processConfig.js';
import type { ContainerRecord, SandboxRecord } from './records.js';
import { recordVersion } from './records.js';
import { buildContainerSpec, type SandboxView } from './specBuilder.js';
import { readPidFile } from './conmon.js';
import { hostDevices } from './hostDevices.js';
import { conmonCreate, exitOf, forgetConmonFiles, terminate, waitForExit } from './supervise.js';

function relativeInside(p: string, what: string): string {
  const norm = path.posix.normalize(p);
  if (!p || path.isAbsolute(p) || norm.startsWith('..') || norm.split('/').includes('..')) throw new BadRequestError(`${what} ${JSON.stringify(p)} must be a relative path inside the pod's log directory`);
  return norm;
}

export function validateContainerConfig(config: ContainerConfig): void {
  if (!config.metadata?.name) throw new BadRequestError('container metadata.name is required');
  if (!config.image?.image) throw new BadRequestError('container image is required');
  relativeInside(config.logPath, 'logPath');
}

export function sandboxView(ctx: RuntimeContext, s: SandboxRecord): SandboxView {
  if (!s.pausePid) throw new ConflictError({ resource: 'podsandboxes', name: s.id }, 'the sandbox has no running pause process');
  const v: SandboxView = {
    id: s.id,
    hostname: s.config.hostname || s.config.metadata.name,
    pausePid: s.pausePid,
    namespaceOptions: s.config.linux?.securityContext?.namespaceOptions ?? {},
    etc: s.etc,
  };
  if (s.netnsPath) v.netnsPath = s.netnsPath;
  if (s.shmPath) v.shmPath = s.shmPath;
  return v;
}

export async function createContainer(ctx: RuntimeContext, sandbox: SandboxRecord, config: ContainerConfig): Promise<string> {
  validateContainerConfig(config);
  // Checked and reserved without an await in between: concurrent creates see each other.
  const nameKey = `${sandbox.id}/${config.metadata.name}/${config.metadata.attempt}`;
  const taken = [...ctx.containers.values()].some((c) => c.sandboxId === sandbox.id && c.config.metadata.name === config.metadata.name && c.config.metadata.attempt === config.metadata.attempt);
  if (taken || ctx.reservedNames.has(nameKey)) throw new AlreadyExistsError({ resource: 'containers', name: `${config.metadata.name} (attempt ${config.metadata.attempt})` });
  ctx.reservedNames.add(nameKey);
  try {
    return await createReserved(ctx, sandbox, config);
  } finally {
    ctx.reservedNames.delete(nameKey);
  }
}

async function createReserved(ctx: RuntimeContext, sandbox: SandboxRecord, config: ContainerConfig): Promise<string> {
  const view = sandboxView(ctx, sandbox);
  const image = await ctx.opts.imageLayers.resolve(config.image.image);
  const id = newId();
  const L = ctx.layout;
  const rootfs = L.containerRootfs(id);
  const logPath = path.join(sandbox.config.logDirectory, relativeInside(config.logPath, 'logPath'));
  const cgroupsPath = `${sandbox.podCgroup}/${id}`;
  let mounted = false;
  const record: ContainerRecord = {
    kind: 'container',
    version: recordVersion,
    id,
    sandboxId: sandbox.id,
    config,
    imageRef: image.imageId,
    createdAt: ctx.clock.now(),
    state: 'created',
    logPath,
    cgroupsPath,
  };
  try {
    // The record goes to disk first: whatever happens next, it owns the pieces.
    await ctx.store.saveContainer(record);
    ctx.containers.set(id, record);
    await Promise.all([
      (async () => {
        await fs.mkdir(rootfs, { recursive: true, mode: 0o700 });
        await Promise.all([fs.mkdir(L.containerUpper(id), { mode: 0o755 }), fs.mkdir(L.containerWork(id), { mode: 0o700 })]);
        await mountOverlay(image.layerDirs, L.containerUpper(id), L.containerWork(id), rootfs);
        mounted = true;
      })(),
      // Writable by whatever user the container runs as (the umask would take that away).
      fs.writeFile(L.terminationLog(id), '').then(() => fs.chmod(L.terminationLog(id), 0o666)),
      fs.mkdir(path.dirname(logPath), { recursive: true }),
    ]);
    const user = resolveUser(config.linux?.securityContext, image.config.user, readAccountFiles(rootfs));
    const spec = buildContainerSpec({
      config,
      sandbox: view,
      image: image.config,
      rootfs,
      cgroupsPath,
      terminationLogPath: L.terminationLog(id),
      user,
      boundingSet: ctx.boundingSet,
      cgroupNamespace: ctx.cgroups.version === 2,
      oomScoreAdjFloor: ctx.oomScoreAdjFloor,
      ...(config.linux?.securityContext?.privileged ? { hostDevices: hostDevices() } : {}),
    });
    // Not atomic on purpose: until conmon runs, a torn bundle is only an unused directory of a record.
    await fs.writeFile(path.join(L.containerBundle(id), 'config.json'), JSON.stringify(spec), { mode: 0o600 });
    // The pid is not saved: conmon's pid file (persist/container.pid) keeps it for a restart.
    record.pid = await conmonCreate(ctx, { id, name: `${sandbox.config.metadata.name}_${config.metadata.name}`, bundle: L.containerBundle(id), persistDir: L.containerPersist(id), logPath, terminal: config.tty === true, stdin: config.stdin === true, leaveStdinOpen: config.stdinOnce !== true });
    // The sandbox was stopped meanwhile: its stop did not see this container, so it goes now.
    if (sandbox.state !== 'ready' || !ctx.sandboxes.has(sandbox.id)) {
      throw new ConflictError({ resource: 'podsandboxes', name: sandbox.id }, 'the sandbox stopped while the container was being created');
    }
    return id;
  } catch (e) {
    ctx.containers.delete(id);
    await ctx.runc.delete(id).catch(() => undefined);
    // conmon (if it got that far) writes the exit file once runc's process is gone; let it, then remove it.
    if (record.pid) await waitForExit(ctx, id, L.containerPersist(id), 2000).catch(() => undefined);
    if (mounted) await unmountAll(rootfs).catch(() => undefined);
    await ctx.cgroups.remove(cgroupsPath).catch(() => undefined);
    await forgetConmonFiles(ctx, id).catch(() => undefined);
    await fs.rm(L.containerDir(id), { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

export async function startContainer(ctx: RuntimeContext, rec: ContainerRecord): Promise<void> {
  await refreshContainer(ctx, rec);
  if (rec.state !== 'created') throw new ConflictError({ resource: 'containers', name: rec.id }, `the container is ${rec.state}, not created`);
  try {
    await ctx.runc.start(rec.id);
  } catch (e) {
    // The process could not run; conmon records its end. The container is exited, not half-started.
    await terminate(ctx, rec.id, ctx.layout.containerPersist(rec.id), 0).catch(() => undefined);
    rec.state = 'exited';
    rec.finishedAt = ctx.clock.now();
    rec.exitCode = rec.exitCode ?? 128;
    rec.reason = 'StartError';
    rec.message = (e as Error).message;
    await ctx.store.saveContainer(rec);
    throw e;
  }
  rec.startedAt = ctx.clock.now();
  rec.state = 'running';
  await ctx.store.saveContainer(rec);
}

/** A status read racing with a removal must not write the removed container's record back. */
async function saveIfOwned(ctx: RuntimeContext, rec: ContainerRecord): Promise<void> {
  if (ctx.containers.get(rec.id) === rec) await ctx.store.saveContainer(rec);
}

/** A zombie is dead: a container process whose conmon died is reparented, and only reaped when its new parent gets to it. */
function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Brings `rec` up to date with conmon's files: an exit file means the process ended (with
 * OOMKilled when conmon saw the memory cgroup's OOM event). With `deep`, a container whose
 * process and monitor are both gone without a word is declared exited with an unknown code.
 */
export async function refreshContainer(ctx: RuntimeContext, rec: ContainerRecord, deep = false): Promise<ContainerRecord> {
  if (rec.state === 'exited') return rec;
  rec.pid ??= await readPidFile(path.join(ctx.layout.containerPersist(rec.id), 'container.pid'));
  const exit = await exitOf(ctx, rec.id, ctx.layout.containerPersist(rec.id));
  if (exit) {
    const oom = exit.oomKilled || (exit.exitCode === 137 && (await ctx.cgroups.oomKills(rec.cgroupsPath).catch(() => 0)) > 0);
    rec.state = 'exited';
    rec.exitCode = exit.exitCode;
    rec.finishedAt = exit.finishedAt;
    rec.reason = oom ? 'OOMKilled' : exit.exitCode === 0 ? 'Completed' : 'Error';
    await saveIfOwned(ctx, rec);
    return rec;
  }
  if (deep && !pidAlive(rec.pid)) {
    const conmonPid = await readPidFile(path.join(ctx.layout.containerPersist(rec.id), 'conmon.pid'));
    if (!pidAlive(conmonPid) && !(await exitOf(ctx, rec.id, ctx.layout.containerPersist(rec.id)))) {
      rec.state = 'exited';
      rec.exitCode = 255;
      rec.finishedAt = ctx.clock.now();
      rec.reason = 'Unknown';
      rec.message = 'the container and its monitor (conmon) are gone without an exit record';
      await saveIfOwned(ctx, rec);
    }
  }
  return rec;
}

export async function stopContainer(ctx: RuntimeContext, rec: ContainerRecord, timeoutSeconds: number): Promise<void> {
  await refreshContainer(ctx, rec);
  if (rec.state === 'exited') return;
  const exit = await terminate(ctx, rec.id, ctx.layout.containerPersist(rec.id), Math.max(0, timeoutSeconds) * 1000);
  const after = await refreshContainer(ctx, rec, true);
  if (!exit && after.state !== 'exited') throw new Error(`container ${rec.id} did not stop`);
}

/** Everything of the container goes: process, runc state, cgroup, overlay, writable layer, bundle, record. */
export async function removeContainer(ctx: RuntimeContext, rec: ContainerRecord): Promise<void> {
  const L = ctx.layout;
  await refreshContainer(ctx, rec, true);
  if (rec.state !== 'exited') await stopContainer(ctx, rec, 0);
  await ctx.runc.delete(rec.id);
  await unmountAll(L.containerRootfs(rec.id));
  const left = await ctx.cgroups.remove(rec.cgroupsPath);
  if (left.length) ctx.log.warn('cgroup not removed (processes left?)', { container: rec.id, cgroups: left });
  await forgetConmonFiles(ctx, rec.id);
  await fs.rm(L.containerDir(rec.id), { recursive: true, force: true });
  ctx.containers.delete(rec.id);
}
