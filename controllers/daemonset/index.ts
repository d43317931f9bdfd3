// The DaemonSet controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.daemonset`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { DaemonSetController } from './controller.js';

const options = controllerOptions<{ workers: number }>('daemonset', { workers: workersSetting });

export const daemonSetControllerFactory: ControllerFactory = (ctx) =>
  new DaemonSetController({ api: ctx.api, events: ctx.recorder('daemonset-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
