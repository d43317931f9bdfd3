// The node lifecycle controller: notices silent nodes, taints them, and evicts the pods that
// do not tolerate the taints, like Kubernetes' node lifecycle controller with its taint
// manager. One Reconciler, two kinds of key: a node (cluster-scoped, no namespace) for
// health and taints, a pod (namespaced) for taint-based eviction.
//
// Node step: observe the heartbeat (Lease renewTime or Ready's lastHeartbeatTime); past the
// grace period set Ready and the pressure conditions to Unknown and mark the node's pods
// not ready (so Services drop them); keep exactly the NoExecute taint the Ready condition
// calls for (unreachable for Unknown, not-ready for False, none for True), adding taints at
// a per-zone rate and none while the zone view says the cluster, not the node, is sick.
// Pod step: evict (DELETE with the pod's uid as precondition) once the pod's tolerations of
// the node's NoExecute taints have run out. The deleted pod stays Terminating on a dead node
// (nobody confirms), but it no longer counts for its ReplicaSet, which creates the
// replacement at once; PodGC later removes it for good.

import { disruptions, markDisruptionTarget } from '../../common/api/disruptionTarget.js';
import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import { realClock, rfc3339, type Clock } from '../../common/clock.js';
import { TokenBucket } from '../../common/client/tokenBucket.js';
import type { ControllerRegistration, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from '../../common/controller/types.js';
import { ConflictError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { judgeHealth, nodeTimings, ProbeTracker, type HeartbeatPolicy } from './health.js';
import type { NodeLifecycleOptions } from './options.js';
import { isLifecycleTaint, noExecute, readyCondition, reconcileTaints, wantedNoScheduleKeys, wantedTaintKey } from './taints.js';
import { evictionDeadline } from './tolerations.js';
import { leasesResource, nodeLeaseNamespace, nodesResource, podsResource, type Lease, type Node, type Pod } from './types.js';
import { computeZones, zoneOf, type DisruptionPolicy, type ZoneView } from './zones.js';

export const nodeLifecycleControllerName = 'nodelifecycle';

export interface NodeLifecycleControllerDeps {
  api: Api;
  events: EventRecorder;
  logger: Logger;
  clock?: Clock;
  options: NodeLifecycleOptions;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function noExecuteSignature(node: Node | undefined): string {
  return JSON.stringify((node?.spec?.taints ?? []).filter((t) => t.effect === noExecute).map((t) => [t.key, t.value ?? '', t.timeAdded ?? '']));
}

export class NodeLifecycleController implements Reconciler {
  private readonly api: Api;
  private readonly events: EventRecorder;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly o: NodeLifecycleOptions;
  private readonly heartbeat: HeartbeatPolicy;
  private readonly policy: DisruptionPolicy;
  private readonly probes = new ProbeTracker();
  /** Pod keys by node name, kept by the pod handlers. */
  private readonly podsByNode = new Map<string, Set<string>>();
  /** Per-zone taint limiters and the rate each was made for. */
  private readonly limiters = new Map<string, { rate: number; bucket: TokenBucket }>();
  private zoneMemo: { at: number; view: ZoneView } | undefined;
  private lastZoneDescription = '';
  private nodes: Informer<Node> | undefined;
  private leases: Informer<Lease> | undefined;
  private pods: Informer<Pod> | undefined;
  private enqueue: (key: ObjectKey) => void = () => undefined;

  constructor(deps: NodeLifecycleControllerDeps) {
    this.api = deps.api;
    this.events = deps.events;
    this.logger = deps.logger.child({ controller: nodeLifecycleControllerName });
    this.clock = deps.clock ?? realClock;
    this.o = deps.options;
    this.heartbeat = {
      gracePeriodMs: this.o.nodeMonitorGracePeriodSeconds * 1000,
      startupGracePeriodMs: this.o.nodeStartupGracePeriodSeconds * 1000,
      heartbeatIntervalMs: this.o.nodeHeartbeatIntervalSeconds * 1000,
    };
    this.policy = {
      evictionRate: this.o.nodeEvictionRate,
      secondaryEvictionRate: this.o.secondaryNodeEvictionRate,
      largeClusterThreshold: this.o.largeClusterSizeThreshold,
      unhealthyZoneThreshold: this.o.unhealthyZoneThreshold,
    };
  }

  registration(): ControllerRegistration {
    return { name: nodeLifecycleControllerName, reconciler: this, workers: this.o.workers, watch: (s, e) => this.watch(s, e) };
  }

  private watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.enqueue = enqueue;
    const nodes = (this.nodes = source.informer<Node>(nodesResource));
    this.leases = source.informer<Lease>(leasesResource, { namespace: nodeLeaseNamespace });
    const pods = (this.pods = source.informer<Pod>(podsResource));
    const podsOn = (node: Node): void => {
      for (const k of this.podsByNode.get(node.metadata.name ?? '') ?? []) {
        const slash = k.indexOf('/');
        enqueue({ namespace: k.slice(0, slash), name: k.slice(slash + 1) });
      }
    };
    nodes.addEventHandler({
      onAdd: (n) => {
        enqueue({ name: n.metadata.name ?? '' });
        if (noExecuteSignature(n) !== '[]') podsOn(n);
      },
      onUpdate: (old, n) => {
        enqueue({ name: n.metadata.name ?? '' });
        if (noExecuteSignature(old) !== noExecuteSignature(n)) podsOn(n);
      },
      onDelete: (n) => enqueue({ name: n.metadata.name ?? '' }),
    });
    this.leases.addEventHandler({
      onAdd: (l) => enqueue({ name: l.metadata.name ?? '' }),
      onUpdate: (_o, l) => enqueue({ name: l.metadata.name ?? '' }),
      onDelete: (l) => enqueue({ name: l.metadata.name ?? '' }),
    });
    const podKey = (p: Pod): string => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
    const index = (p: Pod, add: boolean): void => {
      const node = p.spec?.nodeName;
      if (!node) return;
      let set = this.podsByNode.get(node);
      if (add) {
        if (!set) this.podsByNode.set(node, (set = new Set()));
        set.add(podKey(p));
      } else if (set) {
        set.delete(podKey(p));
        if (set.size === 0) this.podsByNode.delete(node);
      }
    };
    const consider = (p: Pod): void => {
      const node = p.spec?.nodeName ? nodes.store.get(p.spec.nodeName) : undefined;
      if (node && noExecuteSignature(node) !== '[]') enqueue({ namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '' });
    };
    pods.addEventHandler({
      onAdd: (p) => {
        index(p, true);
        consider(p);
      },
      onUpdate: (old, p) => {
        if (old.spec?.nodeName !== p.spec?.nodeName) index(old, false);
        index(p, true);
        consider(p);
      },
      onDelete: (p) => index(p, false),
    });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    return key.namespace === undefined ? this.reconcileNode(key.name) : this.reconcilePod(key.namespace, key.name);
  }

  private lease(name: string): Lease | undefined {
    return this.leases?.store.get(`${nodeLeaseNamespace}/${name}`);
  }

  /**
   * Every zone's state, counting as not ready a node whose Ready is not True or whose
   * heartbeat is overdue by a renewal (memoized briefly: many node keys ask at once).
   */
  zoneView(now: number): ZoneView {
    if (this.zoneMemo && now - this.zoneMemo.at < 100 && now >= this.zoneMemo.at) return this.zoneMemo.view;
    const all = (this.nodes?.store.list() ?? []).map((node) => {
      const lease = this.lease(node.metadata.name ?? '');
      const last = this.probes.observe(node, lease, now);
      return { node, notReady: readyCondition(node.status?.conditions)?.status !== 'True' || now - last > nodeTimings(lease, this.heartbeat).suspectMs };
    });
    const view = computeZones(all, this.policy);
    const described = view.describe();
    if (described !== this.lastZoneDescription) {
      const wasAllDown = this.zoneMemo?.view.allFullyDisrupted ?? false;
      this.lastZoneDescription = described;
      this.logger.info('zone states', { zones: described, allFullyDisrupted: view.allFullyDisrupted });
      // Entering or leaving "everything is down": every node's taints are decided anew.
      if (wasAllDown !== view.allFullyDisrupted) for (const { node } of all) this.enqueue({ name: node.metadata.name ?? '' });
    }
    this.zoneMemo = { at: now, view };
    return view;
  }

  private limiter(zone: string, rate: number): TokenBucket {
    const l = this.limiters.get(zone);
    if (l && l.rate === rate) return l.bucket;
    const bucket = new TokenBucket({ qps: rate, burst: 1, clock: this.clock });
    this.limiters.set(zone, { rate, bucket });
    return bucket;
  }

  private async reconcileNode(name: string): Promise<ReconcileResult | void> {
    let node = this.nodes?.store.get(name);
    if (!node) {
      this.probes.forget(name);
      return;
    }
    const now = this.clock.now();
    const lease = this.lease(name);
    const last = this.probes.observe(node, lease, now);
    const verdict = judgeHealth(node, last, now, nodeTimings(lease, this.heartbeat));
    if (verdict.conditions) {
      node = await this.api.updateStatus<Node>(nodesResource, { ...node, status: { ...node.status, conditions: verdict.conditions } });
      this.logger.warn('node stopped posting status; Ready is Unknown', { node: name, silentForMs: now - last });
      this.events.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    }
    if (verdict.silent) await this.markPodsNotReady(name, now);

    const view = this.zoneView(now);
    const ready = readyCondition(node.status?.conditions);
    const current = node.spec?.taints ?? [];
    let noExec = view.allFullyDisrupted ? undefined : wantedTaintKey(ready);
    // A first NoExecute taint is an eviction decision: rate-limited per zone, none while the
    // zone view says the cluster, not the node, is sick. Swapping one for the other is not.
    const adding = noExec !== undefined && !current.some(isLifecycleTaint);
    const recheck = this.o.nodeMonitorPeriodMs;
    let requeue: number | undefined;
    if (adding) {
      const zone = zoneOf(node);
      const rate = view.taintRate(zone);
      if (rate <= 0) {
        noExec = undefined;
        requeue = recheck;
      } else if (!this.limiter(zone, rate).tryAccept()) {
        noExec = undefined;
        requeue = Math.max(recheck, Math.ceil(1000 / rate));
      }
    }
    const next = reconcileTaints(current, noExec, wantedNoScheduleKeys(node.status?.conditions), rfc3339(now));
    if (next) {
      await this.api.update<Node>(nodesResource, { ...node, spec: { ...node.spec, taints: next } });
      this.logger.info('updated node taints', { node: name, taints: next.map((t) => `${t.key}:${t.effect}`).join(',') || '(none)', ready: ready?.status ?? '(none)' });
    }
    if (requeue !== undefined) return { requeueAfterMs: requeue };
    if (verdict.silent || noExec !== undefined || current.some(isLifecycleTaint)) return { requeueAfterMs: recheck };
    return { requeueAfterMs: Math.max(verdict.silentInMs, 10) };
  }

  /** Kubernetes' MarkPodsNotReady: a silent node's pods stop receiving Service traffic. */
  private async markPodsNotReady(node: string, now: number): Promise<void> {
    for (const key of [...(this.podsByNode.get(node) ?? [])]) {
      const pod = this.pods?.store.get(key);
      const conditions = (pod?.status?.conditions ?? []) as { type: string; status: string; lastTransitionTime?: string }[];
      if (!pod || pod.spec?.nodeName !== node || !conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
      try {
        await this.api.updateStatus<Pod>(podsResource, { ...pod, status: { ...pod.status, conditions: next } });
      } catch (e) {
        if (!(e instanceof ConflictError || e instanceof NotFoundError)) this.logger.warn('marking pod not ready failed', { pod: key, error: message(e) });
      }
    }
  }

  private async reconcilePod(namespace: string, name: string): Promise<ReconcileResult | void> {
    const pod = this.pods?.store.get(`${namespace}/${name}`);
    if (!pod || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) return;
    const node = this.nodes?.store.get(pod.spec.nodeName);
    if (!node) return; // PodGC's business
    const now = this.clock.now();
    const taints = node.spec?.taints ?? [];
    const deadline = evictionDeadline(taints, pod.spec.tolerations ?? [], now);
    if (deadline === undefined) return;
    if (deadline > now) return { requeueAfterMs: deadline - now };
    // Our taints while the cluster (not the node) looks sick: hold off, as Kubernetes does by lifting them.
    if (taints.some(isLifecycleTaint) && this.zoneView(now).taintRate(zoneOf(node)) <= 0) return { requeueAfterMs: this.o.nodeMonitorPeriodMs };
    try {
      // As Kubernetes' taint manager: DisruptionTarget first (a Job's podFailurePolicy may ignore such a failure).
      await markDisruptionTarget(this.api, pod, disruptions.taintManager, now);
      await this.api.delete(podsResource, namespace, name, { preconditions: { uid: pod.metadata.uid ?? '' } });
    } catch (e) {
      if (e instanceof NotFoundError || e instanceof ConflictError) return;
      throw e;
    }
    this.logger.info('evicted pod from tainted node', { pod: `${namespace}/${name}`, node: node.metadata.name });
    this.events.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
  }
}
