// The Endpoints controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.endpoints`): workers.

import { Ajv, type JSONSchemaType } from 'ajv';
import type { ControllerFactory } from '../context.js';
import { EndpointsController } from './controller.js';

interface EndpointsOptions {
  workers?: number;
}

const schema: JSONSchemaType<EndpointsOptions> = {
  type: 'object',
  properties: { workers: { type: 'integer', minimum: 1, maximum: 100, nullable: true } },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export const endpointsControllerFactory: ControllerFactory = (ctx) => {
  const o: unknown = ctx.options;
  if (!validate(o)) {
    const problems = (validate.errors ?? []).map((e) => (e.keyword === 'additionalProperties' ? `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}` : `${e.instancePath.slice(1) || 'options'} ${e.message ?? 'is invalid'}`));
    throw new Error(`controllerOptions.endpoints: ${problems.join('; ')}`);
  }
  const c = new EndpointsController({ api: ctx.api, events: ctx.recorder('endpoint-controller'), logger: ctx.logger, ...(o.workers !== undefined ? { workers: o.workers } : {}) });
  return c.registration();
};
