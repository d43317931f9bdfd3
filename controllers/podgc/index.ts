// PodGC's factory, as registry.ts lists it. Options (config file, `controllerOptions.podgc`):
// terminatedPodThreshold (default 12500, 0 disables), quarantineMs (default 5000).

import type { ControllerFactory } from '../context.js';
import { controllerOptions } from '../options.js';
import { PodGcController, podGcDefaults, type PodGcOptions } from './controller.js';

export const podGcOptions = controllerOptions<PodGcOptions>(
  'podgc',
  { terminatedPodThreshold: { type: 'integer', minimum: 0 }, quarantineMs: { type: 'integer', minimum: 0, maximum: 3_600_000 } },
  podGcDefaults,
);

export const podGcControllerFactory: ControllerFactory = (ctx) => new PodGcController({ api: ctx.api, events: ctx.recorder('pod-garbage-collector'), logger: ctx.logger, clock: ctx.clock, options: podGcOptions(ctx.options) }).registration();
