// The API server process's etcd client flags (--etcd-cafile, --etcd-certfile, --etcd-keyfile,
// as kube-apiserver names them): a partial set, plain-HTTP endpoints with a certificate, or
// an unreadable file stop it at start with exit 2 and a clear message.

import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { componentCommand } from '../common/proc/components.js';

describe('apiserver/main: --etcd-cafile, --etcd-certfile, --etcd-keyfile', function () {
  this.timeout(30_000);
  const base = ['--tls-cert-file', 'x', '--tls-key-file', 'x', '--token-file', 'x'];
  const tls = ['--etcd-cafile', '/nonexistent/ca.crt', '--etcd-certfile', '/nonexistent/c.crt', '--etcd-keyfile', '/nonexistent/c.key'];
  const cases: Array<{ name: string; flags: string[]; says: RegExp }> = [
    { name: 'a certificate without its key and CA', flags: ['--etcd-endpoints', 'https://127.0.0.1:1', '--etcd-certfile', '/nonexistent/c.crt'], says: /--etcd-cafile, --etcd-certfile and --etcd-keyfile go together/ },
    { name: 'a CA alone', flags: ['--etcd-endpoints', 'https://127.0.0.1:1', '--etcd-cafile', '/nonexistent/ca.crt'], says: /go together/ },
    { name: 'a certificate for a plain-HTTP endpoint', flags: ['--etcd-endpoints', 'https://127.0.0.1:1,http://127.0.0.1:2', ...tls], says: /--etcd-endpoints http:\/\/127\.0\.0\.1:2 is not https/ },
    { name: 'files that cannot be read', flags: ['--etcd-endpoints', 'https://127.0.0.1:1', ...tls], says: /cannot read etcd CA \/nonexistent\/ca\.crt/ },
  ];
  for (const tc of cases) {
    it(`refuses ${tc.name} (exit 2, a clear message)`, async () => {
      const { command, args } = componentCommand('apiserver/main');
      const child = spawn(command, [...args, ...base, ...tc.flags], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).to.equal(2);
      expect(stderr).to.match(tc.says);
    });
  }
});
