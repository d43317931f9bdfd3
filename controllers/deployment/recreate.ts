// Recreate: every old pod is gone before the first new one is created, so two versions never
// run side by side. "Gone" counts pods still terminating (they may still serve); pods that
// finished (Succeeded, Failed) no longer run.

import { controllerOf } from '../../common/api/ownerRefs.js';
import { actualReplicas } from './replicaSets.js';
import type { Pod, ReplicaSet } from './types.js';

/** Whether any pod of an old ReplicaSet may still be running. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], pods: readonly Pod[]): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid).filter((u): u is string => !!u));
  return pods.some((p) => {
    const owner = controllerOf(p)?.uid;
    if (!owner || !oldUids.has(owner) || owner === newRS?.metadata.uid) return false;
    const phase = p.status?.phase;
    return phase !== 'Succeeded' && phase !== 'Failed';
  });
}
