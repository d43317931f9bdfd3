// The pod a job creates: its template's labels, annotations and spec, a generated name
// `<job>-` (`<job>-<index>-` for Indexed jobs), the job's controller reference and the
// tracking finalizer that keeps the pod until its result is in the job's status. An Indexed
// pod also carries its index (annotation and label), JOB_COMPLETION_INDEX read from that
// annotation, and the hostname `<job>-<index>`.

import { controllerRef } from '../../common/api/ownerRefs.js';
import { completionIndexEnv, completionIndexKey, jobKind, trackingFinalizer, type Job, type Pod } from './types.js';

/** Kubernetes truncates the job name so the generated name still fits (63 characters). */
const maxGenerateNamePrefix = 58;

function generateName(jobName: string, index: number | undefined): string {
  const appendix = index === undefined ? '-' : `-${index}-`;
  return jobName.length + appendix.length > maxGenerateNamePrefix ? jobName.slice(0, maxGenerateNamePrefix - appendix.length) + appendix : jobName + appendix;
}

type Container = { env?: { name: string; [k: string]: unknown }[]; [k: string]: unknown };

function addIndexEnv(containers: unknown): void {
  if (!Array.isArray(containers)) return;
  for (const c of containers as Container[]) {
    if (c.env?.some((e) => e.name === completionIndexEnv)) continue;
    c.env = [...(c.env ?? []), { name: completionIndexEnv, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${completionIndexKey}']` } } }];
  }
}

export function podForJob(job: Job, index?: number): Pod {
  const t = job.spec?.template ?? {};
  const tm = t.metadata ?? {};
  const name = job.metadata.name ?? '';
  const labels: Record<string, string> = { ...(tm.labels ?? {}) };
  const annotations: Record<string, string> = { ...(tm.annotations ?? {}) };
  const spec = structuredClone(t.spec ?? {});
  if (index !== undefined) {
    labels[completionIndexKey] = String(index);
    annotations[completionIndexKey] = String(index);
    if (typeof spec.hostname !== 'string' || spec.hostname === '') spec.hostname = `${name}-${index}`;
    addIndexEnv(spec.initContainers);
    addIndexEnv(spec.containers);
  }
  const metadata: Pod['metadata'] = {
    generateName: generateName(name, index),
    namespace: job.metadata.namespace,
    labels,
    finalizers: [...(tm.finalizers ?? []).filter((f) => f !== trackingFinalizer), trackingFinalizer],
    ownerReferences: [controllerRef(job, jobKind.apiVersion, jobKind.kind)],
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
