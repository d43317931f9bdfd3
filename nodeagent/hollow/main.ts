// The hollow-node process: `node dist/nodeagent/hollow/main.js --kubeconfig <admin> --count 100
// [--name-prefix hollow-] [--lease-duration-seconds 40] [--relist-millis 2000] [--log-level warn]`
// (all settings: config.ts). Registers `count` simulated nodes and runs the pods bound to them;
// prints one line on stdout once every node is registered. SIGTERM stops the nodes and leaves
// the Node objects, as kubemark does.

import { RestClient } from '../../common/client/restClient.js';
import { ConfigError } from '../../common/config.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { createLogger } from '../../common/logging.js';
import { exitOnStopSignals } from '../../common/proc/stopSignals.js';
import { tryParseQuantity } from '../../common/quantity.js';
import { loadHollowConfig, type HollowConfig } from './config.js';
import { startHollowNodes } from './hollowNodes.js';

function fail(message: string): never {
  process.stderr.write(`gantry-hollow: ${message}\n`);
  process.exit(2);
}

function rssMiB(): number {
  return Math.round(process.memoryUsage.rss() / 2 ** 20);
}

function main(): void {
  let cfg: HollowConfig;
  try {
    cfg = loadHollowConfig(process.argv.slice(2));
  } catch (e) {
    fail(e instanceof ConfigError ? e.message : String(e));
  }
  const memory = tryParseQuantity(cfg.memory);
  if (!memory.ok) fail(`memory ${JSON.stringify(cfg.memory)}: ${memory.error}`);
  let access;
  try {
    access = readKubeconfig(cfg.kubeconfig);
  } catch (e) {
    fail(`cannot read kubeconfig ${cfg.kubeconfig}: ${(e as Error).message}`);
  }
  const logger = createLogger('hollow', { level: cfg.logLevel });
  const client = new RestClient(access);
  const started = Date.now();
  const delays = {
    ...(cfg.pullDelayMillis ? { pullDelayMs: cfg.pullDelayMillis } : {}),
    ...(cfg.startDelayMillis ? { startDelayMs: cfg.startDelayMillis } : {}),
  };
  let nodes;
  try {
    nodes = startHollowNodes({
      client,
      count: cfg.count,
      namePrefix: cfg.namePrefix,
      startIndex: cfg.startIndex,
      podSubnetBase: cfg.podSubnetBase,
      leaseDurationSeconds: cfg.leaseDurationSeconds,
      statusReportSeconds: cfg.nodeStatusReportSeconds,
      relistMs: cfg.relistMillis,
      resyncMs: cfg.resyncSeconds * 1000,
      delays,
      cpuCores: cfg.cpu,
      memoryBytes: memory.quantity.value(),
      maxPods: cfg.maxPods,
      events: cfg.events,
      registerConcurrency: cfg.registerConcurrency,
      serviceExitCodeOnTerm: cfg.serviceExitCodeOnTerm,
      zones: cfg.zones,
      backoffInitialMs: cfg.backoffInitialSeconds * 1000,
      backoffMaxMs: cfg.backoffMaxSeconds * 1000,
      logger,
      onRegistered: (n, total) => {
        if (n % 500 === 0 && n < total) logger.info('hollow nodes registering', { registered: n, total });
      },
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const running = nodes;
  let stopping = false;
  exitOnStopSignals(logger, 'stopping hollow nodes; Node objects stay', () => {
    stopping = true;
    return running.stop().finally(() => client.close());
  });
  void running.registered.then(() => {
    if (stopping) return;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`hollow nodes registered: ${cfg.count} (${running.nodeNames[0]} .. ${running.nodeNames.at(-1)}) in ${seconds} s; rss ${rssMiB()} MiB\n`);
  });
}

main();
