// The API server process (apiserver/main.ts, real etcd) keeps the `kubernetes` Service in
// `default` as kube-apiserver does: the real kubectl sees it at the service range's first
// address, its endpoints at the advertise address and the server's port, and whatever a
// user deletes comes back within the reconciler's interval.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import { componentCommand } from '../../common/proc/components.js';
import { eventually } from '../../common/testing/eventually.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { kubectl } from '../../common/testing/kubectl.js';

describe('the kubernetes Service in default (API server process + etcd + kubectl)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let cacheDir: string;
  let port: string;
  const ok = async (args: string[]): Promise<string> => {
    const r = await kubectl(c.kubeconfig, cacheDir, args);
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const exists = async (p: string): Promise<KubeObject | undefined> => {
    const r = await c.client.get<KubeObject>(p);
    return r.status === 200 ? r.body : undefined;
  };

  before(async () => {
    c = await startProcessCluster({ apiServerFlags: ['--advertise-address', '127.0.0.1'] });
    cacheDir = path.join(c.dir, 'kubectl-cache');
    port = new URL(c.access.server).port;
  });
  after(async () => {
    await c?.close();
  });

  it('kubectl get svc kubernetes shows 10.96.0.1 and 443/TCP; endpoints and the EndpointSlice point at the API server', async () => {
    await eventually('the kubernetes EndpointSlice', () => exists('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes'));
    const svc = (await ok(['get', 'svc', 'kubernetes', '--no-headers'])).trim().split(/\s+/);
    expect(svc.slice(0, 5)).to.deep.equal(['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
    expect((await ok(['get', 'svc', 'kubernetes', '--show-labels', '--no-headers'])).trim()).to.match(/component=apiserver,provider=kubernetes$/);
    const ep = (await ok(['get', 'endpoints', 'kubernetes', '--no-headers'])).trim().split(/\s+/);
    expect(ep.slice(0, 2)).to.deep.equal(['kubernetes', `127.0.0.1:${port}`]);
    const slice = JSON.parse(await ok(['get', 'endpointslices.discovery.k8s.io', 'kubernetes', '-o', 'json'])) as KubeObject;
    expect(slice.endpoints).to.deep.equal([{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    expect(slice.ports).to.deep.equal([{ name: 'https', port: Number(port), protocol: 'TCP' }]);
    const full = JSON.parse(await ok(['get', 'svc', 'kubernetes', '-o', 'json'])) as KubeObject;
    expect((full.spec as { ports: unknown[] }).ports).to.deep.equal([{ name: 'https', protocol: 'TCP', port: 443, targetPort: Number(port) }]);
  });

  it('kubectl delete of all three: they come back', async () => {
    const uid = (await exists('/api/v1/namespaces/default/services/kubernetes'))!.metadata.uid;
    await ok(['delete', 'svc/kubernetes', 'endpoints/kubernetes', 'endpointslices.discovery.k8s.io/kubernetes', '--wait=false']);
    const back = await eventually(
      'the kubernetes Service, Endpoints and EndpointSlice again',
      async () => {
        const objs = await Promise.all([
          exists('/api/v1/namespaces/default/services/kubernetes'),
          exists('/api/v1/namespaces/default/endpoints/kubernetes'),
          exists('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes'),
        ]);
        return objs.every(Boolean) ? objs : undefined;
      },
      25_000,
      250,
    );
    expect(back[0]!.metadata.uid).to.not.equal(uid);
    expect((await ok(['get', 'svc', 'kubernetes', '--no-headers'])).trim().split(/\s+/).slice(0, 3)).to.deep.equal(['kubernetes', 'ClusterIP', '10.96.0.1']);
  });

  const badFlags = [
    { name: '0.0.0.0', flags: ['--advertise-address', '0.0.0.0'], says: /--advertise-address "0\.0\.0\.0" must be an IPv4 address/ },
    { name: 'a host name', flags: ['--advertise-address', 'apiserver.local'], says: /--advertise-address "apiserver\.local" must be an IPv4 address/ },
    { name: 'an IPv6 listen host without --advertise-address', flags: ['--host', '::1'], says: /--advertise-address "::1" \(from --host\) must be an IPv4 address/ },
  ];
  for (const tc of badFlags) {
    it(`refuses to start with --advertise-address from ${tc.name} (exit 2, a clear message)`, async () => {
      const { command, args } = componentCommand('apiserver/main');
      const child = spawn(command, [...args, '--etcd-endpoints', 'http://127.0.0.1:1', '--tls-cert-file', 'x', '--tls-key-file', 'x', '--token-file', 'x', ...tc.flags], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).to.equal(2);
      expect(stderr).to.match(tc.says);
    });
  }
});
