// `kubectl get pods`: READY, STATUS and RESTARTS are summaries computed the way
// Kubernetes' printer computes them, so users see the familiar words
// (ContainerCreating, CrashLoopBackOff, Init:0/1, Completed, Terminating, ...).

import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, nameColumn, nameOf, timeOf } from './cells.js';
import { RestartsAgo, type TemplateCell } from './timed.js';
import { column, templatePrinter, type TableRowCondition } from './types.js';

/** The reason a pod's status carries when its node stopped answering. */
const NODE_LOST = 'NodeLost';

/** READY, STATUS and RESTARTS of a pod, with RESTARTS as a count and the time of the last one. */
interface PodSummary {
  ready: string;
  status: string;
  restarts: number;
  /** Epoch ms of the most recent container termination, when one is known. */
  lastRestart: number | undefined;
}

function isSidecar(c: V1Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(pod: V1Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function lastTerminationTime(cs: V1ContainerStatus): number | undefined {
  return cs.lastState?.terminated ? timeOf(cs.lastState.terminated.finishedAt) : undefined;
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/** RESTARTS: the bare count, or the count with how long ago the last restart was (rendered when served). */
function restartsCell(s: PodSummary): TemplateCell {
  return s.restarts !== 0 && s.lastRestart !== undefined ? new RestartsAgo(s.restarts, s.lastRestart) : String(s.restarts);
}

/** Computes READY, STATUS and RESTARTS (as a count and a time) for one pod. */
function summarizePod(pod: V1Pod): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason = status.reason || phase;
  let restarts = 0;
  let sidecarRestarts = 0;
  let readyContainers = 0;
  let totalContainers = spec?.containers?.length ?? 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, V1Container>();
  for (const c of spec?.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (isSidecar(c)) totalContainers++;
  }

  // Init containers run in order: the first one that is not done explains the status.
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    if (!cs) continue;
    const sidecar = isSidecar(initContainers.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTerminationTime(cs));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTerminationTime(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
      else reason = `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${spec?.initContainers?.length ?? 0}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    // Once initialized, only sidecar restarts still count from the init phase.
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards so the first container's state has the last word, as kubectl does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      if (!cs) continue;
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTerminationTime(cs));
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose finished containers say Completed but which still runs others is not done.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp) {
    if (status.reason === NODE_LOST) reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts, lastRestart };
}

function readinessGates(pod: V1Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const satisfied = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${satisfied}/${gates.length}`;
}

function orNone(s: string | undefined): string {
  return s ? s : '<none>';
}

export const podPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Ready', 'string', 'Ready containers out of all containers.'),
    column('Status', 'string', 'Summary of the pod and container states.'),
    column('Restarts', 'string', 'Container restarts, and how long ago the last one was.'),
    ageColumn,
    column('IP', 'string', 'The pod IP address.', { priority: 1 }),
    column('Node', 'string', 'The node the pod is bound to.', { priority: 1 }),
    column('Nominated Node', 'string', 'The node the scheduler preempted for this pod.', { priority: 1 }),
    column('Readiness Gates', 'string', 'Satisfied readiness gates out of all.', { priority: 1 }),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const pod = as<V1Pod>(obj);
    const s = summarizePod(pod);
    const ip = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP;
    return [
      nameOf(obj),
      s.ready,
      s.status,
      restartsCell(s),
      age(obj),
      orNone(ip),
      orNone(pod.spec?.nodeName),
      orNone(pod.status?.nominatedNodeName),
      readinessGates(pod),
    ];
  },
  conditions(obj: KubeObject): TableRowCondition[] | undefined {
    const phase = as<V1Pod>(obj).status?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
});
