// Test builders for the Job controller's unit tests: jobs and pods shaped like wire JSON.

import { completionIndexKey, trackingFinalizer, type Job, type JobSpec, type JobStatus, type Pod } from './types.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export function makeJob(spec: JobSpec = {}, status: JobStatus = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid', resourceVersion: '10', creationTimestamp: at(T0) },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
    status,
  };
}

export interface PodOpts {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  index?: number;
  ready?: boolean;
  deleting?: boolean;
  finalizer?: boolean;
  restarts?: number;
  /** ms after T0 the containers finished. */
  finishedAt?: number;
  createdAt?: number;
}

let seq = 0;
export function makePod(opts: PodOpts = {}): Pod {
  const n = seq++;
  const phase = opts.phase ?? 'Running';
  const finished = phase === 'Succeeded' || phase === 'Failed';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pi-${n}`,
      namespace: 'ns',
      uid: `pod-${n}`,
      creationTimestamp: at(T0 + (opts.createdAt ?? n)),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true }],
      ...(opts.finalizer === false ? {} : { finalizers: [trackingFinalizer] }),
      ...(opts.index === undefined ? {} : { annotations: { [completionIndexKey]: String(opts.index) }, labels: { [completionIndexKey]: String(opts.index) } }),
      ...(opts.deleting ? { deletionTimestamp: at(T0 + 1000) } : {}),
    },
    spec: { restartPolicy: 'Never' },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: opts.ready && !finished ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'c',
          restartCount: opts.restarts ?? 0,
          ...(finished ? { state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: at(T0 + (opts.finishedAt ?? 0)) } } } : {}),
        },
      ],
    },
  };
}
