// The Endpoints controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.endpoints`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { EndpointsController } from './controller.js';

const options = controllerOptions<{ workers: number }>('endpoints', { workers: workersSetting });

export const endpointsControllerFactory: ControllerFactory = (ctx) =>
  new EndpointsController({ api: ctx.api, events: ctx.recorder('endpoint-controller'), logger: ctx.logger, ...options(ctx.options) }).registration();
