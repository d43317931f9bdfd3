// The StatefulSet controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.statefulset`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { StatefulSetController } from './controller.js';

const options = controllerOptions<{ workers: number }>('statefulset', { workers: workersSetting });

export const statefulSetControllerFactory: ControllerFactory = (ctx) =>
  new StatefulSetController({ api: ctx.api, events: ctx.recorder('statefulset-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
