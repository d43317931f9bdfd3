// The token service as a running component: its users, signer and HTTP endpoint from
// the configuration. main.ts runs it as a process; tests run it in-process too.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { realClock, type Clock } from '../common/clock.js';
import { hashUser, readRegistryUsers, type RegistryAction } from '../common/images/registryUsers.js';
import type { Logger } from '../common/logging.js';
import type { RegistryAuthConfig } from './config.js';
import { startTokenServer, type TokenServer } from './server.js';
import { TokenService } from './service.js';
import { TokenSigner } from './tokens.js';

export interface RegistryAuthAppOptions {
  config: RegistryAuthConfig;
  logger: Logger;
  clock?: Clock;
}

export type RegistryAuthApp = TokenServer;

function readPem(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
}

export async function startRegistryAuth(opts: RegistryAuthAppOptions): Promise<RegistryAuthApp> {
  const cfg = opts.config;
  const users = readRegistryUsers(cfg.usersFile);
  const signer = new TokenSigner({
    keyPem: readPem(cfg.signingKeyFile, 'token signing key'),
    certPem: readPem(cfg.signingCertFile, 'token signing certificate'),
    issuer: cfg.issuer,
    ttlSeconds: cfg.tokenTtlSeconds,
    clock: opts.clock ?? realClock,
  });
  const anonymousActions: RegistryAction[] = cfg.anonymousPull ? ['pull'] : [];
  const decoy = await hashUser('decoy', randomBytes(24).toString('base64'), []);
  const service = new TokenService({ service: cfg.service, users, anonymousActions, signer, logger: opts.logger }, decoy);
  return startTokenServer(service, cfg.listenAddress, cfg.port, opts.logger);
}
