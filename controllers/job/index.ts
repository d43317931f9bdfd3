// The Job controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.job`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { JobController } from './controller.js';

const options = controllerOptions<{ workers: number }>('job', { workers: workersSetting });

export const jobControllerFactory: ControllerFactory = (ctx) =>
  new JobController({ api: ctx.api, events: ctx.recorder('job-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
