// The cluster registry's token service (Docker registry token auth), as `gantry up` runs it
// under `gantry supervise`:
//   node dist/registryauth/main.js --listen-address 172.31.240.1 --port 5001 --users-file F \
//     --signing-key-file K --signing-cert-file C
// Settings: see config.ts. A bad setting or unreadable file exits 2 with a message.

import { createLogger } from '../common/logging.js';
import { exitOnStopSignals } from '../common/proc/stopSignals.js';
import { startRegistryAuth, type RegistryAuthApp } from './app.js';
import { loadRegistryAuthConfig, type RegistryAuthConfig } from './config.js';

function fail(message: string): never {
  process.stderr.write(`gantry-registry-auth: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let cfg: RegistryAuthConfig;
  try {
    cfg = loadRegistryAuthConfig(process.argv.slice(2));
  } catch (e) {
    return fail((e as Error).message);
  }
  const logger = createLogger('registry-auth', { level: cfg.logLevel });
  let app: RegistryAuthApp;
  try {
    app = await startRegistryAuth({ config: cfg, logger });
  } catch (e) {
    // Unreadable files, a key that is not the certificate's, a taken port: the operator's to fix.
    return fail((e as Error).message);
  }
  logger.info('registry token service started', { listen: `${cfg.listenAddress}:${app.port}`, service: cfg.service, issuer: cfg.issuer, anonymousPull: cfg.anonymousPull });
  exitOnStopSignals(logger, 'shutting down', () => app.stop());
}

void main();
