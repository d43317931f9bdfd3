// The scheduler process: `node dist/scheduler/main.js --kubeconfig ~/.gantry/kubeconfig`.
// Settings: see config/schedulerConfig.ts (flags, GANTRY_SCHEDULER_* environment, --config file).

import { runComponent } from '../common/componentMain.js';
import { startSchedulerApp } from './app.js';
import { ProfileError } from './config/profile.js';
import { loadSchedulerConfig } from './config/schedulerConfig.js';

void runComponent({
  name: 'scheduler',
  kubeconfigHint: 'the file `gantry up` writes to $GANTRY_HOME/kubeconfig',
  loadConfig: loadSchedulerConfig,
  // Like kube-scheduler: a scheduler that lost its lease exits; its supervisor restarts it.
  start: ({ config, client, logger, onLostLeadership }) => startSchedulerApp({ config, client, logger, defaultMetrics: true, onLostLeadership }),
  configErrorMessage: (e) =>
    e instanceof ProfileError || (e instanceof Error && /leaseDuration|renewDeadline/.test(e.message)) ? `invalid configuration: ${e.message}` : undefined,
  startedFields: (app, cfg) => ({ identity: app.identity, schedulerName: cfg.schedulerName, leaderElect: cfg.leaderElect }),
});
