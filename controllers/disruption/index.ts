// The disruption controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.disruption`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { DisruptionController } from './controller.js';

const options = controllerOptions<{ workers: number }>('disruption', { workers: workersSetting });

export const disruptionControllerFactory: ControllerFactory = (ctx) =>
  new DisruptionController({ api: ctx.api, events: ctx.recorder('controllermanager'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
