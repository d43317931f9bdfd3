// emptyDir volumes: a directory of the pod's own, 0777 like the kubelet's so any container
// user can write to it. `medium: Memory` puts a tmpfs there, sized as the kubelet sizes it:
// the smallest of the volume's sizeLimit, the pod's memory limit (when every container has
// one) and the node's allocatable memory, so a pod cannot pin more RAM than it may use.

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Quantity } from '../../common/quantity.js';
import { listMounts } from '../runtime/mounts.js';
import { VolumeError } from './errors.js';
import { effectiveResources, quantityAt } from './quantities.js';
import type { Pod, ResourceList, Volume } from './types.js';

const execFileAsync = promisify(execFile);

/** The pod's memory limit as the kubelet sizes its cgroup; undefined when some container has none. */
export function podMemoryLimit(pod: Pod): bigint | undefined {
  let regular = 0n;
  let initMax = 0n;
  for (const [i, c] of pod.spec.containers.entries()) {
    const lim = effectiveResources(c, `spec.containers[${i}]`).limits.get('memory');
    if (!lim || lim.sign() <= 0) return undefined;
    regular += lim.value();
  }
  for (const [i, c] of (pod.spec.initContainers ?? []).entries()) {
    const lim = effectiveResources(c, `spec.initContainers[${i}]`).limits.get('memory')?.value() ?? 0n;
    // Sidecars run beside the main containers; other init containers run one at a time before them.
    if (c.restartPolicy === 'Always') regular += lim;
    else if (lim > initMax) initMax = lim;
  }
  return regular > initMax ? regular : initMax;
}

/** tmpfs size in bytes, or undefined for the kernel's default (half of RAM). */
export function memoryVolumeSize(pod: Pod, volume: Volume, allocatable: ResourceList, field: string): bigint | undefined {
  const candidates: bigint[] = [];
  const limit = volume.emptyDir?.sizeLimit;
  if (limit !== undefined && limit !== null) {
    const q: Quantity = quantityAt(limit, `${field}.emptyDir.sizeLimit`);
    if (q.sign() > 0) candidates.push(q.value());
  }
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0n) candidates.push(podLimit);
  if (allocatable.memory !== undefined) {
    const node = quantityAt(allocatable.memory, 'node allocatable memory').value();
    if (node > 0n) candidates.push(node);
  }
  if (candidates.length === 0) return undefined;
  return candidates.reduce((a, b) => (b < a ? b : a));
}

async function isMountPoint(dir: string): Promise<boolean> {
  return (await listMounts()).some((m) => m.mountPoint === dir);
}

/** Makes the volume's directory (already created, 0777) a tmpfs unless it already is one. */
export async function mountMemoryVolume(dir: string, sizeBytes: bigint | undefined, field: string): Promise<void> {
  if (await isMountPoint(dir)) return;
  const options = ['nosuid', 'nodev', 'mode=0777', ...(sizeBytes !== undefined ? [`size=${sizeBytes}`] : [])].join(',');
  try {
    await execFileAsync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw new VolumeError(`cannot mount a tmpfs for ${field}: ${stderr || (e as Error).message}`, field, { cause: e });
  }
  // The tmpfs root starts with the mode option, but make sure of it whatever mount did.
  await fs.chmod(dir, 0o777);
}

export function checkMedium(volume: Volume, field: string): 'disk' | 'memory' {
  const medium = volume.emptyDir?.medium ?? '';
  if (medium === '') return 'disk';
  if (medium === 'Memory') return 'memory';
  throw new VolumeError(`${field}.emptyDir.medium ${JSON.stringify(medium)} is not supported (use "" or "Memory")`, `${field}.emptyDir.medium`);
}
