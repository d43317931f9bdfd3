// The garbage collector's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.garbagecollector`): workers.

import type { ControllerFactory } from '../context.js';
import { optionsValidator } from '../namespace/options.js';
import { garbageCollectorController } from './garbageCollector.js';

interface GarbageCollectorOptions {
  workers?: number;
}

const validate = optionsValidator<GarbageCollectorOptions>('garbagecollector', {
  workers: { type: 'integer', minimum: 1, maximum: 100, nullable: true },
});

export const garbageCollectorControllerFactory: ControllerFactory = (ctx) => {
  const o = validate(ctx.options);
  return garbageCollectorController({
    api: ctx.api,
    recorder: ctx.recorder('garbage-collector-controller'),
    clock: ctx.clock,
    logger: ctx.logger,
    config: o.workers !== undefined ? { workers: o.workers } : {},
  });
};
