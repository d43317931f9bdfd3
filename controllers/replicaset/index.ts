// The ReplicaSet controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.replicaset`): workers, burstReplicas.

import { Ajv, type JSONSchemaType } from 'ajv';
import type { ControllerFactory } from '../context.js';
import { ReplicaSetController } from './controller.js';

interface ReplicaSetOptions {
  workers?: number;
  burstReplicas?: number;
}

const schema: JSONSchemaType<ReplicaSetOptions> = {
  type: 'object',
  properties: {
    workers: { type: 'integer', minimum: 1, maximum: 100, nullable: true },
    burstReplicas: { type: 'integer', minimum: 1, maximum: 10_000, nullable: true },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export const replicaSetControllerFactory: ControllerFactory = (ctx) => {
  const o: unknown = ctx.options;
  if (!validate(o)) {
    const problems = (validate.errors ?? []).map((e) => (e.keyword === 'additionalProperties' ? `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}` : `${e.instancePath.slice(1) || 'options'} ${e.message ?? 'is invalid'}`));
    throw new Error(`controllerOptions.replicaset: ${problems.join('; ')}`);
  }
  const c = new ReplicaSetController({
    api: ctx.api,
    events: ctx.recorder('replicaset-controller'),
    logger: ctx.logger,
    clock: ctx.clock,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.burstReplicas !== undefined ? { burstReplicas: o.burstReplicas } : {}),
  });
  return c.registration();
};
