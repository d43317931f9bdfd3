// The CronJob controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.cronjob`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { CronJobController } from './controller.js';

const options = controllerOptions<{ workers: number }>('cronjob', { workers: workersSetting });

export const cronJobControllerFactory: ControllerFactory = (ctx) =>
  new CronJobController({ api: ctx.api, events: ctx.recorder('cronjob-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
