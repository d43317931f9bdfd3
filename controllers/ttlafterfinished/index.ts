// The TTL-after-finished controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.ttlafterfinished`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { TtlAfterFinishedController } from './controller.js';

const options = controllerOptions<{ workers: number }>('ttlafterfinished', { workers: workersSetting });

export const ttlAfterFinishedControllerFactory: ControllerFactory = (ctx) => new TtlAfterFinishedController({ api: ctx.api, logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
