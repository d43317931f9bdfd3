// The controller-manager process: `node dist/controllers/main.js --kubeconfig ~/.gantry/controller-manager/kubeconfig`.
// Settings: see config.ts (flags, GANTRY_CONTROLLERS_* environment, --config file).

import { ConfigError } from '../common/config.js';
import { RestClient } from '../common/client/restClient.js';
import { readKubeconfig } from '../common/kubeconfig.js';
import { createLogger } from '../common/logging.js';
import { startControllerManager, type ControllerManagerApp } from './app.js';
import { loadControllerManagerConfig, type ControllerManagerConfig } from './config.js';
import { enabledControllers } from './registry.js';

function fail(message: string): never {
  process.stderr.write(`gantry-controller-manager: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let cfg: ControllerManagerConfig;
  try {
    cfg = loadControllerManagerConfig(process.argv.slice(2));
    // Before anything else: a typo in --controllers must not wait for the API server.
    enabledControllers(cfg.controllers);
  } catch (e) {
    if (e instanceof ConfigError && /must have required property 'kubeconfig'/.test(e.message)) fail('--kubeconfig is required (the file `gantry up` writes to $GANTRY_HOME/controller-manager/kubeconfig)');
    fail((e as Error).message);
  }
  let access;
  try {
    access = readKubeconfig(cfg.kubeconfig);
  } catch (e) {
    fail(`cannot read kubeconfig ${cfg.kubeconfig}: ${(e as Error).message}`);
  }
  const logger = createLogger('controller-manager', { level: cfg.logLevel });
  // Enough for every shared informer's watch plus a burst of writes at the configured QPS,
  // without the RSS of hundreds of TLS sockets (bench/controllers.ts: 256 sockets cost ~34 MiB).
  const client = new RestClient(access, { maxSockets: 64 });
  let app: ControllerManagerApp;
  try {
    app = await startControllerManager({
      config: cfg,
      client,
      logger,
      defaultMetrics: true,
      // Like kube-controller-manager: a manager that lost its lease exits; its supervisor restarts it.
      onLostLeadership: () => process.exit(1),
    });
  } catch (e) {
    // A bad setting (unknown controller, invalid controllerOptions) is the operator's to fix.
    if (e instanceof ConfigError || (e instanceof Error && /^controller \S+: /.test(e.message))) fail(e.message);
    logger.error('controller manager failed to start', { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  logger.info('controller manager started', { identity: app.identity, controllers: app.controllers, leaderElect: cfg.leaderElect });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down');
    void app.stop().finally(() => {
      client.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
