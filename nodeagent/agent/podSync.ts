// Syncing one pod: makes the runtime hold what the pod asks for, then reports its status.
// Level-based, like the kubelet's SyncPod: every call looks at the pod and the runtime afresh
// and takes the next steps (sandbox, init containers in order, containers, restarts under the
// restart policy and back-off, kills for failed probes or changed specs), so a sync after an
// agent restart simply continues where the runtime stands. Deleted pods are stopped within
// their grace period (preStop first) and then removed from the API.

import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import type { ImageService, RuntimeService } from '../cri/services.js';
import type { ContainerStatus, PodSandboxStatus } from '../cri/types.js';
import type { RestartBackoff } from '../../common/backoff.js';
import { noEndpointDrain, type EndpointDrain } from './endpointDrain.js';
import type { EventSink } from './events.js';
import { runHandler } from './probes/handlers.js';
import type { ProbeManager, ProbedContainer } from './probes/probeManager.js';
import { computePodStatus, instancesOf, type Waiting } from './podStatus.js';
import { isTerminalPhase, podFullName, type ContainerSpec, type Pod, type PodStatusApi } from './podTypes.js';
import type { SyncOutcome } from './podWorkers.js';
import { readRuntimePod, type RuntimePod } from './runtimePods.js';
import { specHashAnnotation, type PodTranslator } from './translator.js';

export interface PodApi {
  /** The pod as the agent last saw it; undefined when it is gone. */
  byUid(uid: string): Pod | undefined;
  writeStatus(pod: Pod, status: PodStatusApi): Promise<void>;
  /** Finishes a graceful deletion (grace period 0, precondition uid). */
  deletePod(pod: Pod): Promise<void>;
}

export interface PodSyncDeps {
  nodeName: string;
  hostIP: string;
  runtime: RuntimeService;
  images: ImageService;
  api: PodApi;
  translator: PodTranslator;
  probes: ProbeManager;
  events: EventSink;
  backoff: RestartBackoff;
  /** Takes a terminating pod out of the Services before its SIGTERM; default: no wait. */
  drain?: EndpointDrain;
  clock: Clock;
  logger: Logger;
}

/** The kubelet's minimum grace for a container stopped by the agent itself. */
const minimumGraceSeconds = 2;

function newest<T extends { createdAt: number }>(items: T[]): T | undefined {
  return [...items].sort((a, b) => a.createdAt - b.createdAt)[items.length - 1];
}

function containerField(pod: Pod, name: string): string {
  const init = (pod.spec.initContainers ?? []).some((c) => c.name === name);
  return `spec.${init ? 'initContainers' : 'containers'}{${name}}`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Where a sync is within one call: the waiting reasons found and the earliest time to look again. */
class SyncState {
  readonly waiting = new Map<string, Waiting>();
  requeueAtMs: number | undefined;
  again = false;

  requeueAt(atMs: number): void {
    this.requeueAtMs = this.requeueAtMs === undefined ? atMs : Math.min(this.requeueAtMs, atMs);
  }
}

export class PodSyncer {
  private readonly lastKnown = new Map<string, Pod>();
  private readonly terminationDeadline = new Map<string, number>();
  /** Pods whose endpoint drain has run: a later sync of the same termination does not wait again. */
  private readonly drained = new Set<string>();
  /** Why the pod's last sandbox attempt failed (FailedMount, ...): shown on its containers until a retry succeeds. */
  private readonly sandboxFailure = new Map<string, string>();

  constructor(private readonly d: PodSyncDeps) {}

  async sync(uid: string): Promise<SyncOutcome> {
    const pod = this.d.api.byUid(uid);
    if (pod) this.lastKnown.set(uid, pod);
    const rt = await readRuntimePod(this.d.runtime, uid);
    if (!pod || pod.spec.nodeName !== this.d.nodeName) return this.removeGone(uid, rt);
    if (pod.metadata.deletionTimestamp) return this.terminate(pod, rt);
    if (isTerminalPhase(pod.status?.phase)) return this.settleTerminal(pod, rt);
    return this.run(pod, rt);
  }

  // ---- pods that are gone or going ------------------------------------------------

  private async removeGone(uid: string, rt: RuntimePod): Promise<SyncOutcome> {
    const last = this.lastKnown.get(uid);
    if (rt.sandboxes.length || rt.containers.length) {
      this.d.logger.info('removing containers of a pod that is gone from this node', { uid, pod: last ? podFullName(last) : undefined });
      await this.stopAll(last, rt, this.d.clock.now() + minimumGraceSeconds * 1000, false);
      await this.removeAll(rt);
    }
    await this.forget(uid);
    return { done: true };
  }

  private async terminate(pod: Pod, rt: RuntimePod): Promise<SyncOutcome> {
    const uid = pod.metadata.uid;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    let deadline = this.terminationDeadline.get(uid);
    if (deadline === undefined || deadline > this.d.clock.now() + grace * 1000) {
      // A shorter grace given later (kubectl delete --grace-period=1 after a default delete) takes over.
      deadline = this.d.clock.now() + grace * 1000;
      this.terminationDeadline.set(uid, deadline);
    }
    await this.drainEndpoints(pod, rt, deadline);
    await this.stopAll(pod, rt, deadline, true);
    const stopped = await readRuntimePod(this.d.runtime, uid);
    const sandbox = newest(stopped.sandboxes);
    const status = this.status(pod, stopped, sandbox, new Map());
    // Since Kubernetes 1.27 a deleted pod ends in a terminal phase whatever its restart policy.
    if (!isTerminalPhase(status.phase)) {
      const all = status.containerStatuses ?? [];
      status.phase = all.length > 0 && all.every((c) => c.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    }
    await this.d.api.writeStatus(pod, status);
    await this.d.api.deletePod(pod);
    await this.removeAll(stopped);
    await this.forget(uid);
    return { done: true };
  }

  /**
   * Before the first SIGTERM of a deleted pod: waits until the Services no longer send it
   * new connections (see endpointDrain.ts), using at most half of what is left of its grace
   * period so the process keeps the other half to finish what it has. Host-network pods
   * share the node's address with others, so that address says nothing about them.
   */
  private async drainEndpoints(pod: Pod, rt: RuntimePod, deadlineMs: number): Promise<void> {
    const uid = pod.metadata.uid;
    if (this.drained.has(uid) || pod.spec.hostNetwork) return;
    this.drained.add(uid);
    if (!rt.containers.some((c) => c.state === 'CONTAINER_RUNNING')) return;
    const ip = newest(rt.sandboxes)?.network?.ip || pod.status?.podIP || '';
    const now = this.d.clock.now();
    const until = now + Math.max(0, deadlineMs - now) / 2;
    if (until <= now) return; // deleted with no grace (--force): nothing to wait in
    const outcome = await (this.d.drain ?? noEndpointDrain).drain(ip, until);
    if (outcome !== 'not-an-endpoint') this.d.logger.info('pod drained from the service rules before stopping it', { pod: podFullName(pod), ip, outcome, waitedMs: this.d.clock.now() - now });
  }

  private async settleTerminal(pod: Pod, rt: RuntimePod): Promise<SyncOutcome> {
    // Finished pods keep their containers (for logs) but give back their IP.
    const running = rt.containers.filter((c) => c.state === 'CONTAINER_RUNNING');
    if (running.length) await this.stopAll(pod, rt, this.d.clock.now() + (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000, true);
    for (const s of rt.sandboxes) if (s.state === 'SANDBOX_READY') await this.d.runtime.stopPodSandbox(s.id);
    this.d.probes.forgetPod(pod.metadata.uid);
    return {};
  }

  private async forget(uid: string): Promise<void> {
    this.d.probes.forgetPod(uid);
    this.d.backoff.forgetWhere((k) => k.startsWith(`${uid}/`));
    this.lastKnown.delete(uid);
    this.terminationDeadline.delete(uid);
    this.drained.delete(uid);
    this.sandboxFailure.delete(uid);
    await this.d.translator.cleanupVolumes(uid);
  }

  /** Stops every running container (preStop hooks first, when asked) within the deadline, then the sandboxes. */
  private async stopAll(pod: Pod | undefined, rt: RuntimePod, deadlineMs: number, hooks: boolean): Promise<void> {
    const running = rt.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED');
    const sandbox = newest(rt.sandboxes);
    await Promise.all(running.map((c) => this.stopContainer(pod, c, sandbox, deadlineMs, hooks, 'Stopping container')));
    for (const s of rt.sandboxes) await this.d.runtime.stopPodSandbox(s.id);
  }

  private async stopContainer(pod: Pod | undefined, c: ContainerStatus, sandbox: PodSandboxStatus | undefined, deadlineMs: number, hooks: boolean, why: string): Promise<void> {
    const spec = pod ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((s) => s.name === c.metadata.name) : undefined;
    if (pod) this.d.events.record(pod, 'Normal', 'Killing', `${why} ${c.metadata.name}`, containerField(pod, c.metadata.name));
    const preStop = spec?.lifecycle?.preStop;
    if (hooks && preStop && c.state === 'CONTAINER_RUNNING') {
      const budget = Math.max(1, Math.floor((deadlineMs - this.d.clock.now()) / 1000));
      const r = await runHandler(this.d.runtime, preStop, { containerId: c.id, podIP: sandbox?.network?.ip ?? '', ports: spec.ports ?? [] }, budget);
      if (!r.ok && pod) this.d.events.record(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${r.message}`, containerField(pod, c.metadata.name));
    }
    const remaining = Math.ceil((deadlineMs - this.d.clock.now()) / 1000);
    // After a preStop hook the container still gets a short window to exit on SIGTERM, as in Kubernetes.
    await this.d.runtime.stopContainer(c.id, Math.max(hooks && preStop ? minimumGraceSeconds : 0, remaining));
  }

  private async removeAll(rt: RuntimePod): Promise<void> {
    for (const c of rt.containers) await this.d.runtime.removeContainer(c.id);
    for (const s of rt.sandboxes) await this.d.runtime.removePodSandbox(s.id);
  }

  // ---- running pods ------------------------------------------------------------------

  private async run(pod: Pod, initial: RuntimePod): Promise<SyncOutcome> {
    const uid = pod.metadata.uid;
    const st = new SyncState();
    let rt = initial;
    let sandbox = newest(rt.sandboxes);
    if (!sandbox || sandbox.state !== 'SANDBOX_READY') {
      const created = await this.newSandbox(pod, rt, sandbox, st);
      if (created) {
        rt = await readRuntimePod(this.d.runtime, uid);
        sandbox = created;
      }
    }
    if (sandbox && sandbox.state === 'SANDBOX_READY') {
      const podIP = sandbox.network?.ip ?? '';
      const current = rt.containers.filter((c) => c.podSandboxId === sandbox!.id);
      const initDone = await this.runInitContainers(pod, rt, current, sandbox, podIP, st);
      if (initDone) {
        for (const spec of pod.spec.containers) await this.runContainer(pod, spec, rt, current, sandbox, podIP, st);
      }
      rt = await readRuntimePod(this.d.runtime, uid);
      await this.collectGarbage(rt, sandbox);
      this.d.probes.syncPod(uid, this.probed(pod, rt, sandbox));
    }
    const status = this.status(pod, rt, sandbox, st.waiting);
    await this.d.api.writeStatus(pod, status);
    if (isTerminalPhase(status.phase)) {
      // Restart policy says this pod is finished: give back its IP now.
      await this.settleTerminal(pod, rt);
      return {};
    }
    if (st.again) return { requeueAfterMs: 0 };
    if (st.requeueAtMs !== undefined) return { requeueAfterMs: Math.max(0, st.requeueAtMs - this.d.clock.now()) };
    return {};
  }

  private status(pod: Pod, rt: RuntimePod, sandbox: PodSandboxStatus | undefined, waiting: ReadonlyMap<string, Waiting>): PodStatusApi {
    return computePodStatus({
      pod,
      runtime: rt,
      sandbox,
      probe: (id, type) => this.d.probes.result(id, type),
      waiting,
      hostIP: this.d.hostIP,
      qosClass: this.d.translator.qosClass(pod),
      nowMs: this.d.clock.now(),
    });
  }

  private async newSandbox(pod: Pod, rt: RuntimePod, old: PodSandboxStatus | undefined, st: SyncState): Promise<PodSandboxStatus | undefined> {
    const uid = pod.metadata.uid;
    if (old) {
      // The sandbox died (host reboot, netns lost): every container restarts in a new one, as in Kubernetes.
      this.d.logger.info('pod sandbox is not ready; creating a new one', { pod: podFullName(pod), sandbox: old.id });
      await this.stopAll(pod, rt, this.d.clock.now() + minimumGraceSeconds * 1000, false);
    }
    const key = `${uid}/sandbox`;
    const retryAt = this.d.backoff.retryAt(key, this.d.clock.now());
    const failed = (message: string): void => {
      this.sandboxFailure.set(uid, message);
      for (const c of pod.spec.containers) st.waiting.set(c.name, { reason: 'ContainerCreating', message });
    };
    if (retryAt !== undefined) {
      // Syncs during the back-off keep saying why the pod waits (a pod status without the reason hides it).
      const why = this.sandboxFailure.get(uid);
      if (why !== undefined) failed(why);
      st.requeueAt(retryAt);
      return undefined;
    }
    try {
      // A replacement sandbox (the old one died) belongs to a pod that already started here.
      await this.d.translator.prepareVolumes(pod, { podStarted: old !== undefined });
    } catch (e) {
      this.d.events.record(pod, 'Warning', 'FailedMount', errorMessage(e));
      failed(errorMessage(e));
      this.d.backoff.started(key);
      st.requeueAt(this.d.clock.now() + this.d.backoff.delayOf(key));
      return undefined;
    }
    try {
      const id = await this.d.runtime.runPodSandbox(this.d.translator.sandboxConfig(pod, old ? old.metadata.attempt + 1 : 0));
      this.sandboxFailure.delete(uid);
      return await this.d.runtime.podSandboxStatus(id);
    } catch (e) {
      this.d.events.record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errorMessage(e)}`);
      this.d.backoff.started(key);
      st.requeueAt(this.d.clock.now() + this.d.backoff.delayOf(key));
      return undefined;
    }
  }

  /** Runs init containers one at a time; true once all have succeeded. */
  private async runInitContainers(pod: Pod, rt: RuntimePod, current: ContainerStatus[], sandbox: PodSandboxStatus, podIP: string, st: SyncState): Promise<boolean> {
    for (const spec of pod.spec.initContainers ?? []) {
      const inst = newestInstance(current, spec.name);
      if (!inst) {
        await this.startContainer(pod, spec, rt, sandbox, podIP, st);
        return false;
      }
      if (inst.state === 'CONTAINER_RUNNING') return false;
      if (inst.state === 'CONTAINER_CREATED') {
        await this.replaceCreated(pod, spec, inst, rt, sandbox, podIP, st);
        return false;
      }
      if (inst.state === 'CONTAINER_EXITED' && inst.exitCode === 0) continue;
      if ((pod.spec.restartPolicy ?? 'Always') === 'Never') return false;
      await this.restartWithBackoff(pod, spec, inst, rt, sandbox, podIP, st);
      return false;
    }
    return true;
  }

  private async runContainer(pod: Pod, spec: ContainerSpec, rt: RuntimePod, current: ContainerStatus[], sandbox: PodSandboxStatus, podIP: string, st: SyncState): Promise<void> {
    const inst = newestInstance(current, spec.name);
    if (!inst) {
      // Never started in this sandbox; a finished container of a Never/OnFailure pod in an older sandbox stays finished.
      const earlier = instancesOf(rt, spec.name).pop();
      if (earlier && earlier.state === 'CONTAINER_EXITED' && !this.shouldRestart(pod, earlier)) return;
      await this.startContainer(pod, spec, rt, sandbox, podIP, st);
      return;
    }
    if (inst.state === 'CONTAINER_CREATED') return this.replaceCreated(pod, spec, inst, rt, sandbox, podIP, st);
    if (inst.state === 'CONTAINER_RUNNING') {
      const kill = this.killReason(pod, spec, inst);
      if (kill) {
        this.d.logger.info('restarting container', { pod: podFullName(pod), container: spec.name, reason: kill });
        await this.stopContainer(pod, inst, sandbox, this.d.clock.now() + (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000, true, `Container ${spec.name} ${kill}, will be restarted;`);
        st.again = true;
      }
      return;
    }
    if (inst.state === 'CONTAINER_EXITED' && this.shouldRestart(pod, inst)) await this.restartWithBackoff(pod, spec, inst, rt, sandbox, podIP, st);
  }

  private shouldRestart(pod: Pod, c: ContainerStatus): boolean {
    const policy = pod.spec.restartPolicy ?? 'Always';
    return policy === 'Always' || (policy === 'OnFailure' && c.exitCode !== 0);
  }

  private killReason(pod: Pod, spec: ContainerSpec, inst: ContainerStatus): string | undefined {
    const liveness = this.d.probes.result(inst.id, 'liveness');
    if (liveness?.failed) {
      this.d.events.record(pod, 'Warning', 'Unhealthy', `Liveness probe failed: ${liveness.message}`, containerField(pod, spec.name));
      return 'failed liveness probe';
    }
    const startup = this.d.probes.result(inst.id, 'startup');
    if (startup?.failed) {
      this.d.events.record(pod, 'Warning', 'Unhealthy', `Startup probe failed: ${startup.message}`, containerField(pod, spec.name));
      return 'failed startup probe';
    }
    const hash = inst.annotations[specHashAnnotation];
    if (hash && hash !== this.d.translator.specHash(spec)) return 'definition changed';
    return undefined;
  }

  private async restartWithBackoff(pod: Pod, spec: ContainerSpec, inst: ContainerStatus, rt: RuntimePod, sandbox: PodSandboxStatus, podIP: string, st: SyncState): Promise<void> {
    const key = `${pod.metadata.uid}/${spec.name}`;
    const retryAt = this.d.backoff.retryAt(key, inst.finishedAt || this.d.clock.now());
    if (retryAt !== undefined) {
      const message = `back-off ${Math.round(this.d.backoff.delayOf(key) / 1000)}s restarting failed container=${spec.name} pod=${podFullName(pod)}`;
      st.waiting.set(spec.name, { reason: 'CrashLoopBackOff', message });
      this.d.events.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', containerField(pod, spec.name));
      st.requeueAt(retryAt);
      return;
    }
    await this.startContainer(pod, spec, rt, sandbox, podIP, st);
  }

  /** A container created but never started (the agent died in between): replace it under the same attempt. */
  private async replaceCreated(pod: Pod, spec: ContainerSpec, inst: ContainerStatus, rt: RuntimePod, sandbox: PodSandboxStatus, podIP: string, st: SyncState): Promise<void> {
    await this.d.runtime.removeContainer(inst.id);
    const without = { ...rt, containers: rt.containers.filter((c) => c.id !== inst.id) };
    await this.startContainer(pod, spec, without, sandbox, podIP, st);
  }

  private async ensureImage(pod: Pod, spec: ContainerSpec, st: SyncState): Promise<string | undefined> {
    const image = spec.image ?? '';
    const field = containerField(pod, spec.name);
    const policy = spec.imagePullPolicy ?? (/:latest$|^[^:@]*$/.test(image.split('/').pop() ?? '') ? 'Always' : 'IfNotPresent');
    const present = await this.d.images.imageStatus({ image });
    if (present && policy !== 'Always') return present.id;
    if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      st.waiting.set(spec.name, { reason: 'ErrImageNeverPull', message });
      this.d.events.record(pod, 'Warning', 'ErrImageNeverPull', message, field);
      return undefined;
    }
    const key = `${pod.metadata.uid}/pull/${image}`;
    const retryAt = this.d.backoff.retryAt(key, this.d.clock.now());
    if (retryAt !== undefined) {
      st.waiting.set(spec.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
      st.requeueAt(retryAt);
      return undefined;
    }
    this.d.events.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, field);
    const started = this.d.clock.now();
    try {
      const id = await this.d.images.pullImage({ image });
      this.d.backoff.forget(key);
      this.d.events.record(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${this.d.clock.now() - started}ms`, field);
      return id;
    } catch (e) {
      if (present) return present.id; // An Always pull that fails falls back to the image at hand, like the kubelet.
      const message = `Failed to pull image "${image}": ${errorMessage(e)}`;
      st.waiting.set(spec.name, { reason: 'ErrImagePull', message });
      this.d.events.record(pod, 'Warning', 'Failed', message, field);
      this.d.backoff.started(key);
      st.requeueAt(this.d.clock.now() + this.d.backoff.delayOf(key));
      return undefined;
    }
  }

  private async startContainer(pod: Pod, spec: ContainerSpec, rt: RuntimePod, sandbox: PodSandboxStatus, podIP: string, st: SyncState): Promise<void> {
    const field = containerField(pod, spec.name);
    const imageRef = await this.ensureImage(pod, spec, st);
    if (!imageRef) return;
    const previous = instancesOf(rt, spec.name).pop();
    const attempt = previous ? previous.metadata.attempt + 1 : 0;
    let id: string;
    try {
      const config = await this.d.translator.containerConfig(pod, spec, { attempt, imageRef, podIP });
      id = await this.d.runtime.createContainer(sandbox.id, config, this.d.translator.sandboxConfig(pod, sandbox.metadata.attempt));
    } catch (e) {
      const reason = (e as { reason?: string }).reason === 'CreateContainerConfigError' ? 'CreateContainerConfigError' : 'CreateContainerError';
      st.waiting.set(spec.name, { reason, message: errorMessage(e) });
      this.d.events.record(pod, 'Warning', 'Failed', `Error: ${errorMessage(e)}`, field);
      st.requeueAt(this.d.clock.now() + 5000);
      return;
    }
    this.d.events.record(pod, 'Normal', 'Created', `Created container ${spec.name}`, field);
    try {
      await this.d.runtime.startContainer(id);
    } catch (e) {
      st.waiting.set(spec.name, { reason: 'RunContainerError', message: errorMessage(e) });
      this.d.events.record(pod, 'Warning', 'Failed', `Error: ${errorMessage(e)}`, field);
      this.d.backoff.started(`${pod.metadata.uid}/${spec.name}`);
      return;
    }
    // Like the kubelet, the back-off window opens at the first restart: a first crash restarts at once.
    if (attempt > 0) this.d.backoff.started(`${pod.metadata.uid}/${spec.name}`);
    this.d.events.record(pod, 'Normal', 'Started', `Started container ${spec.name}`, field);
    const postStart = spec.lifecycle?.postStart;
    if (postStart) {
      const r = await runHandler(this.d.runtime, postStart, { containerId: id, podIP, ports: spec.ports ?? [] }, pod.spec.terminationGracePeriodSeconds ?? 30);
      if (!r.ok) {
        this.d.events.record(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${r.message}`, field);
        await this.d.runtime.stopContainer(id, minimumGraceSeconds);
      }
    }
  }

  /** Keeps the newest two instances of each container (the running one and the previous, for `logs --previous`). */
  private async collectGarbage(rt: RuntimePod, current: PodSandboxStatus): Promise<void> {
    const names = new Set(rt.containers.map((c) => c.metadata.name));
    for (const name of names) {
      const all = instancesOf(rt, name);
      for (const c of all.slice(0, -2)) if (c.state === 'CONTAINER_EXITED') await this.d.runtime.removeContainer(c.id);
    }
    const kept = new Set((await readRuntimePod(this.d.runtime, rt.uid)).containers.map((c) => c.podSandboxId));
    for (const s of rt.sandboxes) {
      if (s.id === current.id || kept.has(s.id)) continue;
      await this.d.runtime.stopPodSandbox(s.id);
      await this.d.runtime.removePodSandbox(s.id);
    }
  }

  private probed(pod: Pod, rt: RuntimePod, sandbox: PodSandboxStatus): ProbedContainer[] {
    const out: ProbedContainer[] = [];
    for (const spec of pod.spec.containers) {
      const inst = newestInstance(rt.containers.filter((c) => c.podSandboxId === sandbox.id), spec.name);
      if (!inst || inst.state !== 'CONTAINER_RUNNING') continue;
      const probes = { ...(spec.livenessProbe ? { liveness: spec.livenessProbe } : {}), ...(spec.readinessProbe ? { readiness: spec.readinessProbe } : {}), ...(spec.startupProbe ? { startup: spec.startupProbe } : {}) };
      if (!Object.keys(probes).length) continue;
      out.push({ containerId: inst.id, name: spec.name, startedAtMs: inst.startedAt || inst.createdAt, probes, target: { containerId: inst.id, podIP: sandbox.network?.ip ?? '', ports: spec.ports ?? [] } });
    }
    return out;
  }
}

function newestInstance(containers: ContainerStatus[], name: string): ContainerStatus | undefined {
  return containers.filter((c) => c.metadata.name === name).sort((a, b) => a.metadata.attempt - b.metadata.attempt || a.createdAt - b.createdAt).pop();
}
