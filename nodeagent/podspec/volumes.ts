// A pod's volumes on the node, under `<podDir>/volumes/<kind>/<name>`:
//
//   empty-dir/<name>     emptyDir (a tmpfs for medium: Memory)
//   configmap/<name>     configMap, written atomically (see atomicWriter.ts)
//   secret/<name>        secret, likewise; `secret/` itself is 0700, so only root on the
//                        node can reach the files (0644 by default, as in Kubernetes, so any
//                        user inside the container can read them)
//   downward-api/<name>  downwardAPI
//   projected/<name>     projected configMap/secret/downwardAPI sources
//
// hostPath volumes are the node's own paths and are only checked; persistentVolumeClaim
// volumes resolve to their PersistentVolume's path on the node (see persistentVolume.ts),
// once per pod: like the kubelet's volume manager, a volume mounted for a pod stays as it
// was resolved (a claim deleted later does not stop the pod's next container). prepareVolumes is
// idempotent: running it again refreshes ConfigMap, Secret and downward API content in
// place (atomically for readers). Callers serialize calls per pod.

import fs from 'node:fs/promises';
import path from 'node:path';
import { listMounts, unmountAll } from '../runtime/mounts.js';
import { PayloadError, writeAtomically, type Payload } from './atomicWriter.js';
import { checkMedium, memoryVolumeSize, mountMemoryVolume } from './emptyDir.js';
import { PodSpecError, VolumeError } from './errors.js';
import { prepareHostPath } from './hostPath.js';
import { resolveClaim, type PersistentVolumeSources } from './persistentVolume.js';
import { configMapPayload, defaultFileMode, downwardApiPayload, modeAt, secretPayload } from './projection.js';
import { ensureRealDir, isInside, UnsafePathError } from './paths.js';
import type { ObjectSources } from './sources.js';
import { listAt, type Pod, type ResourceList, type Volume } from './types.js';

export interface VolumeSources extends ObjectSources {
  /** The node's allocatable resources: downward API limits default to them; they cap memory volumes. */
  nodeAllocatable: ResourceList;
  /** Claims and PersistentVolumes; without them persistentVolumeClaim volumes fail to mount. */
  persistentVolumes?: PersistentVolumeSources;
  /** What an earlier call prepared for this pod: resolved claims are kept, not looked up again. */
  previous?: ReadonlyMap<string, PreparedVolume>;
  /**
   * The pod already runs here (its sandbox exists): its claims were checked when it started,
   * so a claim deleted since (held by pvc-protection while the pod uses it) does not stop
   * its next container, also after an agent restart.
   */
  podStarted?: boolean;
}

export interface PreparedVolume {
  /** The directory (or, for some hostPaths, file) to bind-mount. */
  hostPath: string;
  /** Kubernetes mounts ConfigMap, Secret, downward API and projected volumes read-only, whatever the mount asks. */
  readOnly: boolean;
  /** For a persistentVolumeClaim volume: the claim and the PersistentVolume it resolved to. */
  claim?: { claimName: string; volumeName: string };
}

const supportedTypes = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim'] as const;
type VolumeType = (typeof supportedTypes)[number];

const kindDirs: Record<Exclude<VolumeType, 'hostPath' | 'persistentVolumeClaim'>, string> = {
  emptyDir: 'empty-dir',
  configMap: 'configmap',
  secret: 'secret',
  downwardAPI: 'downward-api',
  projected: 'projected',
};

const volumeName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The one source a volume names; a volume with none is an emptyDir, as API defaulting makes it. */
export function volumeType(v: Volume, field: string): VolumeType {
  const named = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  if (named.length === 0) return 'emptyDir';
  if (named.length > 1) throw new VolumeError(`${field} may name only one volume type, not ${named.join(', ')}`, field);
  const t = named[0]!;
  if (!(supportedTypes as readonly string[]).includes(t)) throw new VolumeError(`${field}: volume type ${t} is not supported (supported: ${supportedTypes.join(', ')})`, field);
  return t as VolumeType;
}

function volumesRoot(podDir: string): string {
  return path.join(path.resolve(podDir), 'volumes');
}

async function volumeDir(podDir: string, kind: string, name: string, field: string): Promise<string> {
  try {
    await ensureRealDir(path.resolve(podDir), 'volumes', 0o750);
    // Secrets' parent is root's alone; the other kinds hold nothing secret.
    await ensureRealDir(volumesRoot(podDir), kind, kind === 'secret' ? 0o700 : 0o750);
    return await ensureRealDir(path.join(volumesRoot(podDir), kind), name, kind === 'empty-dir' ? 0o777 : 0o755);
  } catch (e) {
    if (e instanceof UnsafePathError) throw new VolumeError(`${field}: ${e.message}`, field, { cause: e });
    throw e;
  }
}

async function writePayload(dir: string, payload: Payload, field: string): Promise<void> {
  try {
    await writeAtomically(dir, payload);
  } catch (e) {
    if (e instanceof PayloadError) throw new VolumeError(`${field}: ${e.message}`, field, { cause: e });
    throw e;
  }
}

async function projectedPayload(pod: Pod, v: Volume, sources: VolumeSources, field: string): Promise<Payload> {
  const src = v.projected ?? {};
  const defaultMode = modeAt(src.defaultMode, defaultFileMode, `${field}.projected.defaultMode`);
  const out: Payload = new Map();
  for (const [i, s] of listAt(src.sources, `${field}.projected.sources`).entries()) {
    const f = `${field}.projected.sources[${i}]`;
    let part: Payload;
    if (s.configMap) part = await configMapPayload(pod, s.configMap, defaultMode, sources, `${f}.configMap`);
    else if (s.secret) part = await secretPayload(pod, s.secret, defaultMode, sources, `${f}.secret`);
    else if (s.downwardAPI) part = downwardApiPayload(pod, s.downwardAPI.items, defaultMode, sources.nodeAllocatable, `${f}.downwardAPI`);
    else throw new VolumeError(`${f}: only configMap, secret and downwardAPI projections are supported`, f);
    for (const [p, file] of part) out.set(p, file);
  }
  return out;
}

async function prepareOne(pod: Pod, v: Volume, podDir: string, sources: VolumeSources, field: string): Promise<PreparedVolume> {
  const type = volumeType(v, field);
  if (type === 'hostPath') return { hostPath: await prepareHostPath(v.hostPath ?? {}, `${field}.hostPath`), readOnly: false };
  if (type === 'persistentVolumeClaim') {
    const before = sources.previous?.get(v.name);
    const claimName = (v.persistentVolumeClaim as { claimName?: unknown } | undefined)?.claimName;
    if (before?.claim && before.claim.claimName === claimName) return before;
    const r = await resolveClaim(pod, v, sources.persistentVolumes, field, { podStarted: sources.podStarted === true });
    return { hostPath: r.hostPath, readOnly: r.readOnly, claim: { claimName: r.claimName, volumeName: r.volumeName } };
  }
  const dir = await volumeDir(podDir, kindDirs[type], v.name, field);
  switch (type) {
    case 'emptyDir':
      if (checkMedium(v, field) === 'memory') await mountMemoryVolume(dir, memoryVolumeSize(pod, v, sources.nodeAllocatable, field), field);
      return { hostPath: dir, readOnly: false };
    case 'configMap': {
      const src = v.configMap ?? {};
      const mode = modeAt(src.defaultMode, defaultFileMode, `${field}.configMap.defaultMode`);
      await writePayload(dir, await configMapPayload(pod, src, mode, sources, `${field}.configMap`), field);
      break;
    }
    case 'secret': {
      const src = v.secret ?? {};
      const mode = modeAt(src.defaultMode, defaultFileMode, `${field}.secret.defaultMode`);
      const payload = await secretPayload(pod, { ...src, name: src.secretName }, mode, sources, `${field}.secret`, `${field}.secret.secretName`);
      await writePayload(dir, payload, field);
      break;
    }
    case 'downwardAPI': {
      const src = v.downwardAPI ?? {};
      const mode = modeAt(src.defaultMode, defaultFileMode, `${field}.downwardAPI.defaultMode`);
      await writePayload(dir, downwardApiPayload(pod, src.items, mode, sources.nodeAllocatable, `${field}.downwardAPI`), field);
      break;
    }
    case 'projected':
      await writePayload(dir, await projectedPayload(pod, v, sources, field), field);
      break;
  }
  return { hostPath: dir, readOnly: true };
}

/** Sets up every volume of the pod; returns where each one is on the node, by volume name. */
export async function prepareVolumes(pod: Pod, podDir: string, sources: VolumeSources): Promise<Map<string, PreparedVolume>> {
  if (!path.isAbsolute(podDir)) throw new RangeError(`podDir ${JSON.stringify(podDir)} must be absolute`);
  const out = new Map<string, PreparedVolume>();
  for (const [i, v] of listAt(pod.spec.volumes, 'spec.volumes').entries()) {
    const field = `spec.volumes[${i}]`;
    if (!volumeName.test(v.name)) throw new PodSpecError(`${field}.name ${JSON.stringify(v.name)} must be a DNS label`, `${field}.name`);
    if (out.has(v.name)) throw new PodSpecError(`${field}.name ${JSON.stringify(v.name)} is a duplicate`, `${field}.name`);
    out.set(v.name, await prepareOne(pod, v, podDir, sources, field));
  }
  return out;
}

/**
 * Removes `<podDir>/volumes`: unmounts what is mounted below it (deepest first), then
 * deletes the files. Refuses to delete while anything is still mounted there, so a failed
 * unmount can never turn into deleting a mounted filesystem's content.
 */
export async function cleanupVolumes(podDir: string): Promise<void> {
  const root = volumesRoot(podDir);
  const below = async (): Promise<string[]> =>
    (await listMounts())
      .map((m) => m.mountPoint)
      .filter((p) => isInside(root, p))
      .sort((a, b) => b.split('/').length - a.split('/').length);
  for (const mountPoint of await below()) await unmountAll(mountPoint);
  const left = await below();
  if (left.length) throw new VolumeError(`cannot remove the pod's volumes: still mounted: ${left.join(', ')}`);
  await fs.rm(root, { recursive: true, force: true });
}
