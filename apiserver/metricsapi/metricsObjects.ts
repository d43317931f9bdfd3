// NodeMetrics and PodMetrics as metrics-server writes them: the object's name, namespace and
// labels (so label selectors read the same), a creationTimestamp of now (they are made on
// request), the sample's timestamp and window, CPU in nanocores and memory (the working set)
// in Ki.

import type { KubeObject } from '../../common/api/meta.js';
import type { NodePoint, PodPoint, Usage } from './usageCollector.js';
import { metricsApiVersion } from './resources.js';

export interface ResourceUsage {
  cpu: string;
  memory: string;
}

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: string;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: string;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: { name: string; usage: ResourceUsage }[];
}

export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** A duration as Go's time.Duration prints it (what metav1.Duration puts on the wire): 10.5s, 1m2.25s, 0s. */
export function goDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

export function cpuQuantity(nanoCores: number): string {
  return `${Math.max(0, Math.round(nanoCores))}n`;
}

export function memoryQuantity(bytes: number): string {
  const b = Math.max(0, Math.round(bytes));
  return b % 1024 === 0 ? `${b / 1024}Ki` : String(b);
}

function usageOf(u: Usage): ResourceUsage {
  return { cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryWorkingSetBytes) };
}

function labelsOf(obj: KubeObject): { labels?: Record<string, string> } {
  const labels = obj.metadata.labels;
  return labels && Object.keys(labels).length ? { labels: { ...labels } } : {};
}

export function nodeMetrics(node: KubeObject, p: NodePoint, now: number): NodeMetrics {
  return {
    kind: 'NodeMetrics',
    apiVersion: metricsApiVersion,
    metadata: { name: node.metadata.name ?? '', creationTimestamp: rfc3339(now), ...labelsOf(node) },
    timestamp: p.timestamp,
    window: goDuration(p.windowSeconds),
    usage: usageOf(p),
  };
}

export function podMetrics(pod: KubeObject, p: PodPoint, now: number): PodMetrics {
  return {
    kind: 'PodMetrics',
    apiVersion: metricsApiVersion,
    metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', creationTimestamp: rfc3339(now), ...labelsOf(pod) },
    timestamp: p.timestamp,
    window: goDuration(p.windowSeconds),
    containers: p.containers.map((c) => ({ name: c.name, usage: usageOf(c) })),
  };
}
