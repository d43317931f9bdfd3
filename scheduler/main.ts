// The scheduler process: `node dist/scheduler/main.js --kubeconfig ~/.gantry/kubeconfig`.
// Settings: see config/schedulerConfig.ts (flags, GANTRY_SCHEDULER_* environment, --config file).

import { ConfigError } from '../common/config.js';
import { RestClient } from '../common/client/restClient.js';
import { readKubeconfig } from '../common/kubeconfig.js';
import { createLogger } from '../common/logging.js';
import { startSchedulerApp } from './app.js';
import { ProfileError } from './config/profile.js';
import { loadSchedulerConfig, type SchedulerConfig } from './config/schedulerConfig.js';

function fail(message: string): never {
  process.stderr.write(`gantry-scheduler: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let cfg: SchedulerConfig;
  try {
    cfg = loadSchedulerConfig(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError && /must have required property 'kubeconfig'/.test(e.message)) fail('--kubeconfig is required (the file `gantry up` writes to $GANTRY_HOME/kubeconfig)');
    fail((e as Error).message);
  }
  let access;
  try {
    access = readKubeconfig(cfg.kubeconfig);
  } catch (e) {
    fail(`cannot read kubeconfig ${cfg.kubeconfig}: ${(e as Error).message}`);
  }
  const logger = createLogger('scheduler', { level: cfg.logLevel });
  const client = new RestClient(access);
  let app;
  try {
    app = await startSchedulerApp({
      config: cfg,
      client,
      logger,
      defaultMetrics: true,
      // Like kube-scheduler: a scheduler that lost its lease exits; its supervisor restarts it.
      onLostLeadership: () => process.exit(1),
    });
  } catch (e) {
    if (e instanceof ProfileError || (e instanceof Error && /leaseDuration|renewDeadline/.test(e.message))) fail(`invalid configuration: ${e.message}`);
    logger.error('scheduler failed to start', { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  logger.info('scheduler started', { identity: app.identity, schedulerName: cfg.schedulerName, leaderElect: cfg.leaderElect });
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
