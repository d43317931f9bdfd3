// The namespace controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.namespace`): workers, recheckMs, maxRecheckMs.

import type { ControllerFactory } from '../context.js';
import { namespaceController, type NamespaceControllerConfig } from './namespaceController.js';
import { optionsValidator } from './options.js';

const validate = optionsValidator<Partial<NamespaceControllerConfig>>('namespace', {
  workers: { type: 'integer', minimum: 1, maximum: 100, nullable: true },
  recheckMs: { type: 'integer', minimum: 10, maximum: 3_600_000, nullable: true },
  maxRecheckMs: { type: 'integer', minimum: 10, maximum: 3_600_000, nullable: true },
});

export const namespaceControllerFactory: ControllerFactory = (ctx) => {
  const config = validate(ctx.options);
  return namespaceController({ api: ctx.api, recorder: ctx.recorder('namespace-controller'), clock: ctx.clock, logger: ctx.logger, config });
};
