// The ServiceAccount controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.serviceaccount`): workers, names (default ["default"]).

import type { ControllerFactory } from '../context.js';
import { optionsValidator } from '../namespace/options.js';
import { serviceAccountController, type ServiceAccountControllerConfig } from './serviceAccountController.js';

const validate = optionsValidator<Partial<ServiceAccountControllerConfig>>('serviceaccount', {
  workers: { type: 'integer', minimum: 1, maximum: 100, nullable: true },
  names: { type: 'array', items: { type: 'string', minLength: 1 }, nullable: true },
});

export const serviceAccountControllerFactory: ControllerFactory = (ctx) => {
  const config = validate(ctx.options);
  return serviceAccountController({ api: ctx.api, recorder: ctx.recorder('service-account-controller'), clock: ctx.clock, logger: ctx.logger, config });
};
