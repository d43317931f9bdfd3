// The DNS server against a real etcd and API server (processes), run in-process under its
// own identity (system:gantry-dns, the authorizer's dnsRules) on 127.0.0.1 and a free port.
// Queries come from node's resolver; Services and EndpointSlices are written through the
// API as a user (or the endpointslice controller) would, and the answers follow creates,
// updates and deletes. The real kubectl sees what the server registered for itself.

import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../common/api/meta.js';
import { RestClient } from '../common/client/restClient.js';
import { renderKubeconfig } from '../common/kubeconfig.js';
import { silentLogger } from '../common/logging.js';
import { componentCommand } from '../common/proc/components.js';
import { freePort } from '../common/proc/ports.js';
import { startProcessCluster, type ProcessCluster } from '../common/testing/cluster.js';
import { eventually } from '../common/testing/eventually.js';
import { startDns, type DnsApp } from './app.js';
import { loadDnsConfig } from './config.js';

const dnsToken = 'gantry-dns-integration-token';

describe('cluster DNS server (etcd + API server processes, DNS in-process, node resolver, kubectl)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let app: DnsApp;
  let dnsClient: RestClient;
  let resolver: dns.promises.Resolver;

  const post = async (p: string, body: unknown): Promise<KubeObject> => {
    const r = await c.client.request<KubeObject>('POST', p, { body });
    expect(r.status, r.text).to.equal(201);
    return r.body;
  };
  const put = async (p: string, body: unknown): Promise<void> => {
    const r = await c.client.request('PUT', p, { body });
    expect(r.status, r.text).to.equal(200);
  };
  const del = async (p: string): Promise<void> => {
    const r = await c.client.request('DELETE', p);
    expect(r.status, r.text).to.be.oneOf([200, 202]);
  };
  const get = async (p: string): Promise<KubeObject | undefined> => {
    const r = await c.client.get<KubeObject>(p);
    return r.status === 200 ? r.body : undefined;
  };
  /** The addresses of `name`, '' for NODATA, 'NXDOMAIN' when it does not exist. */
  const a = async (name: string): Promise<string> => {
    try {
      return [...(await resolver.resolve4(name))].sort().join(',');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND') return 'NXDOMAIN';
      if (code === 'ENODATA') return '';
      throw e;
    }
  };
  /** The machine's real kubectl as the admin, with a fresh discovery cache. */
  const kubectl = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', path.join(c.dir, 'kubectl-cache'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
    });
  const until = (what: string, fn: () => Promise<boolean>): Promise<true> => eventually(what, async () => ((await fn()) ? true : undefined), 10_000, 50);
  const slice = (name: string, service: string, endpoints: unknown[], ports: unknown[] = [{ name: 'pg', port: 5432, protocol: 'TCP' }]): KubeObject => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports,
  });

  before(async () => {
    c = await startProcessCluster({ extraTokens: [{ token: dnsToken, user: 'system:gantry-dns', groups: [] }] });
    const kubeconfig = path.join(c.dir, 'dns-kubeconfig');
    fs.writeFileSync(kubeconfig, renderKubeconfig({ ...c.access, token: dnsToken }), { mode: 0o600 });
    const config = loadDnsConfig(['--kubeconfig', kubeconfig, '--listen-address', '127.0.0.1', '--port', '0', '--advertise-address', '127.0.0.1', '--upstream', '127.0.0.1:9', '--upstream-timeout-seconds', '0.3']);
    dnsClient = new RestClient({ ...c.access, token: dnsToken });
    app = await startDns({ config, client: dnsClient, logger: silentLogger() });
    await app.synced();
    resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${app.port}`]);
  });
  after(async () => {
    await app?.stop();
    dnsClient?.close();
    await c?.close();
  });

  it('registers Service kube-system/kube-dns (10.96.0.10, dns 53/UDP, dns-tcp 53/TCP) and its EndpointSlice; kubectl sees them', async () => {
    const svc = await eventually('the kube-dns Service', () => get('/api/v1/namespaces/kube-system/services/kube-dns'));
    expect(svc.metadata.labels).to.deep.include({ 'k8s-app': 'kube-dns' });
    expect(svc.spec).to.deep.include({ clusterIP: '10.96.0.10', type: 'ClusterIP' });
    expect((svc.spec as { selector?: unknown }).selector).to.equal(undefined);
    expect((svc.spec as { ports: unknown[] }).ports).to.deep.equal([
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: app.port },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: app.port },
    ]);
    const sl = await eventually('the kube-dns EndpointSlice', () => get('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns'));
    expect(sl.metadata.labels).to.deep.include({ 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': 'gantry-dns' });
    expect(sl.endpoints).to.deep.equal([{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    const svcLine = (await kubectl(['get', 'svc', '-n', 'kube-system', 'kube-dns', '--no-headers'])).trim().split(/\s+/);
    expect(svcLine.slice(0, 5)).to.deep.equal(['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP']);
    expect(await a('kube-dns.kube-system.svc.cluster.local')).to.equal('10.96.0.10');
    expect(await resolver.reverse('10.96.0.10')).to.deep.equal(['kube-dns.kube-system.svc.cluster.local']);
    expect(await resolver.resolveSrv('_dns._udp.kube-dns.kube-system.svc.cluster.local')).to.deep.equal([{ name: 'kube-dns.kube-system.svc.cluster.local', port: 53, priority: 0, weight: 100 }]);
  });

  it('the kubernetes Service (kept by the API server) resolves to 10.96.0.1', async () => {
    await until('kubernetes.default', async () => (await a('kubernetes.default.svc.cluster.local')) === '10.96.0.1');
    expect(await resolver.resolveSrv('_https._tcp.kubernetes.default.svc.cluster.local')).to.deep.equal([{ name: 'kubernetes.default.svc.cluster.local', port: 443, priority: 0, weight: 100 }]);
  });

  it('a ClusterIP Service: A follows create, a named port added by update gives SRV, delete gives NXDOMAIN', async () => {
    expect(await a('web.default.svc.cluster.local')).to.equal('NXDOMAIN');
    const svc = await post('/api/v1/namespaces/default/services', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    const ip = (svc.spec as { clusterIP: string }).clusterIP;
    await until('web A', async () => (await a('web.default.svc.cluster.local')) === ip);
    expect(await a('WEB.Default.svc.cluster.local.')).to.equal(ip);
    const current = (await get('/api/v1/namespaces/default/services/web'))!;
    (current.spec as { ports: unknown[] }).ports = [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }];
    await put('/api/v1/namespaces/default/services/web', current);
    const srv = await eventually('web SRV', async () => {
      const r = await resolver.resolveSrv('_metrics._tcp.web.default.svc.cluster.local').catch(() => undefined);
      return r?.length ? r : undefined;
    });
    expect(srv).to.deep.equal([{ name: 'web.default.svc.cluster.local', port: 9090, priority: 0, weight: 100 }]);
    await del('/api/v1/namespaces/default/services/web');
    await until('web gone', async () => (await a('web.default.svc.cluster.local')) === 'NXDOMAIN');
  });

  it('a headless Service: ready endpoints, pod hostnames under the subdomain, SRV per endpoint; answers follow slice updates and deletes', async () => {
    await post('/api/v1/namespaces/default/services', { metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } });
    await until('db exists (NODATA)', async () => (await a('db.default.svc.cluster.local')) === '');
    await post(
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
      slice('db-abc', 'db', [
        { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.244.2.6'], hostname: 'db-1', conditions: { ready: true } },
        { addresses: ['10.244.3.7'], hostname: 'db-2', conditions: { ready: false } },
      ]),
    );
    await until('db A', async () => (await a('db.default.svc.cluster.local')) === '10.244.1.5,10.244.2.6');
    expect(await a('db-0.db.default.svc.cluster.local')).to.equal('10.244.1.5');
    expect(await a('db-2.db.default.svc.cluster.local')).to.equal('NXDOMAIN');
    const srv = (await resolver.resolveSrv('_pg._tcp.db.default.svc.cluster.local')).map((r) => `${r.name}:${r.port}`).sort();
    expect(srv).to.deep.equal(['db-0.db.default.svc.cluster.local:5432', 'db-1.db.default.svc.cluster.local:5432']);
    expect(await resolver.reverse('10.244.1.5')).to.deep.equal(['db-0.db.default.svc.cluster.local']);

    // db-0 stops being ready, db-2 becomes ready.
    const cur = (await get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/db-abc'))!;
    cur.endpoints = [
      { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: false } },
      { addresses: ['10.244.2.6'], hostname: 'db-1', conditions: { ready: true } },
      { addresses: ['10.244.3.7'], hostname: 'db-2', conditions: { ready: true } },
    ];
    await put('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/db-abc', cur);
    await until('db A after update', async () => (await a('db.default.svc.cluster.local')) === '10.244.2.6,10.244.3.7');
    expect(await a('db-0.db.default.svc.cluster.local')).to.equal('NXDOMAIN');
    expect(await a('db-2.db.default.svc.cluster.local')).to.equal('10.244.3.7');

    await del('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/db-abc');
    await until('db NODATA after the slice is gone', async () => (await a('db.default.svc.cluster.local')) === '');
    await del('/api/v1/namespaces/default/services/db');
    await until('db gone', async () => (await a('db.default.svc.cluster.local')) === 'NXDOMAIN');
  });

  it('namespaces and pods: <ns>.svc is NODATA once the namespace exists; <a-b-c-d>.<ns>.pod answers the address', async () => {
    expect(await a('team-a.svc.cluster.local')).to.equal('NXDOMAIN');
    expect(await a('10-244-1-9.team-a.pod.cluster.local')).to.equal('NXDOMAIN');
    await post('/api/v1/namespaces', { metadata: { name: 'team-a' } });
    await until('team-a exists', async () => (await a('team-a.svc.cluster.local')) === '');
    expect(await a('10-244-1-9.team-a.pod.cluster.local')).to.equal('10.244.1.9');
  });

  it('deleting the kube-dns Service and EndpointSlice: the DNS server registers them again', async () => {
    const before = (await get('/api/v1/namespaces/kube-system/services/kube-dns'))!.metadata.uid;
    await del('/api/v1/namespaces/kube-system/services/kube-dns');
    await del('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns');
    const svc = await eventually('kube-dns again', async () => {
      const s = await get('/api/v1/namespaces/kube-system/services/kube-dns');
      return s && s.metadata.uid !== before ? s : undefined;
    });
    expect((svc.spec as { clusterIP: string }).clusterIP).to.equal('10.96.0.10');
    await eventually('the kube-dns EndpointSlice again', () => get('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns'));
    // A change to the slice is mended too.
    const sl = (await get('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns'))!;
    sl.endpoints = [{ addresses: ['192.0.2.99'], conditions: { ready: true } }];
    await put('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns', sl);
    await until('the slice mended', async () => JSON.stringify((await get('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns'))?.endpoints) === JSON.stringify([{ addresses: ['127.0.0.1'], conditions: { ready: true } }]));
  });

  it('an API server restart: answers go on from the caches, and changes made after it are seen', async () => {
    await c.restartApiServer();
    expect(await a('kubernetes.default.svc.cluster.local')).to.equal('10.96.0.1');
    const svc = await post('/api/v1/namespaces/default/services', { metadata: { name: 'after-restart' }, spec: { ports: [{ port: 80 }] } });
    const ip = (svc.spec as { clusterIP: string }).clusterIP;
    await eventually('after-restart A', async () => ((await a('after-restart.default.svc.cluster.local')) === ip ? true : undefined), 20_000, 100);
  });

  it('the process (dns/main with the flags `gantry up` passes): answers, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { command, args } = componentCommand('dns/main');
    const flags = ['--kubeconfig', path.join(c.dir, 'dns-kubeconfig'), '--listen-address', '127.0.0.1', '--port', String(port), '--advertise-address', '127.0.0.1', '--cluster-domain', 'cluster.local', '--service-ip', '10.96.0.10', '--upstream', '127.0.0.1:9', '--register', 'false', '--log-level', 'warn'];
    const child = spawn(command, [...args, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const r = new dns.promises.Resolver({ timeout: 500, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      const got = await eventually('the process answering', async () => (await r.resolve4('kubernetes.default.svc.cluster.local').catch(() => undefined))?.join(','), 30_000, 200);
      expect(got, stderr).to.equal('10.96.0.1');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).to.equal(0);
  });

  it('its identity may read and register, nothing more', async () => {
    const cases: { method: string; path: string; body?: unknown; want: number }[] = [
      { method: 'GET', path: '/api/v1/services', want: 200 },
      { method: 'GET', path: '/apis/discovery.k8s.io/v1/endpointslices', want: 200 },
      { method: 'GET', path: '/api/v1/namespaces', want: 200 },
      { method: 'GET', path: '/api/v1/secrets', want: 403 },
      { method: 'DELETE', path: '/api/v1/namespaces/kube-system/services/kube-dns', want: 403 },
      { method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }, want: 403 },
    ];
    for (const tc of cases) {
      const r = await dnsClient.request(tc.method, tc.path, tc.body === undefined ? {} : { body: tc.body });
      expect(r.status, `${tc.method} ${tc.path}: ${r.text}`).to.equal(tc.want);
    }
  });
});
