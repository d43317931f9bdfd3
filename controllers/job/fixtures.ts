// Test builders for the Job controller's unit tests: jobs and pods shaped like wire JSON.

import { completionIndexKey, trackingFinalizer, type ContainerStatus, type Job, type JobSpec, type JobStatus, type Pod } from './types.js';

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
  /** The exit code of a finished pod's containers (default 0 for Succeeded, 1 for Failed). */
  exitCode?: number;
  /** Extra pod conditions, e.g. DisruptionTarget. */
  conditions?: { type: string; status: string }[];
  /** Containers other than the default `c`, with their exit code (undefined: still running). */
  containers?: { name: string; exitCode?: number; init?: boolean }[];
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
      conditions: [{ type: 'Ready', status: opts.ready && !finished ? 'True' : 'False' }, ...(opts.conditions ?? [])],
      containerStatuses: opts.containers
        ? opts.containers.filter((c) => !c.init).map((c) => containerStatus(c.name, c.exitCode, opts))
        : [containerStatus('c', finished ? (opts.exitCode ?? (phase === 'Succeeded' ? 0 : 1)) : undefined, opts)],
      ...(opts.containers?.some((c) => c.init) ? { initContainerStatuses: opts.containers.filter((c) => c.init).map((c) => containerStatus(c.name, c.exitCode, opts)) } : {}),
    },
  };
}

function containerStatus(name: string, exitCode: number | undefined, opts: PodOpts): ContainerStatus {
  return {
    name,
    restartCount: opts.restarts ?? 0,
    ...(exitCode !== undefined ? { state: { terminated: { exitCode, finishedAt: at(T0 + (opts.finishedAt ?? 0)) } } } : {}),
  };
}
