// The namespace controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.namespace`): workers, recheckMs, maxRecheckMs.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { namespaceController, type NamespaceControllerConfig } from './namespaceController.js';

const options = controllerOptions<NamespaceControllerConfig>('namespace', {
  workers: workersSetting,
  recheckMs: { type: 'integer', minimum: 10, maximum: 3_600_000 },
  maxRecheckMs: { type: 'integer', minimum: 10, maximum: 3_600_000 },
});

export const namespaceControllerFactory: ControllerFactory = (ctx) =>
  namespaceController({ api: ctx.api, recorder: ctx.recorder('namespace-controller'), clock: ctx.clock, logger: ctx.logger, config: options(ctx.options) });
