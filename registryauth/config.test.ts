// The token service's settings: defaults, flags and environment, and the start-up
// failures an operator sees (exit 2 with the problem) when a setting or file is wrong.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../common/config.js';
import { ensureSigner } from '../common/images/registryTokenService.js';
import { componentCommand } from '../common/proc/components.js';
import { loadRegistryAuthConfig } from './config.js';

const required = ['--users-file', 'u.json', '--signing-key-file', 'k.pem', '--signing-cert-file', 'c.pem'];

describe('registryauth: configuration', () => {
  it('defaults: loopback, any port, gantry-registry, anonymous pull, 5-minute tokens', () => {
    const cfg = loadRegistryAuthConfig(required);
    expect(cfg).to.include({ listenAddress: '127.0.0.1', port: 0, service: 'gantry-registry', issuer: 'gantry-registry-auth', anonymousPull: true, tokenTtlSeconds: 300, usersFile: 'u.json' });
  });

  it('flags win over the environment', () => {
    process.env.GANTRY_REGISTRY_AUTH_TOKEN_TTL_SECONDS = '120';
    process.env.GANTRY_REGISTRY_AUTH_PORT = '5001';
    try {
      const cfg = loadRegistryAuthConfig([...required, '--port', '5002', '--anonymous-pull', 'false']);
      expect(cfg).to.include({ tokenTtlSeconds: 120, port: 5002, anonymousPull: false });
    } finally {
      delete process.env.GANTRY_REGISTRY_AUTH_TOKEN_TTL_SECONDS;
      delete process.env.GANTRY_REGISTRY_AUTH_PORT;
    }
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['no users file', ['--signing-key-file', 'k', '--signing-cert-file', 'c'], /must have required property 'usersFile'/],
    ['a listen address that is not an IP', [...required, '--listen-address', 'example.com'], /--listen-address "example.com" is not an IP address/],
    ['a port out of range', [...required, '--port', '70000'], /port must be <= 65535/],
    ['tokens living a day', [...required, '--token-ttl-seconds', '86400'], /tokenTtlSeconds must be <= 3600/],
    ['an unknown flag', [...required, '--allow-everyone', 'true'], /unknown setting "allowEveryone"/],
  ];
  for (const [name, argv, why] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => loadRegistryAuthConfig(argv)).to.throw(ConfigError, why);
    });
  }

  it('the process exits 2 naming a users file it cannot read, or a key that is not the certificate\'s', function () {
    this.timeout(30_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-registryauth-cfg-'));
    try {
      const files = ensureSigner(path.join(dir, 'a'));
      const other = ensureSigner(path.join(dir, 'b'));
      const { command, args } = componentCommand('registryauth/main');
      const run = (extra: string[]): { status: number | null; stderr: string } => {
        const r = spawnSync(command, [...args, ...extra], { encoding: 'utf8', timeout: 20_000 });
        return { status: r.status, stderr: r.stderr };
      };
      const missing = run(['--users-file', path.join(dir, 'nope.json'), '--signing-key-file', files.signingKeyFile, '--signing-cert-file', files.signingCertFile]);
      expect(missing.status).to.equal(2);
      expect(missing.stderr).to.match(/gantry-registry-auth: cannot read the registry users file .*nope\.json/);
      fs.writeFileSync(files.usersFile, JSON.stringify({ users: [] }));
      const mismatched = run(['--users-file', files.usersFile, '--signing-key-file', other.signingKeyFile, '--signing-cert-file', files.signingCertFile]);
      expect(mismatched.status).to.equal(2);
      expect(mismatched.stderr).to.match(/the token signing key does not belong to the signing certificate/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
