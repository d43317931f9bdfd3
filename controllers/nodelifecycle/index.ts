// The node lifecycle controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.nodelifecycle`): see options.ts.

import type { ControllerFactory } from '../context.js';
import { NodeLifecycleController } from './controller.js';
import { nodeLifecycleOptions } from './options.js';

export const nodeLifecycleControllerFactory: ControllerFactory = (ctx) =>
  new NodeLifecycleController({ api: ctx.api, events: ctx.recorder('node-controller'), logger: ctx.logger, clock: ctx.clock, options: nodeLifecycleOptions(ctx.options) }).registration();
