// The local-path provisioner's factory, as registry.ts lists it (`localpath-provisioner`).
// Options (config file, `controllerOptions.localpath-provisioner`): workers, retryAfterMs.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { LocalPathProvisioner } from './controller.js';
import { localPathComponent } from './names.js';

const options = controllerOptions<{ workers: number; retryAfterMs: number }>('localpath-provisioner', { workers: workersSetting, retryAfterMs: { type: 'integer', minimum: 100, maximum: 600_000 } });

export const localPathProvisionerFactory: ControllerFactory = (ctx) => new LocalPathProvisioner({ api: ctx.api, events: ctx.recorder(localPathComponent), logger: ctx.logger, ...options(ctx.options) }).registration();
