// The pod a ReplicaSet creates: its template's labels, annotations, finalizers and spec,
// a generated name `<rs>-xxxxx`, and the controller reference that makes the pod its own
// (the garbage collector deletes it with the set; blockOwnerDeletion for foreground).

import { controllerRef } from '../../common/api/ownerRefs.js';
import { replicaSetKind, type Pod, type ReplicaSet } from './types.js';

/** Kubernetes truncates the prefix so the generated name still fits (63 chars). */
const maxGenerateNamePrefix = 58;

export function generateNamePrefix(rsName: string): string {
  const prefix = `${rsName}-`;
  return prefix.length > maxGenerateNamePrefix ? prefix.slice(0, maxGenerateNamePrefix) : prefix;
}

export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec?.template ?? {};
  const tm = t.metadata ?? {};
  const metadata: Pod['metadata'] = {
    generateName: generateNamePrefix(rs.metadata.name ?? ''),
    namespace: rs.metadata.namespace,
    labels: { ...(tm.labels ?? {}) },
    ownerReferences: [controllerRef(rs, replicaSetKind.apiVersion, replicaSetKind.kind)],
  };
  if (tm.annotations && Object.keys(tm.annotations).length) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers?.length) metadata.finalizers = [...tm.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(t.spec ?? {}) };
}
