// Fixture builders for tests and benchmarks: `makePod().name('a').requests({ cpu: '500m' }).obj()`.
// They build wire objects (plain JSON as the API server stores them), typed through
// @kubernetes/client-node's models. Each call returns the builder, so a fixture reads as
// one line saying only what matters to the test.

import type {
  V1Container,
  V1Node,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1Pod,
  V1PodAffinityTerm,
  V1PriorityClass,
  V1Taint,
  V1Toleration,
  V1TopologySpreadConstraint,
} from '@kubernetes/client-node';

export type ResourceList = Record<string, string>;

let containerSeq = 0;

function labelSelector(matchLabels: Record<string, string>): { matchLabels: Record<string, string> } {
  return { matchLabels: { ...matchLabels } };
}

export class PodBuilder {
  private readonly pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pod', namespace: 'default', uid: '' },
    spec: { containers: [] },
    status: { phase: 'Pending' },
  };

  name(n: string): this {
    this.pod.metadata!.name = n;
    return this;
  }
  namespace(ns: string): this {
    this.pod.metadata!.namespace = ns;
    return this;
  }
  uid(u: string): this {
    this.pod.metadata!.uid = u;
    return this;
  }
  resourceVersion(rv: string): this {
    this.pod.metadata!.resourceVersion = rv;
    return this;
  }
  labels(l: Record<string, string>): this {
    this.pod.metadata!.labels = { ...this.pod.metadata!.labels, ...l };
    return this;
  }
  creationTimestamp(iso: string): this {
    (this.pod.metadata as Record<string, unknown>).creationTimestamp = iso;
    return this;
  }
  /** Marks the pod as being deleted gracefully (deletionTimestamp set). */
  terminating(iso = '2026-01-01T00:00:00Z'): this {
    (this.pod.metadata as Record<string, unknown>).deletionTimestamp = iso;
    return this;
  }
  priority(p: number): this {
    this.pod.spec!.priority = p;
    return this;
  }
  priorityClassName(n: string): this {
    this.pod.spec!.priorityClassName = n;
    return this;
  }
  preemptionPolicy(p: 'PreemptLowerPriority' | 'Never'): this {
    this.pod.spec!.preemptionPolicy = p;
    return this;
  }
  schedulerName(n: string): this {
    this.pod.spec!.schedulerName = n;
    return this;
  }
  nodeName(n: string): this {
    this.pod.spec!.nodeName = n;
    return this;
  }
  nominatedNodeName(n: string): this {
    this.pod.status!.nominatedNodeName = n;
    return this;
  }
  phase(p: string): this {
    this.pod.status!.phase = p;
    return this;
  }
  startTime(iso: string): this {
    (this.pod.status as Record<string, unknown>).startTime = iso;
    return this;
  }
  /** Adds a container with these requests (and limits, if given). */
  requests(req: ResourceList, limits?: ResourceList): this {
    return this.container({ requests: req, ...(limits ? { limits } : {}) });
  }
  /** Adds a container. */
  container(c: { name?: string; image?: string; requests?: ResourceList; limits?: ResourceList; ports?: V1Container['ports'] } = {}): this {
    const container: V1Container = { name: c.name ?? `c${++containerSeq}`, image: c.image ?? 'busybox:1' };
    if (c.requests || c.limits) container.resources = { ...(c.requests ? { requests: { ...c.requests } } : {}), ...(c.limits ? { limits: { ...c.limits } } : {}) };
    if (c.ports) container.ports = c.ports;
    this.pod.spec!.containers.push(container);
    return this;
  }
  /** Adds a container running `image`. */
  image(image: string, requests?: ResourceList): this {
    return this.container({ image, ...(requests ? { requests } : {}) });
  }
  /** Adds an init container; `sidecar` makes it a restartable (restartPolicy: Always) one. */
  initContainer(requests: ResourceList, sidecar = false): this {
    const c: V1Container = { name: `init${++containerSeq}`, image: 'busybox:1', resources: { requests: { ...requests } } };
    if (sidecar) c.restartPolicy = 'Always';
    (this.pod.spec!.initContainers ??= []).push(c);
    return this;
  }
  overhead(o: ResourceList): this {
    this.pod.spec!.overhead = { ...o };
    return this;
  }
  /** Adds a container asking for a host port. */
  hostPort(port: number, protocol = 'TCP', hostIP?: string): this {
    return this.container({ ports: [{ containerPort: port, hostPort: port, protocol, ...(hostIP ? { hostIP } : {}) }] });
  }
  nodeSelector(sel: Record<string, string>): this {
    this.pod.spec!.nodeSelector = { ...this.pod.spec!.nodeSelector, ...sel };
    return this;
  }
  private nodeAffinity(): NonNullable<NonNullable<V1Pod['spec']>['affinity']> {
    return (this.pod.spec!.affinity ??= {});
  }
  /** Required node affinity: a new term (terms are ORed) with one requirement. */
  nodeAffinityTerm(...reqs: V1NodeSelectorRequirement[]): this {
    const na = (this.nodeAffinity().nodeAffinity ??= {});
    const sel = (na.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
    const term: V1NodeSelectorTerm = { matchExpressions: reqs };
    sel.nodeSelectorTerms.push(term);
    return this;
  }
  /** Required node affinity `key in values`, as one more term. */
  nodeAffinityIn(key: string, values: string[]): this {
    return this.nodeAffinityTerm({ key, operator: 'In', values });
  }
  preferredNodeAffinity(weight: number, key: string, values: string[], operator = 'In'): this {
    const na = (this.nodeAffinity().nodeAffinity ??= {});
    (na.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, preference: { matchExpressions: [{ key, operator, values }] } });
    return this;
  }
  toleration(t: V1Toleration): this {
    (this.pod.spec!.tolerations ??= []).push({ ...t });
    return this;
  }
  /** Required pod affinity to pods with `matchLabels` in the same `topologyKey` domain. */
  podAffinity(topologyKey: string, matchLabels: Record<string, string>, namespaces?: string[]): this {
    const a = (this.nodeAffinity().podAffinity ??= {});
    const term: V1PodAffinityTerm = { topologyKey, labelSelector: labelSelector(matchLabels), ...(namespaces ? { namespaces } : {}) };
    (a.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(term);
    return this;
  }
  /** Required pod anti-affinity to pods with `matchLabels` in the same `topologyKey` domain. */
  podAntiAffinity(topologyKey: string, matchLabels: Record<string, string>, namespaces?: string[]): this {
    const a = (this.nodeAffinity().podAntiAffinity ??= {});
    const term: V1PodAffinityTerm = { topologyKey, labelSelector: labelSelector(matchLabels), ...(namespaces ? { namespaces } : {}) };
    (a.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(term);
    return this;
  }
  preferredPodAffinity(weight: number, topologyKey: string, matchLabels: Record<string, string>): this {
    const a = (this.nodeAffinity().podAffinity ??= {});
    (a.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, podAffinityTerm: { topologyKey, labelSelector: labelSelector(matchLabels) } });
    return this;
  }
  preferredPodAntiAffinity(weight: number, topologyKey: string, matchLabels: Record<string, string>): this {
    const a = (this.nodeAffinity().podAntiAffinity ??= {});
    (a.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, podAffinityTerm: { topologyKey, labelSelector: labelSelector(matchLabels) } });
    return this;
  }
  spreadConstraint(maxSkew: number, topologyKey: string, matchLabels: Record<string, string>, opts: { whenUnsatisfiable?: 'DoNotSchedule' | 'ScheduleAnyway'; minDomains?: number } = {}): this {
    const c: V1TopologySpreadConstraint = { maxSkew, topologyKey, whenUnsatisfiable: opts.whenUnsatisfiable ?? 'DoNotSchedule', labelSelector: labelSelector(matchLabels) };
    if (opts.minDomains !== undefined) c.minDomains = opts.minDomains;
    (this.pod.spec!.topologySpreadConstraints ??= []).push(c);
    return this;
  }
  /** The built object (a deep copy, so the builder can go on). A pod without containers gets one. */
  obj(): V1Pod {
    const out = structuredClone(this.pod);
    if (out.spec!.containers.length === 0) out.spec!.containers.push({ name: 'c', image: 'busybox:1' });
    if (!out.metadata!.uid) out.metadata!.uid = `uid-${out.metadata!.namespace}-${out.metadata!.name}`;
    return out;
  }
}

export class NodeBuilder {
  private readonly node: V1Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node', uid: '', labels: {} },
    spec: {},
    status: { capacity: {}, allocatable: {} },
  };

  name(n: string): this {
    this.node.metadata!.name = n;
    this.node.metadata!.labels = { ...this.node.metadata!.labels, 'kubernetes.io/hostname': n };
    return this;
  }
  uid(u: string): this {
    this.node.metadata!.uid = u;
    return this;
  }
  labels(l: Record<string, string>): this {
    this.node.metadata!.labels = { ...this.node.metadata!.labels, ...l };
    return this;
  }
  /** Sets capacity and allocatable alike; `pods` defaults to 110 as on a kubelet. */
  capacity(c: ResourceList): this {
    const withPods = { pods: '110', ...c };
    this.node.status!.capacity = { ...withPods };
    this.node.status!.allocatable = { ...withPods };
    return this;
  }
  allocatable(a: ResourceList): this {
    this.node.status!.allocatable = { ...this.node.status!.allocatable, ...a };
    return this;
  }
  taint(key: string, value: string | undefined, effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'): this {
    const t: V1Taint = { key, effect, ...(value !== undefined ? { value } : {}) };
    (this.node.spec!.taints ??= []).push(t);
    return this;
  }
  unschedulable(u = true): this {
    this.node.spec!.unschedulable = u;
    return this;
  }
  images(images: { names: string[]; sizeBytes: number }[]): this {
    this.node.status!.images = images.map((i) => ({ names: [...i.names], sizeBytes: i.sizeBytes }));
    return this;
  }
  obj(): V1Node {
    const out = structuredClone(this.node);
    if (!out.metadata!.uid) out.metadata!.uid = `uid-node-${out.metadata!.name}`;
    return out;
  }
}

export function makePod(): PodBuilder {
  return new PodBuilder();
}

export function makeNode(): NodeBuilder {
  return new NodeBuilder();
}

export function makePriorityClass(name: string, value: number, opts: { globalDefault?: boolean; preemptionPolicy?: string } = {}): V1PriorityClass {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name },
    value,
    ...(opts.globalDefault ? { globalDefault: true } : {}),
    ...(opts.preemptionPolicy ? { preemptionPolicy: opts.preemptionPolicy } : {}),
  };
}
