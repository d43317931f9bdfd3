// The registry token service's typed configuration: defaults < config file (--config) <
// environment (GANTRY_REGISTRY_AUTH_<SETTING>) < flags, validated with ajv at start-up.
//
//   node dist/registryauth/main.js --listen-address 172.31.240.1 --port 5001 \
//     --users-file ~/.gantry/registry/auth/users.json \
//     --signing-key-file ~/.gantry/registry/auth/signer-key.pem \
//     --signing-cert-file ~/.gantry/registry/auth/signer.pem \
//     [--service gantry-registry] [--issuer gantry-registry-auth] [--anonymous-pull true]

import net from 'node:net';
import type { JSONSchemaType } from 'ajv';
import { ConfigError, loadConfig } from '../common/config.js';

export interface RegistryAuthConfig {
  listenAddress: string;
  /** 0: any free port (logged). */
  port: number;
  /** The registry's auth.token.service: the only audience tokens are issued for. */
  service: string;
  /** The registry's auth.token.issuer. */
  issuer: string;
  /** Users and their salted scrypt hashes (common/images/registryUsers.ts), 0600. */
  usersFile: string;
  /** PEM private key (RSA) that signs tokens, and its certificate: the registry's rootcertbundle. */
  signingKeyFile: string;
  signingCertFile: string;
  tokenTtlSeconds: number;
  /** Callers without credentials may pull (true) or get tokens granting nothing (false). */
  anonymousPull: boolean;
  logLevel: string;
}

export const registryAuthConfigSchema: JSONSchemaType<RegistryAuthConfig> = {
  type: 'object',
  properties: {
    listenAddress: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    service: { type: 'string', minLength: 1, maxLength: 200 },
    issuer: { type: 'string', minLength: 1, maxLength: 200 },
    usersFile: { type: 'string', minLength: 1 },
    signingKeyFile: { type: 'string', minLength: 1 },
    signingCertFile: { type: 'string', minLength: 1 },
    // The registry checks exp on every request; long tokens outlive a removed user.
    tokenTtlSeconds: { type: 'integer', minimum: 30, maximum: 3600 },
    anonymousPull: { type: 'boolean' },
    logLevel: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
  },
  required: ['listenAddress', 'port', 'service', 'issuer', 'usersFile', 'signingKeyFile', 'signingCertFile', 'tokenTtlSeconds', 'anonymousPull', 'logLevel'],
  additionalProperties: false,
};

export const registryAuthConfigDefaults: Partial<RegistryAuthConfig> = {
  listenAddress: '127.0.0.1',
  port: 0,
  service: 'gantry-registry',
  issuer: 'gantry-registry-auth',
  tokenTtlSeconds: 300,
  anonymousPull: true,
  logLevel: 'info',
};

export function loadRegistryAuthConfig(argv: string[]): RegistryAuthConfig {
  const cfg = loadConfig(registryAuthConfigSchema, registryAuthConfigDefaults, argv, 'GANTRY_REGISTRY_AUTH');
  if (!net.isIP(cfg.listenAddress)) throw new ConfigError(`invalid configuration: --listen-address ${JSON.stringify(cfg.listenAddress)} is not an IP address`);
  return cfg;
}
