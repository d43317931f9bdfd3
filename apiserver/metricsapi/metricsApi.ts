// The metrics.k8s.io/v1beta1 endpoints: NodeMetrics at /apis/metrics.k8s.io/v1beta1/nodes[/name]
// and PodMetrics at .../namespaces/NS/pods[/name] and .../pods (every namespace). The objects
// they are about come from the API server's own stores (so label and field selectors mean
// what they mean for nodes and pods), the usage from the node agents (usageCollector.ts).
// An object without usage is left out of lists and is NotFound by name, as in
// metrics-server. Read-only: watch and writes are 405, as metrics-server's registered verbs
// (get, list) make them.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { realClock, type Clock } from '../../common/clock.js';
import { MethodNotAllowedError, NotFoundError, NotServedError } from '../../common/errors.js';
import type { RequestInfo, ResourceRequest } from '../http/requestInfo.js';
import { nodeMetrics, podMetrics, type NodeMetrics, type PodMetrics } from './metricsObjects.js';
import { metricsApiVersion, metricsGroup, metricsVersion } from './resources.js';
import { podKey, type PodPoint, type UsageSnapshot } from './usageCollector.js';

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface MetricsApiDeps {
  snapshot: () => Promise<UsageSnapshot>;
  listNodes: (s: Selectors) => Promise<KubeObject[]>;
  /** Throws NotFoundError for an unknown node. */
  getNode: (name: string) => Promise<KubeObject>;
  /** namespace undefined: every namespace. */
  listPods: (namespace: string | undefined, s: Selectors) => Promise<KubeObject[]>;
  getPod: (namespace: string, name: string) => Promise<KubeObject>;
  clock?: Clock;
}

export type MetricsBody = NodeMetrics | PodMetrics | { kind: string; apiVersion: string; metadata: object; items: (NodeMetrics | PodMetrics)[] };

const nodeRef = (name: string): NotFoundError => new NotFoundError({ group: metricsGroup, resource: 'nodemetrics', name });
const podRef = (ns: string, name: string): NotFoundError => new NotFoundError({ group: metricsGroup, resource: 'podmetrics', name: `${ns}/${name}` });

function selectors(q: URLSearchParams): Selectors {
  const s: Selectors = {};
  const l = q.get('labelSelector');
  const f = q.get('fieldSelector');
  if (l) s.labelSelector = l;
  if (f) s.fieldSelector = f;
  return s;
}

const nodeOf = (pod: KubeObject): string => (isObject(pod.spec) && typeof pod.spec.nodeName === 'string' ? pod.spec.nodeName : '');

export class MetricsApi {
  private readonly clock: Clock;

  constructor(private readonly deps: MetricsApiDeps) {
    this.clock = deps.clock ?? realClock;
  }

  serves(info: RequestInfo): info is ResourceRequest {
    return info.kind === 'resource' && info.group === metricsGroup;
  }

  async handle(info: ResourceRequest, query: URLSearchParams): Promise<MetricsBody> {
    const known = info.version === metricsVersion && !info.subresource && ((info.resource === 'nodes' && info.namespace === undefined) || (info.resource === 'pods' && (info.namespace !== undefined || !info.name)));
    if (!known) throw new NotServedError();
    if (info.verb !== 'get' && info.verb !== 'list') throw new MethodNotAllowedError(`the server does not allow this method on the requested resource (${info.verb} ${info.resource}.${metricsGroup})`);
    return info.resource === 'nodes' ? this.nodes(info, query) : this.pods(info, query);
  }

  private async nodes(info: ResourceRequest, query: URLSearchParams): Promise<MetricsBody> {
    const now = this.clock.now();
    if (info.name) {
      const node = await this.deps.getNode(info.name).catch((e: unknown) => {
        throw e instanceof NotFoundError ? nodeRef(info.name!) : e;
      });
      const point = (await this.deps.snapshot()).nodes.get(info.name);
      if (!point) throw nodeRef(info.name);
      return nodeMetrics(node, point, now);
    }
    const [nodes, snap] = await Promise.all([this.deps.listNodes(selectors(query)), this.deps.snapshot()]);
    const items: NodeMetrics[] = [];
    for (const n of nodes) {
      const point = snap.nodes.get(n.metadata.name ?? '');
      if (point) items.push(nodeMetrics(n, point, now));
    }
    items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return { kind: 'NodeMetricsList', apiVersion: metricsApiVersion, metadata: {}, items };
  }

  /** The pod's usage if the agent of the node it is bound to reported this very pod (same uid). */
  private point(snap: UsageSnapshot, pod: KubeObject): PodPoint | undefined {
    const p = snap.pods.get(podKey(pod.metadata.namespace ?? '', pod.metadata.name ?? ''));
    return p && p.uid === pod.metadata.uid && p.node === nodeOf(pod) ? p : undefined;
  }

  private async pods(info: ResourceRequest, query: URLSearchParams): Promise<MetricsBody> {
    const now = this.clock.now();
    if (info.name) {
      const ns = info.namespace ?? '';
      const pod = await this.deps.getPod(ns, info.name).catch((e: unknown) => {
        throw e instanceof NotFoundError ? podRef(ns, info.name!) : e;
      });
      const point = this.point(await this.deps.snapshot(), pod);
      if (!point) throw podRef(ns, info.name);
      return podMetrics(pod, point, now);
    }
    const [pods, snap] = await Promise.all([this.deps.listPods(info.namespace, selectors(query)), this.deps.snapshot()]);
    const items: PodMetrics[] = [];
    for (const pod of pods) {
      const point = this.point(snap, pod);
      if (point) items.push(podMetrics(pod, point, now));
    }
    items.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    return { kind: 'PodMetricsList', apiVersion: metricsApiVersion, metadata: {}, items };
  }
}
