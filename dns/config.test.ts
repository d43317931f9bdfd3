// The DNS server's settings: defaults, flags, environment; every bad setting named in one
// message; upstreams from flags or resolv.conf, never ourselves. And the process itself:
// bad flags exit 2 with the message before any network.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../common/config.js';
import { componentCommand } from '../common/proc/components.js';
import { loadDnsConfig } from './config.js';

describe('dns config', () => {
  let dir: string;
  const resolvConf = (text: string): string => {
    const f = path.join(dir, `resolv-${Math.random()}.conf`);
    fs.writeFileSync(f, text);
    return f;
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-dns-config-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults: port 53, cluster.local, 10.96.0.10, TTL 5, register, upstreams from resolv.conf', () => {
    const f = resolvConf('# comment\nsearch example\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\nnameserver bogus\noptions ndots:5\n');
    const cfg = loadDnsConfig(['--kubeconfig', 'k', '--listen-address', '10.0.0.1', '--resolv-conf', f]);
    expect(cfg).to.deep.include({ port: 53, clusterDomain: 'cluster.local', serviceIp: '10.96.0.10', ttlSeconds: 5, register: true, advertise: '10.0.0.1', upstreamTimeoutSeconds: 2 });
    expect(cfg.upstreams).to.deep.equal([
      { host: '192.0.2.53', port: 53 },
      { host: 'fe80::1', port: 53 },
    ]);
  });

  it('flags, as `gantry up` passes them', () => {
    const cfg = loadDnsConfig(['--kubeconfig', 'k', '--listen-address', '0.0.0.0', '--port', '5353', '--advertise-address', '172.31.240.1', '--cluster-domain', 'Corp.Example.', '--service-ip', '10.96.0.53', '--upstream', '192.0.2.1, 192.0.2.2:5300,[2001:db8::1]:53', '--register', 'false']);
    expect(cfg).to.deep.include({ listenAddress: '0.0.0.0', port: 5353, advertise: '172.31.240.1', clusterDomain: 'corp.example', serviceIp: '10.96.0.53', register: false });
    expect(cfg.upstreams).to.deep.equal([
      { host: '192.0.2.1', port: 53 },
      { host: '192.0.2.2', port: 5300 },
      { host: '2001:db8::1', port: 53 },
    ]);
  });

  it('environment: GANTRY_DNS_<SETTING>', () => {
    process.env.GANTRY_DNS_SERVICE_IP = '10.96.0.11';
    try {
      expect(loadDnsConfig(['--kubeconfig', 'k', '--listen-address', '127.0.0.1']).serviceIp).to.equal('10.96.0.11');
    } finally {
      delete process.env.GANTRY_DNS_SERVICE_IP;
    }
  });

  it('never forwards to itself (a resolv.conf naming this server would loop)', () => {
    const f = resolvConf('nameserver 127.0.0.1\nnameserver 10.96.0.10\nnameserver 192.0.2.9\n');
    expect(loadDnsConfig(['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--resolv-conf', f]).upstreams).to.deep.equal([{ host: '192.0.2.9', port: 53 }]);
  });

  it('a missing resolv.conf: no upstreams (outside names get SERVFAIL), not a failure', () => {
    expect(loadDnsConfig(['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--resolv-conf', path.join(dir, 'nope')]).upstreams).to.deep.equal([]);
  });

  const bad: { name: string; argv: string[]; says: RegExp[] }[] = [
    { name: 'no kubeconfig', argv: ['--listen-address', '127.0.0.1'], says: [/must have required property 'kubeconfig'/] },
    { name: 'listen 0.0.0.0 without an advertise address', argv: ['--kubeconfig', 'k'], says: [/--advertise-address is required when --listen-address is 0\.0\.0\.0/] },
    { name: 'a listen address that is not an IP', argv: ['--kubeconfig', 'k', '--listen-address', 'localhost'], says: [/--listen-address "localhost" is not an IP address/] },
    { name: 'a port out of range', argv: ['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--port', '70000'], says: [/port must be <= 65535/] },
    { name: 'a bad cluster domain', argv: ['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--cluster-domain', 'bad_domain..x'], says: [/clusterDomain must match pattern/] },
    { name: 'a service IP that is not IPv4', argv: ['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--service-ip', '10.96.0'], says: [/--service-ip "10\.96\.0" is not an IPv4 address/] },
    { name: 'bad upstreams, each named', argv: ['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--upstream', 'dns.google,1.1.1.1:99999'], says: [/"dns\.google" is not an IP address/, /port must be 1-65535/] },
    { name: 'an unknown flag', argv: ['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--upstreams', '1.1.1.1'], says: [/unknown setting "upstreams"/] },
    { name: 'a zero timeout', argv: ['--kubeconfig', 'k', '--listen-address', '127.0.0.1', '--upstream-timeout-seconds', '0'], says: [/upstreamTimeoutSeconds must be > 0/] },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => {
      let err: unknown;
      try {
        loadDnsConfig(tc.argv);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ConfigError);
      for (const re of tc.says) expect((err as Error).message).to.match(re);
    });
  }

  it('the process: a bad flag exits 2 with the message, before any network', async function () {
    this.timeout(20_000);
    const { command, args } = componentCommand('dns/main');
    const child = spawn(command, [...args, '--kubeconfig', '/nonexistent', '--listen-address', '127.0.0.1', '--service-ip', 'nope'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).to.equal(2);
    expect(stderr).to.match(/^gantry-dns: invalid configuration: --service-ip "nope" is not an IPv4 address/);
  });
});
