// What a benchmark sees of a cluster through watches: the pods, Deployments and Jobs of one
// namespace and every Node, kept current from list + watch, and milestones awaited on them.
// A milestone's predicate is checked after every event, so its time is when the event that
// made it true arrived (no polling interval in the figure).

import type { RestClient } from '../../common/client/restClient.js';

export interface PodLite {
  name: string;
  labels: Record<string, string>;
  node?: string;
  phase?: string;
  ready: boolean;
  deleting: boolean;
  image?: string;
  /** When this view first saw the pod (performance.now()). */
  seenAt: number;
}

export interface DeploymentLite {
  name: string;
  generation: number;
  replicas: number;
  observedGeneration: number;
  statusReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
}

export interface JobLite {
  name: string;
  active: number;
  succeeded: number;
  failed: number;
  /** The type of its Complete or Failed condition once it has one. */
  finished?: 'Complete' | 'Failed';
}

export interface NodeLite {
  name: string;
  ready: string;
  taints: string[];
}

interface Waiter {
  what: string;
  pred: () => boolean;
  resolve: (t: number) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

type Obj = Record<string, unknown> & { metadata?: { name?: string; labels?: Record<string, string>; generation?: number; deletionTimestamp?: string; resourceVersion?: string } };

function podOf(o: Obj, prev: PodLite | undefined): PodLite {
  const spec = (o.spec ?? {}) as { nodeName?: string; containers?: Array<{ image?: string }> };
  const status = (o.status ?? {}) as { phase?: string; conditions?: Array<{ type: string; status: string }> };
  return {
    name: o.metadata!.name!,
    labels: o.metadata!.labels ?? {},
    ...(spec.nodeName ? { node: spec.nodeName } : {}),
    ...(status.phase ? { phase: status.phase } : {}),
    ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    deleting: !!o.metadata!.deletionTimestamp,
    ...(spec.containers?.[0]?.image ? { image: spec.containers[0].image } : {}),
    seenAt: prev?.seenAt ?? performance.now(),
  };
}

function deploymentOf(o: Obj): DeploymentLite {
  const spec = (o.spec ?? {}) as { replicas?: number };
  const s = (o.status ?? {}) as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
  return {
    name: o.metadata!.name!,
    generation: o.metadata!.generation ?? 0,
    replicas: spec.replicas ?? 1,
    observedGeneration: s.observedGeneration ?? 0,
    statusReplicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
  };
}

function jobOf(o: Obj): JobLite {
  const s = (o.status ?? {}) as { active?: number; succeeded?: number; failed?: number; conditions?: Array<{ type: string; status: string }> };
  const finished = s.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type as JobLite['finished'];
  return { name: o.metadata!.name!, active: s.active ?? 0, succeeded: s.succeeded ?? 0, failed: s.failed ?? 0, ...(finished ? { finished } : {}) };
}

function nodeOf(o: Obj): NodeLite {
  const s = (o.status ?? {}) as { conditions?: Array<{ type: string; status: string }> };
  const spec = (o.spec ?? {}) as { taints?: Array<{ key: string; effect: string }> };
  return {
    name: o.metadata!.name!,
    ready: s.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown',
    taints: (spec.taints ?? []).map((t) => `${t.key}:${t.effect}`),
  };
}

/** `kubectl rollout status`'s test: the controller saw the latest spec and every replica is updated and available. */
export function rolledOut(d: DeploymentLite | undefined): boolean {
  return !!d && d.observedGeneration >= d.generation && d.updatedReplicas >= d.replicas && d.statusReplicas <= d.updatedReplicas && d.availableReplicas >= d.updatedReplicas;
}

export class ClusterView {
  readonly pods = new Map<string, PodLite>();
  /** Pods deleted, by name, with the time the DELETED event arrived. */
  readonly gone = new Map<string, number>();
  readonly deployments = new Map<string, DeploymentLite>();
  readonly jobs = new Map<string, JobLite>();
  readonly nodes = new Map<string, NodeLite>();
  private readonly waiters = new Set<Waiter>();
  private readonly stops: Array<() => void> = [];
  /** Called after every event (for milestones recorded by the caller). */
  onChange: (() => void) | undefined;

  private constructor(private readonly client: RestClient) {}

  /** Lists, then watches, the pods, Deployments and Jobs of `namespace` and every Node. */
  static async start(client: RestClient, namespace: string): Promise<ClusterView> {
    const v = new ClusterView(client);
    await v.follow(`/api/v1/namespaces/${namespace}/pods`, (type, o) => {
      const name = o.metadata!.name!;
      if (type === 'DELETED') {
        v.pods.delete(name);
        v.gone.set(name, performance.now());
      } else v.pods.set(name, podOf(o, v.pods.get(name)));
    });
    await v.follow(`/apis/apps/v1/namespaces/${namespace}/deployments`, (type, o) => {
      if (type === 'DELETED') v.deployments.delete(o.metadata!.name!);
      else v.deployments.set(o.metadata!.name!, deploymentOf(o));
    });
    await v.follow(`/apis/batch/v1/namespaces/${namespace}/jobs`, (type, o) => {
      if (type === 'DELETED') v.jobs.delete(o.metadata!.name!);
      else v.jobs.set(o.metadata!.name!, jobOf(o));
    });
    await v.follow('/api/v1/nodes', (type, o) => {
      if (type === 'DELETED') v.nodes.delete(o.metadata!.name!);
      else v.nodes.set(o.metadata!.name!, nodeOf(o));
    });
    return v;
  }

  private async follow(path: string, apply: (type: string, o: Obj) => void): Promise<void> {
    const list = await this.client.get<{ items: Obj[]; metadata: { resourceVersion: string } }>(path, { timeoutMs: 120_000 });
    if (list.status !== 200) throw new Error(`GET ${path}: HTTP ${list.status}: ${list.text.slice(0, 200)}`);
    for (const o of list.body.items) apply('ADDED', o);
    let rv = list.body.metadata.resourceVersion;
    let stopped = false;
    let current: { stop: () => void } | undefined;
    const open = (): void => {
      const w = this.client.watch(path, { resourceVersion: rv, timeoutSeconds: 3600, allowWatchBookmarks: true }, (ev) => {
        const o = ev.object as Obj;
        if (ev.type === 'ERROR') {
          this.fail(new Error(`watch ${path}: ${JSON.stringify(ev.object).slice(0, 300)}`));
          return;
        }
        if (o.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') return;
        apply(ev.type, o);
        this.changed();
      });
      current = w;
      // A stream the server ends is reopened from the last resourceVersion seen.
      void w.done.then(() => {
        if (!stopped) open();
      });
    };
    open();
    this.stops.push(() => {
      stopped = true;
      current?.stop();
    });
  }

  private changed(): void {
    this.onChange?.();
    const now = performance.now();
    for (const w of [...this.waiters]) {
      if (w.pred()) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(now);
      }
    }
  }

  private fail(e: Error): void {
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.reject(e);
    }
  }

  /** Resolves with the time (performance.now()) of the event after which `pred` first held. */
  until(what: string, pred: () => boolean, timeoutMs: number, progress?: () => string): Promise<number> {
    if (pred()) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${progress ? ` (${progress()})` : ''}`));
      }, timeoutMs);
      const w: Waiter = { what, pred, resolve, reject, timer };
      this.waiters.add(w);
    });
  }

  /** Pods carrying every label of `selector`. */
  podsWith(selector: Record<string, string>): PodLite[] {
    return [...this.pods.values()].filter((p) => Object.entries(selector).every(([k, val]) => p.labels[k] === val));
  }

  stop(): void {
    for (const s of this.stops) s();
    this.fail(new Error('the view was stopped'));
  }
}
