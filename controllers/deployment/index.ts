// The Deployment controller's factory, as controllers/registry.ts lists it. Options (config
// file, `controllerOptions.deployment`): workers.

import { Ajv, type JSONSchemaType } from 'ajv';
import type { ControllerFactory } from '../context.js';
import { DeploymentController } from './controller.js';

interface DeploymentOptions {
  workers?: number;
}

const schema: JSONSchemaType<DeploymentOptions> = {
  type: 'object',
  properties: {
    workers: { type: 'integer', minimum: 1, maximum: 100, nullable: true },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export const deploymentControllerFactory: ControllerFactory = (ctx) => {
  if (!validate(ctx.options)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || 'options'} ${e.message ?? 'is invalid'}`);
    throw new Error(`controllerOptions.deployment: ${problems.join('; ')}`);
  }
  const options = ctx.options as DeploymentOptions;
  const c = new DeploymentController({
    api: ctx.api,
    events: ctx.recorder('deployment-controller'),
    logger: ctx.logger,
    clock: ctx.clock,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  });
  return c.registration();
};
