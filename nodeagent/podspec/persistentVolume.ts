// persistentVolumeClaim volumes: the claim (in the pod's namespace) -> the PersistentVolume
// it is bound to -> a path on this node, checked the way the kubelet's volume manager checks
// before it mounts. Every refusal is a VolumeError (FailedMount): the pod waits in
// ContainerCreating and the sync tries again later, as the kubelet does for a claim that is
// not bound yet. Refused: a missing claim, one being deleted (for a pod not yet started
// here: a running pod keeps its claim until it ends), one not Bound, a PV that is
// missing, bound to another claim, in Block mode or whose nodeAffinity excludes this node.
//
// Sources: `local.path` must exist and be a directory, except for a volume of the
// gantry.dev/local-path provisioner lying inside this agent's local-path root, whose
// directory is made on first use (see storage/localPath.ts); `hostPath` follows the
// hostPath rules. The volume is mounted read-only when the pod's volume says readOnly or the
// PV allows only ReadOnlyMany.

import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import fs from 'node:fs/promises';
import { isObject } from '../../common/api/meta.js';
import { localPathProvisioner, provisionedByAnnotation, ensureVolumeDir, relativeInside } from '../storage/localPath.js';
import { VolumeError } from './errors.js';
import { prepareHostPath } from './hostPath.js';
import { nodeSelectorMatches, type NodeFacts } from '../../common/selectors/nodeSelector.js';
import { UnsafePathError } from './paths.js';
import type { Pod, Volume } from './types.js';

/** Where claims and volumes come from (the API, with the node's own credentials). */
export interface PersistentVolumeSources {
  /** undefined when the claim does not exist; throws for anything else (retried). */
  claim(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined>;
  volume(name: string): Promise<V1PersistentVolume | undefined>;
  /** This node's name and labels as the API holds them. */
  node(): Promise<NodeFacts>;
  /** This agent's local-path root; without it no local-path directory is ever created. */
  localPathRoot?: string;
}

export interface ResolvedClaim {
  /** The directory (or hostPath file) to bind-mount. */
  hostPath: string;
  readOnly: boolean;
  claimName: string;
  volumeName: string;
}

const writableModes = ['ReadWriteOnce', 'ReadWriteMany', 'ReadWriteOncePod'];

/** ReadOnlyMany and no mode that allows writing. */
function readOnlyVolume(pv: V1PersistentVolume): boolean {
  const modes = pv.spec?.accessModes ?? [];
  return modes.includes('ReadOnlyMany') && !modes.some((m) => writableModes.includes(m));
}

async function localDirectory(pv: V1PersistentVolume, root: string | undefined, fail: (why: string, cause?: unknown) => VolumeError): Promise<string> {
  const p = pv.spec?.local?.path;
  const name = pv.metadata?.name ?? '';
  if (typeof p !== 'string' || !p.startsWith('/') || p.split('/').includes('..')) throw fail(`PersistentVolume ${name}: spec.local.path must be an absolute path without '..'`);
  const provisioned = pv.metadata?.annotations?.[provisionedByAnnotation] === localPathProvisioner;
  if (provisioned && root !== undefined && relativeInside(root, p) !== undefined) {
    try {
      return await ensureVolumeDir(root, p);
    } catch (e) {
      if (e instanceof UnsafePathError) throw fail(`PersistentVolume ${name}: ${e.message}`, e);
      throw e;
    }
  }
  const st = await fs.stat(p).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  if (!st) throw fail(`PersistentVolume ${name}: local path ${p} does not exist`);
  if (!st.isDirectory()) throw fail(`PersistentVolume ${name}: local path ${p} is not a directory`);
  return p;
}

/** Resolves the pod's claim to a path on this node, making a local-path directory if it is missing. */
export async function resolveClaim(pod: Pod, v: Volume, sources: PersistentVolumeSources | undefined, field: string, opts: { podStarted?: boolean } = {}): Promise<ResolvedClaim> {
  const src = v.persistentVolumeClaim;
  const f = `${field}.persistentVolumeClaim`;
  if (!isObject(src) || typeof src.claimName !== 'string' || src.claimName === '') throw new VolumeError(`${f}.claimName is required`, `${f}.claimName`);
  const claimName = src.claimName;
  const ns = pod.metadata.namespace;
  const fail = (why: string, cause?: unknown): VolumeError => new VolumeError(`error processing PVC ${ns}/${claimName}: ${why}`, f, cause !== undefined ? { cause } : undefined);
  if (!sources) throw fail('persistentVolumeClaim volumes are not available on this node');

  const claim = await sources.claim(ns, claimName);
  if (!claim) throw fail(`persistentvolumeclaim "${claimName}" not found`);
  // Only a pod starting is refused: one already running keeps the claim until it ends (pvc-protection).
  if (claim.metadata?.deletionTimestamp && !opts.podStarted) throw fail('PVC is being deleted');
  const volumeName = claim.spec?.volumeName ?? '';
  if (claim.status?.phase !== 'Bound' || volumeName === '') throw fail('PVC is not bound');

  const pv = await sources.volume(volumeName);
  if (!pv) throw fail(`persistentvolume "${volumeName}" not found`);
  const ref = pv.spec?.claimRef;
  if (!ref || ref.uid !== claim.metadata?.uid || (ref.name && ref.name !== claimName) || (ref.namespace && ref.namespace !== ns)) {
    throw fail(`PersistentVolume ${volumeName} is not bound to this claim (its claimRef names ${ref ? `${ref.namespace ?? ''}/${ref.name ?? ''} uid ${ref.uid ?? ''}` : 'none'})`);
  }
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') throw fail(`PersistentVolume ${volumeName}: volumeMode ${pv.spec?.volumeMode} is not supported (only Filesystem)`);
  const required = pv.spec?.nodeAffinity?.required;
  if (required) {
    const node = await sources.node();
    if (!nodeSelectorMatches(required, node)) throw fail(`volume node affinity conflict: PersistentVolume ${volumeName} cannot be used on node ${node.name}`);
  }

  let hostPath: string;
  if (pv.spec?.local && pv.spec.hostPath) throw fail(`PersistentVolume ${volumeName} names more than one source`);
  if (pv.spec?.local) hostPath = await localDirectory(pv, sources.localPathRoot, fail);
  else if (pv.spec?.hostPath) {
    try {
      hostPath = await prepareHostPath(pv.spec.hostPath, `persistentvolume ${volumeName} spec.hostPath`);
    } catch (e) {
      if (e instanceof VolumeError) throw fail(`PersistentVolume ${volumeName}: ${e.message}`, e);
      throw e;
    }
  } else throw fail(`PersistentVolume ${volumeName}: only local and hostPath volumes are supported`);
  return { hostPath, readOnly: src.readOnly === true || readOnlyVolume(pv), claimName, volumeName };
}
