// The controller-manager process: `node dist/controllers/main.js --kubeconfig ~/.gantry/controller-manager/kubeconfig`.
// Settings: see config.ts (flags, GANTRY_CONTROLLERS_* environment, --config file).

import { runComponent } from '../common/componentMain.js';
import { startControllerManager } from './app.js';
import { loadControllerManagerConfig } from './config.js';
import { enabledControllers } from './registry.js';

void runComponent({
  name: 'controller-manager',
  title: 'controller manager',
  kubeconfigHint: 'the file `gantry up` writes to $GANTRY_HOME/controller-manager/kubeconfig',
  loadConfig(argv) {
    const cfg = loadControllerManagerConfig(argv);
    // Before anything else: a typo in --controllers must not wait for the API server.
    enabledControllers(cfg.controllers);
    return cfg;
  },
  // Enough for every shared informer's watch plus a burst of writes at the configured QPS,
  // without the RSS of hundreds of TLS sockets (bench/controllers.ts: 256 sockets cost ~34 MiB).
  clientOptions: { maxSockets: 64 },
  // Like kube-controller-manager: a manager that lost its lease exits; its supervisor restarts it.
  start: ({ config, client, logger, onLostLeadership }) => startControllerManager({ config, client, logger, defaultMetrics: true, onLostLeadership }),
  // A bad controllerOptions setting is the operator's to fix.
  configErrorMessage: (e) => (e instanceof Error && /^controller \S+: /.test(e.message) ? e.message : undefined),
  startedFields: (app, cfg) => ({ identity: app.identity, controllers: app.controllers, leaderElect: cfg.leaderElect }),
});
