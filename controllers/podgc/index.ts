// PodGC's factory, as registry.ts lists it. Options (config file, `controllerOptions.podgc`):
// terminatedPodThreshold (default 12500, 0 disables), quarantineMs (default 5000).

import { Ajv, type JSONSchemaType } from 'ajv';
import type { ControllerFactory } from '../context.js';
import { PodGcController, podGcDefaults, type PodGcOptions } from './controller.js';

const schema: JSONSchemaType<Partial<PodGcOptions>> = {
  type: 'object',
  properties: {
    terminatedPodThreshold: { type: 'integer', minimum: 0, nullable: true },
    quarantineMs: { type: 'integer', minimum: 0, maximum: 3_600_000, nullable: true },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export function podGcOptions(options: unknown): PodGcOptions {
  if (!validate(options)) {
    const problems = (validate.errors ?? []).map((e) => (e.keyword === 'additionalProperties' ? `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}` : `${e.instancePath.slice(1) || 'options'} ${e.message ?? 'is invalid'}`));
    throw new Error(`controllerOptions.podgc: ${problems.join('; ')}`);
  }
  return { ...podGcDefaults, ...(options as Partial<PodGcOptions>) };
}

export const podGcControllerFactory: ControllerFactory = (ctx) => new PodGcController({ api: ctx.api, events: ctx.recorder('pod-garbage-collector'), logger: ctx.logger, clock: ctx.clock, options: podGcOptions(ctx.options) }).registration();
