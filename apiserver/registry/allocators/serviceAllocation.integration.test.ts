// Integration: a real etcd and API server, the real kubectl. Services get cluster IPs and
// node ports that are unique under concurrent creates, survive an API server restart,
// are freed on delete (and on a failed create), never leak from a dry run, and a leaked
// claim is freed by the repair pass the API server runs at start.

import { expect } from 'chai';
import path from 'node:path';
import type { KubeObject } from '../../../common/api/meta.js';
import { kubectl } from '../../../common/testing/kubectl.js';
import { startTestCluster, type TestCluster } from '../../testing/harness.js';

const ipClaims = '/registry/ipaddresses.networking.k8s.io/';
const portClaims = '/registry/ranges/servicenodeports/';

describe('Service cluster IPs and node ports (etcd + API server + kubectl)', function () {
  this.timeout(60_000);
  let c: TestCluster;
  let cacheDir: string;
  const k = (args: string[], input?: string): ReturnType<typeof kubectl> => kubectl(c.kubeconfig, cacheDir, args, { input });
  const ok = async (args: string[]): Promise<string> => {
    const r = await k(args);
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const getSvc = async (name: string): Promise<KubeObject> => JSON.parse(await ok(['get', 'service', name, '-o', 'json'])) as KubeObject;
  const spec = (o: KubeObject): Record<string, unknown> => o.spec as Record<string, unknown>;
  const claims = async (prefix: string): Promise<string[]> => (await c.server.storage.list(prefix)).items.map((i) => i.key.slice(prefix.length)).sort();
  /** Every IP and port the stored services hold. */
  const held = async (): Promise<{ ips: string[]; ports: string[] }> => {
    const list = (await c.client.get<{ items: KubeObject[] }>('/api/v1/services')).body.items;
    const ips = list.flatMap((s) => ((spec(s).clusterIPs as string[] | undefined) ?? []).filter((ip) => ip !== 'None'));
    const ports = list.flatMap((s) => ((spec(s).ports as { nodePort?: number }[] | undefined) ?? []).flatMap((p) => (p.nodePort ? [String(p.nodePort)] : [])));
    return { ips: ips.sort(), ports: [...new Set(ports)].sort() };
  };
  const expectClaimsMatchServices = async (): Promise<void> => {
    const h = await held();
    expect(await claims(ipClaims)).to.deep.equal(h.ips);
    expect(await claims(portClaims)).to.deep.equal(h.ports);
  };

  before(async () => {
    c = await startTestCluster();
    cacheDir = path.join(c.dir, 'kubectl-cache');
  });
  after(async () => {
    await c?.close();
  });

  it('kubectl create service and expose: get svc shows the cluster IP and node port', async () => {
    await ok(['create', 'service', 'clusterip', 'front', '--tcp=80:8080']);
    await ok(['create', 'deployment', 'web', '--image=busybox']);
    await ok(['expose', 'deployment', 'web', '--port=80', '--type=NodePort', '--name=web-np']);
    const front = await getSvc('front');
    expect(spec(front).clusterIP).to.match(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(spec(front)).to.deep.include({ clusterIPs: [spec(front).clusterIP], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const lines = (await ok(['get', 'svc', 'front', 'web-np', '--no-headers'])).trim().split('\n').map((l) => l.split(/\s+/));
    expect(lines[0]!.slice(0, 5)).to.deep.equal(['front', 'ClusterIP', spec(front).clusterIP, '<none>', '80/TCP']);
    const np = (await getSvc('web-np')).spec as { clusterIP: string; ports: { nodePort: number }[] };
    expect(lines[1]!.slice(0, 5)).to.deep.equal(['web-np', 'NodePort', np.clusterIP, '<none>', `80:${np.ports[0]!.nodePort}/TCP`]);
    expect(np.ports[0]!.nodePort).to.be.within(30000, 32767);
    await expectClaimsMatchServices();
  });

  it('a taken node port or cluster IP is refused with Kubernetes’ message', async () => {
    const np = ((await getSvc('web-np')).spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort;
    let r = await k(['create', 'service', 'nodeport', 'taken', '--tcp=80', `--node-port=${np}`]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal(`error: failed to create NodePort service: Service "taken" is invalid: spec.ports[0].nodePort: Invalid value: ${np}: provided port is already allocated`);
    const ip = spec(await getSvc('front')).clusterIP as string;
    r = await k(['create', 'service', 'clusterip', 'twin', `--clusterip=${ip}`, '--tcp=80']);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal(`error: failed to create ClusterIP service: Service "twin" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`);
    await expectClaimsMatchServices();
  });

  it('concurrent creates never get the same IP; a failed create (AlreadyExists) leaves no claim', async () => {
    const post = (name: string): Promise<{ status: number }> =>
      c.client.request('POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80 }] } } });
    // Ten distinct names, each sent twice at once: one of each pair is AlreadyExists after claiming.
    const names = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    const answers = await Promise.all([...names, ...names].map(post));
    expect(answers.filter((a) => a.status === 201)).to.have.length(10);
    expect(answers.filter((a) => a.status === 409)).to.have.length(10);
    const h = await held();
    expect(new Set(h.ips).size).to.equal(h.ips.length);
    await expectClaimsMatchServices();
  });

  it('dry run shows a would-be IP and claims nothing', async () => {
    const before = [await claims(ipClaims), await claims(portClaims)];
    const dry = JSON.parse(await ok(['create', 'service', 'nodeport', 'dry', '--tcp=80', '--dry-run=server', '-o', 'json'])) as KubeObject;
    // Kubernetes' dry run shows the range's network address rather than racing for a free one.
    expect(spec(dry).clusterIP).to.equal('10.96.0.0');
    expect((spec(dry).ports as { nodePort: number }[])[0]!.nodePort).to.be.a('number');
    expect([await claims(ipClaims), await claims(portClaims)]).to.deep.equal(before);
    const r = await k(['get', 'service', 'dry']);
    expect(r.code).to.equal(1);
  });

  it('type changes: ClusterIP -> NodePort claims a node port, back to ClusterIP frees it', async () => {
    await ok(['create', 'service', 'clusterip', 'flip', '--tcp=80']);
    const ip = spec(await getSvc('flip')).clusterIP;
    await ok(['patch', 'service', 'flip', '-p', '{"spec":{"type":"NodePort"}}']);
    const asNodePort = await getSvc('flip');
    const np = (spec(asNodePort).ports as { nodePort: number }[])[0]!.nodePort;
    expect(np).to.be.within(30000, 32767);
    expect(spec(asNodePort).clusterIP).to.equal(ip);
    expect(await claims(portClaims)).to.include(String(np));
    await ok(['patch', 'service', 'flip', '-p', '{"spec":{"type":"ClusterIP"}}']);
    const back = await getSvc('flip');
    expect((spec(back).ports as { nodePort?: number }[])[0]!.nodePort).to.equal(undefined);
    expect(await claims(portClaims)).to.not.include(String(np));
    // A replace without the cluster IP keeps it.
    const replaced = await getSvc('flip');
    delete spec(replaced).clusterIP;
    delete spec(replaced).clusterIPs;
    const r = await k(['replace', '-f', '-'], JSON.stringify(replaced));
    expect(r.code, r.stderr).to.equal(0);
    expect(spec(await getSvc('flip'))).to.deep.include({ clusterIP: ip, clusterIPs: [ip] });
    await expectClaimsMatchServices();
  });

  for (const how of [['apply'], ['apply', '--server-side']]) {
    it(`kubectl ${how.join(' ')} twice keeps the allocated IP and node port`, async () => {
      const name = how.length === 1 ? 'applied' : 'applied-ssa';
      const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80 }] } });
      const first = await k([...how, '-f', '-'], manifest);
      expect(first.code, first.stderr).to.equal(0);
      const before = await getSvc(name);
      const again = await k([...how, '-f', '-'], manifest.replace('"port":80', '"port":80,"name":"http"'));
      expect(again.code, again.stderr).to.equal(0);
      const after = await getSvc(name);
      expect(spec(after).clusterIP).to.equal(spec(before).clusterIP);
      expect((spec(after).ports as { nodePort: number }[])[0]!.nodePort).to.equal((spec(before).ports as { nodePort: number }[])[0]!.nodePort);
      await expectClaimsMatchServices();
    });
  }

  it('claims survive an API server restart; delete frees them', async () => {
    await ok(['create', 'service', 'clusterip', 'fixed', '--clusterip=10.96.0.60', '--tcp=80']);
    await c.restartApiServer();
    let r = await k(['create', 'service', 'clusterip', 'fixed2', '--clusterip=10.96.0.60', '--tcp=80']);
    expect(r.stderr).to.match(/failed to allocate IP 10\.96\.0\.60: provided IP is already allocated/);
    await ok(['delete', 'service', 'fixed']);
    expect(await claims(ipClaims)).to.not.include('10.96.0.60');
    r = await k(['create', 'service', 'clusterip', 'fixed2', '--clusterip=10.96.0.60', '--tcp=80']);
    expect(r.code, r.stderr).to.equal(0);
    await expectClaimsMatchServices();
  });

  it('the repair pass at start frees a leaked claim', async () => {
    const leak: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: { name: '10.96.0.77', creationTimestamp: '2020-01-01T00:00:00Z' },
      spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'crashed-before-write' } },
    };
    await c.server.storage.create(`${ipClaims}10.96.0.77`, leak);
    await c.restartApiServer();
    expect(await claims(ipClaims)).to.not.include('10.96.0.77');
    await expectClaimsMatchServices();
  });
});
