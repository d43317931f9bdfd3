// The ReplicaSet controller's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.replicaset`): workers, burstReplicas.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { ReplicaSetController } from './controller.js';

const options = controllerOptions<{ workers: number; burstReplicas: number }>('replicaset', {
  workers: workersSetting,
  burstReplicas: { type: 'integer', minimum: 1, maximum: 10_000 },
});

export const replicaSetControllerFactory: ControllerFactory = (ctx) =>
  new ReplicaSetController({ api: ctx.api, events: ctx.recorder('replicaset-controller'), logger: ctx.logger, clock: ctx.clock, ...options(ctx.options) }).registration();
