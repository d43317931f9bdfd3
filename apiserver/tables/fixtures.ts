// Test builders for the printers' tests: small objects shaped like wire JSON
// (timestamps as RFC3339 strings), relative to a fixed `NOW`.

import type { KubeObject } from '../../common/api/meta.js';
import { durationUnits } from '../../common/duration.js';

export const NOW = Date.parse('2024-05-01T12:00:00Z');
export const { SECOND, MINUTE, HOUR, DAY } = durationUnits;

/** The RFC3339 timestamp `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
}

type Json = Record<string, unknown>;

interface ContainerOpts {
  ready?: boolean;
  started?: boolean;
  restarts?: number;
  /** When the previous run ended, as time before NOW. */
  lastTerminatedAgo?: number;
  running?: boolean;
  waiting?: string;
  terminated?: { reason?: string; exitCode?: number; signal?: number };
}

function containerStatus(name: string, o: ContainerOpts): Json {
  let state: Json = {};
  if (o.waiting !== undefined) state = { waiting: { reason: o.waiting } };
  else if (o.terminated) state = { terminated: { exitCode: o.terminated.exitCode ?? 0, ...o.terminated } };
  else if (o.running) state = { running: { startedAt: ago(HOUR) } };
  const status: Json = { name, image: `${name}:1`, imageID: '', ready: o.ready ?? false, restartCount: o.restarts ?? 0, state };
  if (o.started !== undefined) status['started'] = o.started;
  if (o.lastTerminatedAgo !== undefined) status['lastState'] = { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(o.lastTerminatedAgo) } };
  return status;
}

export class PodBuilder {
  private readonly pod: { metadata: Json; spec: { containers: Json[]; initContainers?: Json[]; [k: string]: unknown }; status: Json & { conditions?: Json[] } };

  constructor(name: string) {
    this.pod = { metadata: { name, namespace: 'default', creationTimestamp: ago(5 * MINUTE) }, spec: { containers: [] }, status: {} };
  }

  created(msAgo: number): this {
    this.pod.metadata['creationTimestamp'] = ago(msAgo);
    return this;
  }

  deleting(): this {
    this.pod.metadata['deletionTimestamp'] = ago(0);
    return this;
  }

  phase(phase: string, reason?: string): this {
    this.pod.status['phase'] = phase;
    if (reason) this.pod.status['reason'] = reason;
    return this;
  }

  /** A regular container, with its status when `o` is given. */
  container(name: string, o?: ContainerOpts): this {
    this.pod.spec.containers.push({ name, image: `${name}:1` });
    if (o) ((this.pod.status['containerStatuses'] ??= []) as Json[]).push(containerStatus(name, o));
    return this;
  }

  /** An init container; `sidecar` makes it restartable (restartPolicy Always). */
  init(name: string, o?: ContainerOpts, sidecar = false): this {
    (this.pod.spec.initContainers ??= []).push({ name, image: `${name}:1`, ...(sidecar ? { restartPolicy: 'Always' } : {}) });
    if (o) ((this.pod.status['initContainerStatuses'] ??= []) as Json[]).push(containerStatus(name, o));
    return this;
  }

  condition(type: string, status: string, reason?: string): this {
    (this.pod.status.conditions ??= []).push({ type, status, ...(reason ? { reason } : {}) });
    return this;
  }

  readinessGate(conditionType: string): this {
    ((this.pod.spec['readinessGates'] ??= []) as Json[]).push({ conditionType });
    return this;
  }

  node(name: string): this {
    this.pod.spec['nodeName'] = name;
    return this;
  }

  ip(ip: string): this {
    this.pod.status['podIP'] = ip;
    this.pod.status['podIPs'] = [{ ip }];
    return this;
  }

  nominated(node: string): this {
    this.pod.status['nominatedNodeName'] = node;
    return this;
  }

  obj(): KubeObject {
    return { apiVersion: 'v1', kind: 'Pod', ...structuredClone(this.pod) } as KubeObject;
  }
}

export function makePod(name = 'web'): PodBuilder {
  return new PodBuilder(name);
}

/** Any object: `make('Node', 'n1', { spec: {...} })`, created 10 minutes before NOW unless `metadata` says otherwise. */
export function make(kind: string, name: string, fields: Json = {}, metadata: Json = {}): KubeObject {
  return { kind, metadata: { name, creationTimestamp: ago(10 * MINUTE), ...metadata }, ...fields } as KubeObject;
}
