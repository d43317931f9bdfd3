// What a pod asks of its node and what a node offers, counted the way the scheduler's
// bin-packer counts them (scheduler/framework/resource.ts), from the API objects alone: the
// CLI may not import scheduler code. Containers run together, so their amounts add up;
// ordinary init containers run one at a time first, so only the largest counts; restartable
// (sidecar) init containers keep running, so they add to everything started after them; the
// pod overhead is added on top. The pods a node carries are those bound to it that have not
// finished (the scheduler's informer leaves out Succeeded and Failed pods).
// Amounts are plain numbers: cpu in millicores, everything else in base units (bytes, count).

import { tryParseQuantity } from '../../common/quantity.js';
import type { Quantities } from './describe/wire.js';

export type Amounts = Map<string, number>;

interface Resourced {
  name?: string;
  resources?: { requests?: Quantities; limits?: Quantities };
  restartPolicy?: string;
}

export interface PodLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { nodeName?: string; containers?: Resourced[]; initContainers?: Resourced[]; overhead?: Quantities };
  status?: { phase?: string };
}

export interface NodeLike {
  metadata?: { name?: string };
  status?: { allocatable?: Quantities; capacity?: Quantities };
}

export function amount(name: string, raw: string | number): number {
  const q = tryParseQuantity(raw);
  if (!q.ok) return 0; // the API server validated it; a bad one counts as nothing, as in the scheduler
  return Number(name === 'cpu' ? q.quantity.milliValue() : q.quantity.value());
}

export function amountsOf(list: Quantities | undefined): Amounts {
  const out: Amounts = new Map();
  for (const [k, v] of Object.entries(list ?? {})) out.set(k, amount(k, v));
  return out;
}

function addInto(into: Amounts, a: Amounts): void {
  for (const [k, v] of a) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: Amounts, a: Amounts): void {
  for (const [k, v] of a) into.set(k, Math.max(into.get(k) ?? 0, v));
}

function sum(a: Amounts, b: Amounts): Amounts {
  const out = new Map(a);
  addInto(out, b);
  return out;
}

/** A pod's effective requests or limits. */
export function podAmounts(pod: PodLike, which: 'requests' | 'limits'): Amounts {
  const total: Amounts = new Map();
  const spec = pod.spec;
  if (!spec) return total;
  for (const c of spec.containers ?? []) addInto(total, amountsOf(c.resources?.[which]));
  const sidecars: Amounts = new Map();
  const initPeak: Amounts = new Map();
  for (const c of spec.initContainers ?? []) {
    const a = amountsOf(c.resources?.[which]);
    if (c.restartPolicy === 'Always') {
      addInto(total, a);
      addInto(sidecars, a);
      maxInto(initPeak, sidecars);
    } else {
      maxInto(initPeak, sum(a, sidecars));
    }
  }
  maxInto(total, initPeak);
  if (spec.overhead) addInto(total, amountsOf(spec.overhead));
  return total;
}

/** What the scheduler may place on the node: allocatable, else capacity. */
export function nodeAllocatable(node: NodeLike): Amounts {
  return amountsOf(node.status?.allocatable ?? node.status?.capacity);
}

/** Whether the pod still holds its node's resources. */
export function holdsResources(pod: PodLike): boolean {
  return Boolean(pod.spec?.nodeName) && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export interface NodeUsage {
  allocatable: Amounts;
  requests: Amounts;
  limits: Amounts;
  /** Pods bound to the node that hold resources (each takes one of its `pods`). */
  pods: number;
}

/** Per node name: its allocatable and the sums of its pods' requests and limits. */
export function nodeUsage(nodes: NodeLike[], pods: PodLike[]): Map<string, NodeUsage> {
  const out = new Map<string, NodeUsage>();
  for (const n of nodes) out.set(n.metadata?.name ?? '', { allocatable: nodeAllocatable(n), requests: new Map(), limits: new Map(), pods: 0 });
  for (const p of pods) {
    if (!holdsResources(p)) continue;
    const u = out.get(p.spec!.nodeName!);
    if (!u) continue;
    addInto(u.requests, podAmounts(p, 'requests'));
    addInto(u.limits, podAmounts(p, 'limits'));
    u.pods++;
  }
  return out;
}

const Ki = 1024;
const Mi = Ki * Ki;
const Gi = Mi * Ki;

/** An amount as kubectl top prints it: cpu in millicores, bytes in Mi (Gi, Ki when exact and large or small), counts plain. */
export function formatAmount(name: string, v: number): string {
  if (name === 'cpu') return `${Math.round(v)}m`;
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
    if (v === 0) return '0';
    if (v % Gi === 0) return `${v / Gi}Gi`;
    if (v >= Mi) return `${Math.round(v / Mi)}Mi`;
    if (v % Ki === 0) return `${v / Ki}Ki`;
    return String(v);
  }
  return String(v);
}
