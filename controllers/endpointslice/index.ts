// The EndpointSlice controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.endpointslice`): workers, maxEndpointsPerSlice (1..1000, default 100).

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { EndpointSliceController } from './controller.js';

const options = controllerOptions<{ workers: number; maxEndpointsPerSlice: number }>('endpointslice', {
  workers: workersSetting,
  maxEndpointsPerSlice: { type: 'integer', minimum: 1, maximum: 1000 },
});

export const endpointSliceControllerFactory: ControllerFactory = (ctx) =>
  new EndpointSliceController({ api: ctx.api, events: ctx.recorder('endpointslice-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
