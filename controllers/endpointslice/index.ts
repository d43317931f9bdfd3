// The EndpointSlice controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.endpointslice`): workers, maxEndpointsPerSlice (1..1000, default 100).

import { Ajv, type JSONSchemaType } from 'ajv';
import type { ControllerFactory } from '../context.js';
import { EndpointSliceController } from './controller.js';

interface EndpointSliceOptions {
  workers?: number;
  maxEndpointsPerSlice?: number;
}

const schema: JSONSchemaType<EndpointSliceOptions> = {
  type: 'object',
  properties: {
    workers: { type: 'integer', minimum: 1, maximum: 100, nullable: true },
    maxEndpointsPerSlice: { type: 'integer', minimum: 1, maximum: 1000, nullable: true },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export const endpointSliceControllerFactory: ControllerFactory = (ctx) => {
  const o: unknown = ctx.options;
  if (!validate(o)) {
    const problems = (validate.errors ?? []).map((e) => (e.keyword === 'additionalProperties' ? `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}` : `${e.instancePath.slice(1) || 'options'} ${e.message ?? 'is invalid'}`));
    throw new Error(`controllerOptions.endpointslice: ${problems.join('; ')}`);
  }
  const c = new EndpointSliceController({
    api: ctx.api,
    events: ctx.recorder('endpointslice-controller'),
    logger: ctx.logger,
    clock: ctx.clock,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.maxEndpointsPerSlice !== undefined ? { maxEndpointsPerSlice: o.maxEndpointsPerSlice } : {}),
  });
  return c.registration();
};
