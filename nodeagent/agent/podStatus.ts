// The Pod status the agent reports, computed from the pod, what the runtime holds for it, the
// probe results and the reasons the agent is waiting (back-off, pull errors). Pure: the rules
// (phase, conditions, container states, restart counts) follow the kubelet's and are
// table-tested with runtime records built in the test.

import { rfc3339 } from '../../common/clock.js';
import type { ContainerStatus, PodSandboxStatus } from '../cri/types.js';
import type { ContainerSpec, ContainerStatusApi, Pod, PodCondition, PodStatusApi } from './podTypes.js';
import { isTerminalPhase } from './podTypes.js';
import type { RuntimePod } from './runtimePods.js';
import type { ProbeOutcome, ProbeType } from './probes/probeManager.js';

export const containerIdScheme = 'runc://';

export interface Waiting {
  reason: string;
  message: string;
}

export interface StatusInputs {
  pod: Pod;
  runtime: RuntimePod;
  /** The sandbox the pod's containers run in now (the newest). */
  sandbox: PodSandboxStatus | undefined;
  probe: (containerId: string, type: ProbeType) => ProbeOutcome | undefined;
  waiting: ReadonlyMap<string, Waiting>;
  hostIP: string;
  qosClass: string;
  nowMs: number;
}

/** Every runtime instance of a container (by name), oldest attempt first. */
export function instancesOf(runtime: RuntimePod, name: string): ContainerStatus[] {
  return runtime.containers
    .filter((c) => c.metadata.name === name)
    .sort((a, b) => a.metadata.attempt - b.metadata.attempt || a.createdAt - b.createdAt);
}

function terminated(c: ContainerStatus): Record<string, unknown> {
  const reason = c.reason || (c.exitCode === 0 ? 'Completed' : 'Error');
  return {
    exitCode: c.exitCode,
    reason,
    ...(c.message ? { message: c.message } : {}),
    startedAt: c.startedAt ? rfc3339(c.startedAt) : null,
    finishedAt: c.finishedAt ? rfc3339(c.finishedAt) : null,
    containerID: containerIdScheme + c.id,
  };
}

function containerStatus(spec: ContainerSpec, inputs: StatusInputs, defaultWaiting: string): ContainerStatusApi {
  const all = instancesOf(inputs.runtime, spec.name);
  const latest = all[all.length - 1];
  const previous = all[all.length - 2];
  const waiting = inputs.waiting.get(spec.name);
  const base = { name: spec.name, image: spec.image ?? '', imageID: latest?.imageRef ?? '', restartCount: latest?.metadata.attempt ?? 0 };
  if (!latest) {
    return { ...base, ready: false, started: false, state: { waiting: { reason: waiting?.reason ?? defaultWaiting, ...(waiting?.message ? { message: waiting.message } : {}) } }, lastState: {} };
  }
  const containerID = containerIdScheme + latest.id;
  if (latest.state === 'CONTAINER_RUNNING') {
    const startup = inputs.probe(latest.id, 'startup');
    const readiness = inputs.probe(latest.id, 'readiness');
    const started = !startup || startup.result;
    return {
      ...base,
      containerID,
      started,
      ready: started && (!readiness || readiness.result),
      state: { running: { startedAt: rfc3339(latest.startedAt || latest.createdAt) } },
      lastState: previous && previous.state === 'CONTAINER_EXITED' ? { terminated: terminated(previous) } : {},
    };
  }
  if (latest.state === 'CONTAINER_EXITED') {
    if (waiting) return { ...base, containerID, ready: false, started: false, state: { waiting: { reason: waiting.reason, message: waiting.message } }, lastState: { terminated: terminated(latest) } };
    return { ...base, containerID, ready: false, started: false, state: { terminated: terminated(latest) }, lastState: previous && previous.state === 'CONTAINER_EXITED' ? { terminated: terminated(previous) } : {} };
  }
  return { ...base, containerID, ready: false, started: false, state: { waiting: { reason: waiting?.reason ?? 'ContainerCreating', ...(waiting?.message ? { message: waiting.message } : {}) } }, lastState: previous && previous.state === 'CONTAINER_EXITED' ? { terminated: terminated(previous) } : {} };
}

function succeeded(s: ContainerStatusApi): boolean {
  return s.state.terminated?.exitCode === 0;
}

/** The kubelet's getPhase. */
export function podPhase(pod: Pod, init: ContainerStatusApi[], containers: ContainerStatusApi[]): string {
  const policy = pod.spec.restartPolicy ?? 'Always';
  for (const s of init) {
    if (succeeded(s)) continue;
    const failed = s.state.terminated !== undefined || (s.state.waiting !== undefined && s.lastState.terminated !== undefined);
    if (failed && policy === 'Never') return 'Failed';
    return 'Pending';
  }
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let ok = 0;
  for (const s of containers) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (succeeded(s)) ok++;
    } else if (s.state.waiting) {
      // A container waiting to be restarted counts as stopped, as the kubelet counts it.
      if (s.lastState.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === ok) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason: string, message: string, previous: PodCondition[] | undefined, now: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    ...(ok ? {} : { reason, message }),
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
  };
}

const ownConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

export function computePodStatus(inputs: StatusInputs): PodStatusApi {
  const { pod } = inputs;
  const now = rfc3339(inputs.nowMs);
  const previous = pod.status ?? {};
  const initSpecs = pod.spec.initContainers ?? [];
  const init = initSpecs.map((c) => containerStatus(c, inputs, 'PodInitializing'));
  const initDone = init.every(succeeded);
  const containers = pod.spec.containers.map((c) => containerStatus(c, inputs, initDone ? 'ContainerCreating' : 'PodInitializing'));
  let phase = podPhase(pod, init, containers);
  // A terminal phase is final: a later sync never revives it.
  if (isTerminalPhase(previous.phase)) phase = previous.phase!;
  const terminal = isTerminalPhase(phase);
  const sandboxReady = inputs.sandbox?.state === 'SANDBOX_READY';
  // A pod on the node's network has the node's address (its InternalIP), as the kubelet
  // reports it, whatever its sandbox; others have their sandbox's while it is up.
  const hostNetwork = pod.spec.hostNetwork === true;
  const podIP = hostNetwork ? inputs.hostIP || undefined : sandboxReady ? inputs.sandbox?.network?.ip : undefined;
  const podIPs = hostNetwork ? (podIP ? [{ ip: podIP }] : []) : podIP ? [{ ip: podIP }, ...(inputs.sandbox?.network?.additionalIps ?? []).map((ip) => ({ ip }))] : [];
  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  const incomplete = init.filter((c) => !succeeded(c)).map((c) => c.name);
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? '' : `containers with unready status: [${unready.join(' ')}]`;
  const conds = previous.conditions;
  const conditions: PodCondition[] = [
    ...(conds ?? []).filter((c) => !ownConditions.has(c.type)),
    condition('PodReadyToStartContainers', sandboxReady, '', '', conds, now),
    condition('Initialized', initDone, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`, conds, now),
    condition('ContainersReady', !terminal && unready.length === 0, readyReason, readyMessage, conds, now),
    condition('Ready', !terminal && unready.length === 0, readyReason, readyMessage, conds, now),
  ];
  return {
    phase,
    conditions,
    hostIP: inputs.hostIP,
    hostIPs: [{ ip: inputs.hostIP }],
    ...(podIP ? { podIP, podIPs } : {}),
    startTime: previous.startTime ?? now,
    qosClass: inputs.qosClass,
    ...(initSpecs.length ? { initContainerStatuses: init } : {}),
    containerStatuses: containers,
  };
}
