// Which plugins run, in what order, with what weights: the defaults below, changed by the
// `plugins` section of the scheduler's config file in kube-scheduler's style:
//
//   plugins:
//     filter:
//       disabled: [{ name: NodePorts }]          # or [{ name: '*' }] to start from none
//     score:
//       disabled: [{ name: MostAllocated }]
//       enabled:  [{ name: LeastAllocated, weight: 2 }]   # spread instead of pack
//   pluginConfig:
//     - name: LeastAllocated
//       args: { resources: [{ name: cpu, weight: 2 }, { name: memory, weight: 1 }] }
//
// Enabling a plugin that is already on changes its weight; new ones are appended.

import { Framework } from '../framework/framework.js';
import { isFilter, isScore, type FilterPlugin, type Plugin } from '../framework/interfaces.js';
import type { TimerClock } from '../../common/clock.js';
import type { VolumeBinder } from '../framework/interfaces.js';
import { pluginHandle, type VolumeListers, type WorkloadListers } from '../framework/listers.js';
import { inTreeRegistry, type PluginFactory } from '../plugins/registry.js';

export interface PluginRef {
  name: string;
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}

export interface PluginsConfig {
  filter?: PluginSet;
  score?: PluginSet;
}

export interface PluginArgs {
  name: string;
  args?: unknown;
}

export interface ResolvedProfile {
  filters: string[];
  scores: { name: string; weight: number }[];
}

export const defaultFilters: readonly string[] = [
  'NodeUnschedulable',
  'NodeName',
  'TaintToleration',
  'NodeAffinity',
  'NodePorts',
  'NodeResourcesFit',
  'VolumeBinding',
  'PodTopologySpread',
  'InterPodAffinity',
];

/**
 * Bin-packing first: Gantry packs by cgroup requests. Replicas of one workload still spread
 * over hosts: PodTopologySpread's default constraints (weight 2, as in Kubernetes) outweigh
 * the small differences MostAllocated sees between nodes, while pods of different workloads
 * (which do not count against each other) pack.
 */
export const defaultScores: readonly { name: string; weight: number }[] = [
  { name: 'MostAllocated', weight: 1 },
  { name: 'BalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'TaintToleration', weight: 3 },
];

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

function disabledAll(set: PluginSet | undefined): boolean {
  return !!set?.disabled?.some((d) => d.name === '*');
}

export function resolveProfile(plugins: PluginsConfig = {}): ResolvedProfile {
  const fDisabled = new Set((plugins.filter?.disabled ?? []).map((d) => d.name));
  const filters = disabledAll(plugins.filter) ? [] : defaultFilters.filter((n) => !fDisabled.has(n));
  for (const e of plugins.filter?.enabled ?? []) if (!filters.includes(e.name)) filters.push(e.name);

  const sDisabled = new Set((plugins.score?.disabled ?? []).map((d) => d.name));
  const scores = disabledAll(plugins.score) ? [] : defaultScores.filter((s) => !sDisabled.has(s.name)).map((s) => ({ ...s }));
  for (const e of plugins.score?.enabled ?? []) {
    const existing = scores.find((s) => s.name === e.name);
    if (existing) existing.weight = e.weight ?? existing.weight;
    else scores.push({ name: e.name, weight: e.weight ?? 1 });
  }
  return { filters, scores };
}

export interface BuildOptions {
  registry?: ReadonlyMap<string, PluginFactory>;
  /** Services and ReplicaSets, for plugins that group pods by workload (default: none). */
  workloads?: WorkloadListers;
  /** Claims, volumes and classes, for VolumeBinding (default: none). */
  volumes?: VolumeListers;
  /** Writes VolumeBinding's decisions (default: none; a pod that needs a write then fails PreBind). */
  volumeBinder?: VolumeBinder;
  clock?: TimerClock;
}

/** Instantiates the profile's plugins (one instance per name) and checks each can do what it is enabled for. */
export function buildFramework(schedulerName: string, profile: ResolvedProfile, pluginConfig: PluginArgs[] = [], opts: BuildOptions = {}): Framework {
  const registry = opts.registry ?? inTreeRegistry;
  const handle = pluginHandle({
    ...(opts.workloads ? { workloads: opts.workloads } : {}),
    ...(opts.volumes ? { volumes: opts.volumes } : {}),
    ...(opts.volumeBinder ? { volumeBinder: opts.volumeBinder } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const argsByName = new Map<string, unknown>();
  for (const pc of pluginConfig) argsByName.set(pc.name, pc.args);
  const instances = new Map<string, Plugin>();
  const get = (name: string): Plugin => {
    let p = instances.get(name);
    if (p) return p;
    const factory = registry.get(name);
    if (!factory) throw new ProfileError(`unknown plugin ${JSON.stringify(name)} (known: ${[...registry.keys()].join(', ')})`);
    try {
      p = factory(argsByName.get(name), handle);
    } catch (e) {
      throw new ProfileError((e as Error).message);
    }
    instances.set(name, p);
    return p;
  };
  const filters: FilterPlugin[] = profile.filters.map((n) => {
    const p = get(n);
    if (!isFilter(p)) throw new ProfileError(`plugin ${n} cannot be enabled as a filter`);
    return p;
  });
  const scores = profile.scores.map((s) => {
    const p = get(s.name);
    if (!isScore(p)) throw new ProfileError(`plugin ${s.name} cannot be enabled as a score`);
    if (!Number.isInteger(s.weight) || s.weight < 1 || s.weight > 100) throw new ProfileError(`score plugin ${s.name}: weight must be an integer from 1 to 100`);
    return { plugin: p, weight: s.weight };
  });
  for (const name of argsByName.keys()) if (!instances.has(name)) throw new ProfileError(`pluginConfig for ${name}, which is not enabled`);
  return new Framework(schedulerName, { filters, scores });
}
