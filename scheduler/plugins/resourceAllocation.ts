// Scores from how full a node would be with the pod on it, per resource, weighted:
// - MostAllocated (bin-packing, Gantry's default): fuller is better, so pods pack onto few
//   nodes and whole nodes stay free;
// - LeastAllocated (spreading): emptier is better;
// - BalancedAllocation: nodes whose resources fill evenly are better (a node with all its
//   CPU taken but its memory free strands that memory).
// Requested amounts are the pods' requests (not usage), as in Kubernetes' NodeResourcesFit
// scoring. Scores are real numbers in [0, 100], not truncated to integers, so nearly-full
// nodes are told apart — which is what bin-packing needs.

import { Ajv, type JSONSchemaType } from 'ajv';
import type { CycleState } from '../framework/cycleState.js';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { amountOf, amountReader, type Resource } from '../framework/resource.js';
import { Status } from '../framework/status.js';

export interface ResourceSpec {
  name: string;
  weight: number;
}

export interface ResourceAllocationArgs {
  resources?: ResourceSpec[];
}

export const defaultResources: readonly ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

const argsSchema: JSONSchemaType<ResourceAllocationArgs> = {
  type: 'object',
  properties: {
    resources: {
      type: 'array',
      nullable: true,
      minItems: 1,
      items: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1 }, weight: { type: 'integer', minimum: 1, maximum: 100 } },
        required: ['name', 'weight'],
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};
const validateArgs = new Ajv({ allErrors: true }).compile(argsSchema);

export function parseResourceArgs(plugin: string, args: unknown): readonly ResourceSpec[] {
  if (args === undefined || args === null) return defaultResources;
  if (!validateArgs(args)) {
    const why = (validateArgs.errors ?? []).map((e) => `${e.instancePath || 'args'} ${e.message ?? 'is invalid'}`).join('; ');
    throw new Error(`invalid args for plugin ${plugin}: ${why}`);
  }
  return args.resources ?? defaultResources;
}

interface CompiledResource {
  read: (r: Resource) => number;
  weight: number;
}

/** requested (with the pod) and allocatable per configured resource; resources the node lacks are skipped. */
function fill(resources: readonly CompiledResource[], pod: PodInfo, ni: NodeInfo, out: { requested: number[]; allocatable: number[]; weights: number[] }): number {
  let n = 0;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    const alloc = r.read(ni.allocatable);
    if (alloc <= 0) continue;
    out.requested[n] = r.read(ni.requested) + r.read(pod.requests);
    out.allocatable[n] = alloc;
    out.weights[n] = r.weight;
    n++;
  }
  return n;
}

abstract class AllocationScorer implements ScorePlugin, PreScorePlugin {
  abstract readonly name: string;
  private readonly scratch = { requested: [] as number[], allocatable: [] as number[], weights: [] as number[] };
  private readonly compiled: CompiledResource[];
  constructor(protected readonly resources: readonly ResourceSpec[]) {
    this.compiled = resources.map((r) => ({ read: amountReader(r.name), weight: r.weight }));
  }

  /** Pods that request none of the resources get no opinion from this plugin. */
  preScore(_s: CycleState, pod: PodInfo): Status {
    for (const r of this.resources) if (amountOf(pod.requests, r.name) > 0) return Status.success;
    return Status.skip;
  }

  score(_s: CycleState, pod: PodInfo, ni: NodeInfo): number {
    const s = this.scratch;
    const n = fill(this.compiled, pod, ni, s);
    return this.combine(s.requested, s.allocatable, s.weights, n);
  }

  protected abstract combine(requested: number[], allocatable: number[], weights: number[], n: number): number;
}

export class MostAllocated extends AllocationScorer {
  readonly name = 'MostAllocated';
  protected combine(requested: number[], allocatable: number[], weights: number[], n: number): number {
    let sum = 0;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      const req = Math.min(requested[i]!, allocatable[i]!);
      sum += ((req * MAX_NODE_SCORE) / allocatable[i]!) * weights[i]!;
      wsum += weights[i]!;
    }
    return wsum ? sum / wsum : 0;
  }
}

export class LeastAllocated extends AllocationScorer {
  readonly name = 'LeastAllocated';
  protected combine(requested: number[], allocatable: number[], weights: number[], n: number): number {
    let sum = 0;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      const free = requested[i]! > allocatable[i]! ? 0 : allocatable[i]! - requested[i]!;
      sum += ((free * MAX_NODE_SCORE) / allocatable[i]!) * weights[i]!;
      wsum += weights[i]!;
    }
    return wsum ? sum / wsum : 0;
  }
}

export class BalancedAllocation extends AllocationScorer {
  readonly name = 'BalancedAllocation';
  protected combine(requested: number[], allocatable: number[], _weights: number[], n: number): number {
    if (n === 0) return 0;
    // The standard deviation of the fill fractions: 0 when every resource is equally full.
    let mean = 0;
    const f: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = Math.min(requested[i]! / allocatable[i]!, 1);
      f.push(x);
      mean += x;
    }
    mean /= n;
    let variance = 0;
    for (const x of f) variance += (x - mean) * (x - mean);
    const std = n === 2 ? Math.abs(f[0]! - f[1]!) / 2 : Math.sqrt(variance / n);
    return (1 - std) * MAX_NODE_SCORE;
  }
}
