// VolumeBinding's args (pluginConfig), as kube-scheduler's VolumeBindingArgs:
//
//   pluginConfig:
//     - name: VolumeBinding
//       args:
//         bindTimeoutSeconds: 600   # how long PreBind waits for the pod's claims to be bound
//
// Kubernetes' default is 600 s; the wait ends earlier as soon as every claim is bound, or
// the provisioner gives the claim back (removes the selected node).

import { Ajv, type JSONSchemaType } from 'ajv';

export interface VolumeBindingArgs {
  bindTimeoutSeconds: number;
}

export const defaultBindTimeoutSeconds = 600;

const schema: JSONSchemaType<Partial<VolumeBindingArgs>> = {
  type: 'object',
  properties: {
    // Kubernetes accepts 0 (meaning its default); a wait of no time would only fail pods.
    bindTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400, nullable: true },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export function parseVolumeBindingArgs(plugin: string, args: unknown): VolumeBindingArgs {
  if (args === undefined || args === null) return { bindTimeoutSeconds: defaultBindTimeoutSeconds };
  if (!validate(args)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath || 'args'} ${e.message ?? 'is invalid'}`).join('; ');
    throw new Error(`invalid args for plugin ${plugin}: ${why}`);
  }
  return { bindTimeoutSeconds: args.bindTimeoutSeconds ?? defaultBindTimeoutSeconds };
}
