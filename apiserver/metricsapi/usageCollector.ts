// Gathers the cluster's usage by asking every Ready node's agent for its summary at once,
// each within its own deadline; a node that does not answer in time is left out (logged),
// as metrics-server leaves out a kubelet it cannot scrape. The result is kept for a few
// seconds: `kubectl top` asks for nodes and then pods, and several users may ask at once,
// but the agents' figures only change every sampling interval anyway. Concurrent callers
// share one fan-out.

import { bulkhead, type BulkheadPolicy } from 'cockatiel';
import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import type { StatsSummary } from '../../common/api/statsSummary.js';
import { realClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import { agentEndpointOfNode } from '../proxy/nodeEndpoint.js';
import type { SummaryFetcher } from './summaryClient.js';

export interface Usage {
  cpuNanoCores: number;
  memoryWorkingSetBytes: number;
}

export interface NodePoint extends Usage {
  timestamp: string;
  windowSeconds: number;
}

export interface PodPoint {
  uid: string;
  /** The node whose agent reported it. */
  node: string;
  timestamp: string;
  windowSeconds: number;
  containers: ({ name: string } & Usage)[];
}

export interface UsageSnapshot {
  nodes: Map<string, NodePoint>;
  /** By `namespace/name`. */
  pods: Map<string, PodPoint>;
}

export interface UsageCollectorOptions {
  /** Every Node object (the watch cache's). */
  nodes: () => KubeObject[];
  fetch: SummaryFetcher;
  /** How long a fan-out's result is reused; default 3000 ms. */
  cacheMs?: number;
  /** The deadline of one node's answer; default 4000 ms. */
  nodeTimeoutMs?: number;
  /** How many agents are asked at a time; default 32 (a large cluster queues, each node keeping its own deadline). */
  maxConcurrent?: number;
  clock?: Clock;
  logger: Logger;
}

export function isReady(node: KubeObject): boolean {
  const status = isObject(node.status) ? node.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
}

export const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** What the metrics API reports of one summary: only entries with a CPU rate (two samples), as metrics-server does. */
export function pointsOf(s: StatsSummary, into: UsageSnapshot): void {
  const n = s.node;
  if (n.cpu.usageNanoCores !== undefined) {
    into.nodes.set(n.nodeName, { cpuNanoCores: n.cpu.usageNanoCores, memoryWorkingSetBytes: n.memory.workingSetBytes, timestamp: n.cpu.time, windowSeconds: n.cpu.windowSeconds ?? 0 });
  }
  for (const p of s.pods) {
    // A pod some of whose containers have no rate yet would under-report: left out until they all do.
    if (p.containers.length === 0 || p.containers.some((c) => c.cpu.usageNanoCores === undefined)) continue;
    into.pods.set(podKey(p.podRef.namespace, p.podRef.name), {
      uid: p.podRef.uid,
      node: n.nodeName,
      timestamp: p.cpu.time,
      windowSeconds: p.cpu.windowSeconds ?? Math.max(...p.containers.map((c) => c.cpu.windowSeconds ?? 0)),
      containers: p.containers.map((c) => ({ name: c.name, cpuNanoCores: c.cpu.usageNanoCores!, memoryWorkingSetBytes: c.memory.workingSetBytes })),
    });
  }
}

export class UsageCollector {
  private readonly clock: Clock;
  private readonly cacheMs: number;
  private readonly nodeTimeoutMs: number;
  private readonly limit: BulkheadPolicy;
  private cached: { at: number; snapshot: UsageSnapshot } | undefined;
  private inFlight: Promise<UsageSnapshot> | undefined;
  /** Nodes left out last time: told once when they go, once when they are back, not on every request. */
  private readonly missing = new Set<string>();

  constructor(private readonly o: UsageCollectorOptions) {
    this.clock = o.clock ?? realClock;
    this.cacheMs = o.cacheMs ?? 3000;
    this.nodeTimeoutMs = o.nodeTimeoutMs ?? 4000;
    this.limit = bulkhead(o.maxConcurrent ?? 32, Number.POSITIVE_INFINITY);
  }

  snapshot(): Promise<UsageSnapshot> {
    if (this.cached && this.clock.now() - this.cached.at < this.cacheMs) return Promise.resolve(this.cached.snapshot);
    this.inFlight ??= this.collect().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async collect(): Promise<UsageSnapshot> {
    const snapshot: UsageSnapshot = { nodes: new Map(), pods: new Map() };
    const ready = this.o.nodes().filter(isReady);
    const answers = await Promise.allSettled(ready.map((node) => this.limit.execute(() => this.o.fetch(agentEndpointOfNode(node), this.nodeTimeoutMs))));
    answers.forEach((a, i) => {
      const node = ready[i]!.metadata.name ?? '';
      // An agent speaks only for its own node.
      const why = a.status === 'rejected' ? (a.reason instanceof Error ? a.reason.message : String(a.reason)) : a.value.node.nodeName !== node ? `its agent reported node ${JSON.stringify(a.value.node.nodeName)}` : undefined;
      if (why !== undefined) {
        if (!this.missing.has(node)) this.o.logger.warn('left a node out of the metrics', { node, error: why });
        this.missing.add(node);
        return;
      }
      if (this.missing.delete(node)) this.o.logger.info('a node is back in the metrics', { node });
      pointsOf((a as PromiseFulfilledResult<StatsSummary>).value, snapshot);
    });
    for (const node of this.missing) if (!ready.some((n) => n.metadata.name === node)) this.missing.delete(node);
    this.cached = { at: this.clock.now(), snapshot };
    return snapshot;
  }
}
