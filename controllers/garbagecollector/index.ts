// The garbage collector's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.garbagecollector`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { garbageCollectorController } from './garbageCollector.js';

const options = controllerOptions<{ workers: number }>('garbagecollector', { workers: workersSetting });

export const garbageCollectorControllerFactory: ControllerFactory = (ctx) =>
  garbageCollectorController({ api: ctx.api, recorder: ctx.recorder('garbage-collector-controller'), clock: ctx.clock, logger: ctx.logger, config: options(ctx.options) });
