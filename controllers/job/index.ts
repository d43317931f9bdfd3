// The Job controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.job`): workers, syncBatchPeriodMs.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { JobController } from './controller.js';

const options = controllerOptions<{ workers: number; syncBatchPeriodMs: number }>('job', { workers: workersSetting, syncBatchPeriodMs: { type: 'integer', minimum: 0, maximum: 60_000 } });

export const jobControllerFactory: ControllerFactory = (ctx) =>
  new JobController({ api: ctx.api, events: ctx.recorder('job-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
