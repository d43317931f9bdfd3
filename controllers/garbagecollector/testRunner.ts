// Test support: runs controller factories against a real API server as the controller
// manager process does: the Manager's shared informers and work queues, the ApiClient behind
// the leader fence, one event recorder per controller. No leader election (one instance).

import { ApiClient } from '../../common/client/apiClient.js';
import type { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import { fencedApi } from '../../common/controller/fencedApi.js';
import { Manager } from '../../common/controller/manager.js';
import { ApiEventRecorder } from '../../common/events/recorder.js';
import { createLogger, silentLogger } from '../../common/logging.js';
import type { ControllerFactory } from '../context.js';

export interface RunningControllers {
  /** An unfenced client for the test's own requests. */
  api: ApiClient;
  manager: Manager;
  stop(): Promise<void>;
}

export async function runControllers(client: RestClient, factories: ControllerFactory[], options: Record<string, unknown> = {}): Promise<RunningControllers> {
  // GANTRY_TEST_LOG=debug shows what the controllers did.
  const level = process.env.GANTRY_TEST_LOG;
  const logger = level ? createLogger('controllers', { level }) : silentLogger();
  const api = new ApiClient({ client, qps: 0 });
  const manager = new Manager({ client, logger });
  const recorders: ApiEventRecorder[] = [];
  const recorder = (component: string): ApiEventRecorder => {
    const r = new ApiEventRecorder({ api, component, instance: 'test', logger });
    recorders.push(r);
    return r;
  };
  const fenced = fencedApi(api, () => manager.isLeader());
  for (const f of factories) manager.add(f({ api: fenced, recorder, logger, clock: realClock, options }));
  manager.start();
  await manager.started();
  return {
    api,
    manager,
    stop: async () => {
      await manager.stop();
      await Promise.all(recorders.map((r) => r.flush()));
    },
  };
}
