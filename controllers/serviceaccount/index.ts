// The ServiceAccount controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.serviceaccount`): workers, names (default ["default"]).

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { serviceAccountController, type ServiceAccountControllerConfig } from './serviceAccountController.js';

const options = controllerOptions<ServiceAccountControllerConfig>('serviceaccount', {
  workers: workersSetting,
  names: { type: 'array', items: { type: 'string', minLength: 1 } },
});

export const serviceAccountControllerFactory: ControllerFactory = (ctx) =>
  serviceAccountController({ api: ctx.api, recorder: ctx.recorder('service-account-controller'), clock: ctx.clock, logger: ctx.logger, config: options(ctx.options) });
