// The storage controllers' factories, as registry.ts lists them (Kubernetes' names):
// `persistentvolume-binder`, `pvc-protection`, `pv-protection`. Options (config file,
// `controllerOptions.<name>`): workers.

import type { ControllerFactory } from '../context.js';
import { controllerOptions, workersSetting } from '../options.js';
import { PersistentVolumeBinder } from './binder.js';
import { binderComponent } from './names.js';
import { PvcProtectionController, PvProtectionController } from './protectionControllers.js';

const binderOptions = controllerOptions<{ workers: number }>('persistentvolume-binder', { workers: workersSetting });
const pvcProtectionOptions = controllerOptions<{ workers: number }>('pvc-protection', { workers: workersSetting });
const pvProtectionOptions = controllerOptions<{ workers: number }>('pv-protection', { workers: workersSetting });

export const persistentVolumeBinderFactory: ControllerFactory = (ctx) =>
  new PersistentVolumeBinder({ api: ctx.api, events: ctx.recorder(binderComponent), logger: ctx.logger, clock: ctx.clock, ...binderOptions(ctx.options) }).registration();

export const pvcProtectionControllerFactory: ControllerFactory = (ctx) => new PvcProtectionController({ api: ctx.api, logger: ctx.logger, ...pvcProtectionOptions(ctx.options) }).registration();

export const pvProtectionControllerFactory: ControllerFactory = (ctx) => new PvProtectionController({ api: ctx.api, logger: ctx.logger, ...pvProtectionOptions(ctx.options) }).registration();
