// PodTopologySpread's args (pluginConfig), as kube-scheduler's PodTopologySpreadArgs:
//
//   pluginConfig:
//     - name: PodTopologySpread
//       args:
//         defaultingType: List            # System (the default) or List
//         defaultConstraints:             # only with List; for pods that set no constraints
//           - { maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway }
//
// Default constraints carry no selector: each pod's comes from the Services and ReplicaSet
// that select it (workloadSelector.ts).

import { Ajv, type JSONSchemaType } from 'ajv';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export type WhenUnsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';

export interface DefaultConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: WhenUnsatisfiable;
}

export interface PodTopologySpreadArgs {
  defaultingType?: 'System' | 'List';
  defaultConstraints?: DefaultConstraint[];
}

export interface ParsedSpreadArgs {
  /** True with the System defaults: then nodes lacking a topology key still count for the others. */
  systemDefaulted: boolean;
  defaults: readonly DefaultConstraint[];
}

/** Kubernetes' system defaults: soft spreading over hosts, and more loosely over zones. */
export const systemDefaultConstraints: readonly DefaultConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3, whenUnsatisfiable: 'ScheduleAnyway' },
  { topologyKey: LABEL_ZONE, maxSkew: 5, whenUnsatisfiable: 'ScheduleAnyway' },
];

const schema: JSONSchemaType<PodTopologySpreadArgs> = {
  type: 'object',
  properties: {
    defaultingType: { type: 'string', enum: ['System', 'List'], nullable: true },
    defaultConstraints: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        properties: {
          maxSkew: { type: 'integer', minimum: 1 },
          topologyKey: { type: 'string', minLength: 1 },
          whenUnsatisfiable: { type: 'string', enum: ['DoNotSchedule', 'ScheduleAnyway'] },
        },
        required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
        // No labelSelector: a default constraint's selector is worked out per pod.
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export function parsePodTopologySpreadArgs(plugin: string, args: unknown): ParsedSpreadArgs {
  if (args === undefined || args === null) return { systemDefaulted: true, defaults: systemDefaultConstraints };
  if (!validate(args)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath || 'args'} ${e.message ?? 'is invalid'}`).join('; ');
    throw new Error(`invalid args for plugin ${plugin}: ${why}`);
  }
  const list = args.defaultConstraints ?? [];
  if ((args.defaultingType ?? 'System') === 'System') {
    if (list.length) throw new Error(`invalid args for plugin ${plugin}: /defaultConstraints must be empty when defaultingType is System`);
    return { systemDefaulted: true, defaults: systemDefaultConstraints };
  }
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const k = `${c.topologyKey}\x00${c.whenUnsatisfiable}`;
    if (seen.has(k)) throw new Error(`invalid args for plugin ${plugin}: /defaultConstraints/${i} repeats topologyKey ${c.topologyKey} with whenUnsatisfiable ${c.whenUnsatisfiable}`);
    seen.add(k);
  });
  return { systemDefaulted: false, defaults: list.map((c) => ({ ...c })) };
}
