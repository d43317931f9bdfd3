// The controller manager in-process for integration tests (etcd and the API server run as
// processes): the config every such test uses, with leadership timings short enough that a
// manager started again takes over within seconds, and no metrics port.

import type { RestClient } from '../../common/client/restClient.js';
import { silentLogger } from '../../common/logging.js';
import { startControllerManager, type ControllerManagerApp, type ControllerManagerAppOptions } from '../app.js';
import { controllerManagerConfigDefaults, type ControllerManagerConfig } from '../config.js';

export function testManagerConfig(kubeconfig: string, extra: Partial<ControllerManagerConfig> = {}): ControllerManagerConfig {
  return {
    ...(controllerManagerConfigDefaults as ControllerManagerConfig),
    kubeconfig,
    metricsPort: 0,
    leaseDurationSeconds: 4,
    renewDeadlineSeconds: 3,
    retryPeriodSeconds: 1,
    ...extra,
  };
}

export interface TestManagerOptions {
  kubeconfig: string;
  /** The manager's own identity's client (controllerManagerUser's token). */
  client: RestClient;
  registry: NonNullable<ControllerManagerAppOptions['registry']>;
  config?: Partial<ControllerManagerConfig>;
  wrapApi?: ControllerManagerAppOptions['wrapApi'];
}

/** Starts the manager with `registry`'s controllers and resolves once it leads and they run. */
export async function startTestManager(o: TestManagerOptions): Promise<ControllerManagerApp> {
  const app = await startControllerManager({ config: testManagerConfig(o.kubeconfig, o.config), client: o.client, logger: silentLogger(), registry: o.registry, ...(o.wrapApi ? { wrapApi: o.wrapApi } : {}) });
  await app.started();
  return app;
}
