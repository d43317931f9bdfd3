// The Deployment controller's factory, as controllers/registry.ts lists it. Options (config
// file, `controllerOptions.deployment`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { DeploymentController } from './controller.js';

const options = controllerOptions<{ workers: number }>('deployment', { workers: workersSetting });

export const deploymentControllerFactory: ControllerFactory = (ctx) =>
  new DeploymentController({ api: ctx.api, events: ctx.recorder('deployment-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
