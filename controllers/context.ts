// What a controller is built from. Every controller folder exports one ControllerFactory;
// registry.ts lists them by name, and the process builds the enabled ones with a context
// holding the shared pieces (one API client, events, logger, clock) and the controller's
// own section of the config file.

import type { Api } from '../common/client/api.js';
import type { TimerClock } from '../common/clock.js';
import type { ControllerRegistration, EventRecorder } from '../common/controller/types.js';
import type { Logger } from '../common/logging.js';

export interface ControllerContext {
  /** The process's one typed API client (QPS-limited, typed errors). */
  api: Api;
  /** An EventRecorder whose events name `component` as their source (e.g. `replicaset-controller`). */
  recorder(component: string): EventRecorder;
  /** The process logger; controllers take a child with `{ controller: name }`. */
  logger: Logger;
  clock: TimerClock;
  /**
   * This controller's section of the config file (`controllerOptions.<name>`), `{}` when
   * absent. The factory validates it and throws an Error naming the bad setting; the process
   * then fails at start-up.
   */
  options: Record<string, unknown>;
}

/** Builds one controller; called once per process start, before the informers start. */
export type ControllerFactory = (ctx: ControllerContext) => ControllerRegistration;
