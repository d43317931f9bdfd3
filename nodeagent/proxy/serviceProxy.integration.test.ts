// The service proxy against a real etcd and API server, programming the netfilter of a
// network namespace this test creates (the "host"), with real TCP and UDP traffic from a
// client namespace outside the cluster CIDR, from the pod namespaces themselves and from
// the host. The proxy reads the API with a node's identity (group system:nodes), as the
// agent does. Run as root; every namespace, process and rule goes in the after hook.

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import { eventually } from '../../common/testing/eventually.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { hostCommands } from '../../common/proc/hostCommands.js';
import { ProxyEndpointDrain } from '../agent/endpointDrain.js';
import { cleanupProxyRules, proxyRulesLeft, readHostState, restore } from './iptables.js';
import type { ServicePortModel } from './model.js';
import { planRestore, renderRules } from './rules.js';
import { ServiceProxy, type SyncReport } from './serviceProxy.js';
import { makeService, makeSlice } from './testObjects.js';
import { startTopology, type Topology } from './testing/netTopology.js';
import type { EndpointSliceWire, ServiceWire } from '../../common/api/serviceWire.js';

const ns = 'pt';

describe('service proxy: iptables rules in a network namespace (integration)', function () {
  this.timeout(120_000);
  let cluster: ProcessCluster | undefined;
  let topo: Topology | undefined;
  let proxy: ServiceProxy | undefined;
  let nodeClient: RestClient | undefined;
  const reports: SyncReport[] = [];
  const latencies: { what: string; ms: number }[] = [];
  const svc: Record<string, ServiceWire> = {};

  const api = (): RestClient => cluster!.client;
  const b1 = (): { ip: string } => topo!.pods[0]!;
  const b2 = (): { ip: string } => topo!.pods[1]!;

  async function create<T>(path: string, body: unknown): Promise<T> {
    const r = await api().request<T>('POST', path, { body });
    expect(r.status, `POST ${path}: ${r.text}`).to.equal(201);
    return r.body;
  }
  const createService = async (s: ServiceWire): Promise<ServiceWire> => (svc[s.metadata.name!] = await create<ServiceWire>(`/api/v1/namespaces/${ns}/services`, s));
  const createSlice = (s: EndpointSliceWire): Promise<EndpointSliceWire> => create(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, s);
  /** Rewrites a slice's endpoints; returns the time the API answered. */
  async function setEndpoints(slice: string, endpoints: EndpointSliceWire['endpoints']): Promise<number> {
    const path = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${slice}`;
    const cur = await api().get<EndpointSliceWire>(path);
    const r = await api().request('PUT', path, { body: { ...cur.body, endpoints } });
    expect(r.status, r.text).to.equal(200);
    return Date.now();
  }
  const ready = (ip: string): NonNullable<EndpointSliceWire['endpoints']>[number] => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } });
  const terminating = (ip: string): NonNullable<EndpointSliceWire['endpoints']>[number] => ({ addresses: [ip], conditions: { ready: false, serving: true, terminating: true } });
  const clusterIP = (name: string): string => svc[name]!.spec!.clusterIP!;
  const nodePort = (name: string): number => svc[name]!.spec!.ports![0]!.nodePort!;
  const save = async (): Promise<string> => (await topo!.exec(topo!.hostNs, 'iptables-save', [])) as string;
  /** Waits for a sync after `since` whose rules satisfy `test`; returns when it took effect. */
  const syncedAfter = (since: number, what: string, test: () => boolean): Promise<SyncReport> =>
    eventually(what, async () => reports.find((r) => r.at >= since && test()), 10_000, 10);

  /** Waits until no sync has run for half a second (earlier changes are all applied). */
  const quiet = (): Promise<true> =>
    eventually('the proxy to be idle', async () => {
      const n = proxy!.stats.syncs;
      await new Promise((r) => setTimeout(r, 500));
      return proxy!.stats.syncs === n ? true : undefined;
    });

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    const nodeToken = randomBytes(16).toString('hex');
    cluster = await startProcessCluster({ extraTokens: [{ token: nodeToken, user: 'system:node:n1', groups: ['system:nodes'] }] });
    topo = await startTopology(['b1', 'b2']);
    // Another part of Gantry's GANTRY- chain (the pod network's): the proxy must leave it alone.
    await topo.exec(topo.hostNs, 'iptables', ['-t', 'nat', '-N', 'GANTRY-POD-MASQ']);
    await topo.exec(topo.hostNs, 'iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-j', 'GANTRY-POD-MASQ']);

    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const both = (name: string, svcName: string): EndpointSliceWire => makeSlice(name, svcName, ns).port(8080, 'http').port(5353, 'dns', 'UDP').endpoint(b1().ip).endpoint(b2().ip).obj();
    await createService(makeService('web', ns).port({ name: 'http', port: 80, targetPort: 8080 }).port({ name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }).obj());
    await createSlice(both('web-1', 'web'));
    await createService(makeService('webnp', ns).type('NodePort').port({ name: 'http', port: 80, targetPort: 8080 }).obj());
    await createSlice(makeSlice('webnp-1', 'webnp', ns).port(8080, 'http').endpoint(b1().ip).endpoint(b2().ip).obj());
    await createService(makeService('sticky', ns).port({ name: 'http', port: 80, targetPort: 8080 }).affinity(60).obj());
    await createSlice(makeSlice('sticky-1', 'sticky', ns).port(8080, 'http').endpoint(b1().ip).endpoint(b2().ip).obj());
    await createService(makeService('empty', ns).type('NodePort').port({ name: 'http', port: 80, targetPort: 8080 }).obj());
    await createService(makeService('headless', ns).clusterIP('None').port({ name: 'http', port: 80, targetPort: 8080 }).obj());
    await createSlice(makeSlice('headless-1', 'headless', ns).port(8080, 'http').endpoint(b1().ip).obj());
    await createService(makeService('ext', ns).externalName('example.com').obj());
    // Partial objects: a slice port without a number, an IPv6 slice of a proxied service.
    await createService(makeService('partial', ns).port({ name: 'http', port: 80, targetPort: 8080 }).obj());
    await createSlice(makeSlice('partial-1', 'partial', ns).port(null, 'http').endpoint(b1().ip).obj());
    await createSlice(makeSlice('web-v6', 'web', ns).addressType('IPv6').port(8080, 'http').endpoint('fd00::11').obj());

    nodeClient = new RestClient({ ...cluster.access, token: nodeToken });
    proxy = new ServiceProxy({
      client: nodeClient,
      clusterCidr: topo.clusterCidr,
      runner: hostCommands(`/run/netns/${topo.hostNs}`),
      checkIntervalMs: 300,
      clock: realClock,
      logger: silentLogger(),
    });
    proxy.onSync((r) => reports.push(r));
    proxy.start();
    await proxy.whenSynced();
    await eventually('every proxied service port in the rules', async () => (proxy!.lastReport && proxy!.lastReport.servicePorts >= 6 ? true : undefined));
  });

  after(async () => {
    const problems: string[] = [];
    await proxy?.stop();
    if (topo) {
      if (proxy) await proxy.cleanup().catch((e: unknown) => problems.push(String(e)));
      problems.push(...(await topo.close()));
    }
    nodeClient?.close();
    await cluster?.close();
    if (latencies.length) {
      const sorted = latencies.map((l) => l.ms).sort((a, b) => a - b);
      process.stdout.write(`      sync latency (API write -> rules applied in the host netns), ms: ${latencies.map((l) => `${l.what}=${l.ms}`).join(', ')}; p50 ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted[sorted.length - 1]}\n`);
    }
    const durations = reports.filter((r) => r.written + r.deleted > 0).map((r) => r.durationMs);
    if (durations.length) process.stdout.write(`      sync duration (model + iptables-restore), ms: ${durations.map((d) => d.toFixed(1)).join(' ')}\n`);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('balances a ClusterIP over both ready endpoints, masquerading a client from outside the cluster CIDR', async () => {
    const replies = await Promise.all(Array.from({ length: 30 }, () => topo!.client.request({ proto: 'tcp', host: clusterIP('web'), port: 80 })));
    expect(replies.every((r) => r.ok), JSON.stringify(replies.filter((r) => !r.ok))).to.equal(true);
    const names = new Set(replies.map((r) => r.data!.split(' ')[0]));
    expect([...names].sort()).to.deep.equal(['b1', 'b2']);
    // The client (172.31.250.2) is outside the cluster CIDR: the backends see the host's bridge address.
    expect(new Set(replies.map((r) => r.data!.split(' ')[1]))).to.deep.equal(new Set([topo!.bridgeIP]));
  });

  it('keeps a pod\'s own address towards other pods, and masquerades hairpin traffic (a pod reaching itself)', async () => {
    const replies = await Promise.all(Array.from({ length: 30 }, () => topo!.pods[1]!.helper.request({ proto: 'tcp', host: clusterIP('web'), port: 80 })));
    expect(replies.every((r) => r.ok), JSON.stringify(replies.filter((r) => !r.ok))).to.equal(true);
    const seen = new Map(replies.map((r) => r.data!.split(' ') as [string, string]));
    expect(seen.get('b1'), 'b2 -> b1 keeps its source').to.equal(b2().ip);
    expect(seen.get('b2'), 'b2 -> b2 through the Service (hairpin) is masqueraded').to.equal(topo!.bridgeIP);
  });

  it('answers UDP through the ClusterIP', async () => {
    const names = await topo!.client.names({ proto: 'udp', host: clusterIP('web'), port: 53 }, 20);
    expect(names.filter((n) => n.startsWith('!')), names.join(' ')).to.deep.equal([]);
    expect(new Set(names)).to.deep.equal(new Set(['b1', 'b2']));
  });

  it('opens NodePorts on the node address, on the pod bridge address and on 127.0.0.1', async () => {
    const np = nodePort('webnp');
    expect(np).to.be.within(30000, 32767);
    const fromClient = await topo!.client.names({ proto: 'tcp', host: topo!.hostIP, port: np }, 10);
    expect(fromClient.filter((n) => n.startsWith('!')), fromClient.join(' ')).to.deep.equal([]);
    for (const host of ['127.0.0.1', topo!.bridgeIP, topo!.hostIP]) {
      const r = await topo!.hostClient.request({ proto: 'tcp', host, port: np });
      expect(r.ok, `${host}:${np} from the host: ${r.error}`).to.equal(true);
    }
  });

  it('keeps a client on one endpoint with sessionAffinity ClientIP', async () => {
    const names = await topo!.client.names({ proto: 'tcp', host: clusterIP('sticky'), port: 80 }, 20);
    expect(names.filter((n) => n.startsWith('!'))).to.deep.equal([]);
    expect(new Set(names).size, names.join(' ')).to.equal(1);
  });

  it('refuses connections to a Service without endpoints at once (ClusterIP and NodePort)', async () => {
    // From a pod, as ClusterIPs are used (the REJECT answers forwarded traffic that leaves by another interface).
    const pod = topo!.pods[0]!.helper;
    const r = await pod.request({ proto: 'tcp', host: clusterIP('empty'), port: 80 });
    expect(r.ok).to.equal(false);
    expect(r.error).to.equal('ECONNREFUSED');
    expect(r.ms).to.be.below(1000);
    const n = await topo!.client.request({ proto: 'tcp', host: topo!.hostIP, port: nodePort('empty') });
    expect(n.error).to.equal('ECONNREFUSED');
    // The slice port without a number was skipped: that service has no usable endpoint either.
    const p = await pod.request({ proto: 'tcp', host: clusterIP('partial'), port: 80 });
    expect(p.error).to.equal('ECONNREFUSED');
  });

  it('leaves headless and ExternalName Services and IPv6 slices out of the rules', async () => {
    const rules = await save();
    expect(rules).to.include(`${ns}/web:http`);
    for (const absent of [`${ns}/headless`, `${ns}/ext`, 'fd00::11']) expect(rules, absent).to.not.include(absent);
    // web's slice ports: http and dns; the IPv6 slice added nothing.
    expect(rules.match(/-j DNAT --to-destination 10\.244\.7\.1[12]:8080/g)?.length).to.equal(3 * 2);
  });

  it('drops a terminating endpoint: the drain resolves once the rules no longer reach it, and a UDP flow moves to the other endpoint', async () => {
    // A UDP flow from a fixed port: its conntrack entry pins it to one endpoint.
    const flow = { proto: 'udp' as const, host: clusterIP('web'), port: 53, localPort: 40053 };
    const first = await topo!.client.request(flow);
    expect(first.ok, first.error).to.equal(true);
    const pinned = first.data!.split(' ')[0]!;
    const gone = topo!.pods.find((p) => p.name === pinned)!;
    const other = topo!.pods.find((p) => p.name !== pinned)!;
    expect((await topo!.client.request(flow)).data!.split(' ')[0]).to.equal(pinned);

    const drain = new ProxyEndpointDrain({ tracker: proxy!, marginMs: 200, clock: realClock, logger: silentLogger() });
    expect(proxy!.isServingEndpoint(gone.ip)).to.equal(true);
    const t0 = Date.now();
    const drained = drain.drain(gone.ip, t0 + 10_000).then((o) => ({ o, at: Date.now() }));
    // The EndpointSlice controller marks the pod terminating in every slice listing it.
    const wrote = await setEndpoints('web-1', [ready(other.ip), terminating(gone.ip)]);
    await setEndpoints('webnp-1', [ready(other.ip), terminating(gone.ip)]);
    await setEndpoints('sticky-1', [ready(other.ip), terminating(gone.ip)]);
    const { o, at } = await drained;
    expect(o).to.equal('drained');
    // When the drain ends the host's rules already have no DNAT to it for web.
    const rules = await save();
    expect(rules.split('\n').filter((l) => l.includes(`--to-destination ${gone.ip}:`))).to.deep.equal([]);
    const applied = reports.find((r) => r.at >= wrote);
    if (applied) latencies.push({ what: 'endpoint removed', ms: applied.at - wrote });
    process.stdout.write(`      drain of ${gone.ip}: ${at - t0} ms after it started, ${at - wrote} ms after the slice update (margin 200 ms)\n`);

    const names = await topo!.client.names({ proto: 'tcp', host: clusterIP('web'), port: 80 }, 15);
    expect(new Set(names)).to.deep.equal(new Set([other.name]));
    const moved = await topo!.client.request(flow);
    expect(moved.ok, moved.error).to.equal(true);
    expect(moved.data!.split(' ')[0], 'the stale UDP conntrack entry was cleared').to.equal(other.name);
    // Still serving (terminating): a drain asked now has nothing left to wait for in the rules.
    expect(await new ProxyEndpointDrain({ tracker: proxy!, marginMs: 0, clock: realClock, logger: silentLogger() }).drain(gone.ip, Date.now() + 5000)).to.equal('drained');
  });

  it('takes an endpoint back when it is ready again; a pod no Service sends to is not drained', async () => {
    const wrote = await setEndpoints('web-1', [ready(b1().ip), ready(b2().ip)]);
    await setEndpoints('webnp-1', [ready(b1().ip), ready(b2().ip)]);
    await setEndpoints('sticky-1', [ready(b1().ip), ready(b2().ip)]);
    const r = await syncedAfter(wrote, 'both endpoints back', () => proxy!.isServingEndpoint(b1().ip) && proxy!.isServingEndpoint(b2().ip));
    latencies.push({ what: 'endpoint added', ms: r.at - wrote });
    const names = await eventually('both backends answering', async () => {
      const n = await topo!.client.names({ proto: 'tcp', host: clusterIP('web'), port: 80 }, 20);
      return new Set(n).size === 2 ? n : undefined;
    });
    expect(new Set(names)).to.deep.equal(new Set(['b1', 'b2']));
    const drain = new ProxyEndpointDrain({ tracker: proxy!, clock: realClock, logger: silentLogger() });
    const t0 = Date.now();
    expect(await drain.drain('10.244.7.99', t0 + 10_000)).to.equal('not-an-endpoint');
    expect(Date.now() - t0).to.be.below(50);
  });

  it('coalesces a burst of changes and runs no iptables-restore for changes that alter no rule', async () => {
    await quiet();
    const before = { ...proxy!.stats };
    // A label on a headless Service: an event, but no rule changes.
    const path = `/api/v1/namespaces/${ns}/services/headless`;
    const r = await api().request('PATCH', path, { body: { metadata: { labels: { touched: 'yes' } } }, contentType: 'application/merge-patch+json' });
    expect(r.status, r.text).to.equal(200);
    await eventually('a sync', async () => (proxy!.stats.syncs > before.syncs ? true : undefined));
    expect(proxy!.stats.noopSyncs - before.noopSyncs).to.equal(proxy!.stats.syncs - before.syncs);
    // Ten endpoint changes in a row make far fewer syncs.
    const mid = { ...proxy!.stats };
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) await setEndpoints('sticky-1', i % 2 ? [ready(b1().ip), ready(b2().ip)] : [ready(b1().ip)]);
    await syncedAfter(Date.now(), 'the last change applied', () => true);
    await new Promise((res) => setTimeout(res, 300));
    const syncs = proxy!.stats.syncs - mid.syncs;
    process.stdout.write(`      10 slice updates in ${Date.now() - t0} ms -> ${syncs} syncs\n`);
    expect(syncs).to.be.below(10);
  });

  it('rewrites its rules when someone else removed a jump or emptied a chain', async () => {
    const before = proxy!.stats.fullSyncs;
    await topo!.exec(topo!.hostNs, 'iptables', ['-t', 'nat', '-D', 'PREROUTING', '-m', 'comment', '--comment', 'gantry service portals', '-j', 'GANTRY-SERVICES']);
    await eventually('a full sync', async () => (proxy!.stats.fullSyncs > before ? true : undefined), 10_000, 50);
    const names = await topo!.client.names({ proto: 'tcp', host: clusterIP('web'), port: 80 }, 10);
    expect(names.filter((n) => n.startsWith('!'))).to.deep.equal([]);
    // A chain emptied behind the proxy's back (it still exists) is noticed too.
    const again = proxy!.stats.fullSyncs;
    await topo!.exec(topo!.hostNs, 'iptables', ['-t', 'nat', '-F', 'GANTRY-NODEPORTS']);
    await eventually('another full sync', async () => (proxy!.stats.fullSyncs > again ? true : undefined), 10_000, 50);
    const np = await topo!.client.request({ proto: 'tcp', host: topo!.hostIP, port: nodePort('webnp') });
    expect(np.ok, np.error).to.equal(true);
  });

  it('cleanup removes every chain and jump of the proxy, and leaves the other GANTRY- chain alone', async () => {
    await proxy!.stop();
    const removed = await proxy!.cleanup();
    expect(removed.length).to.be.greaterThan(5);
    expect(await proxyRulesLeft(hostCommands(`/run/netns/${topo!.hostNs}`))).to.deep.equal([]);
    const rules = await save();
    expect(rules).to.include(':GANTRY-POD-MASQ');
    expect(rules).to.include('-A POSTROUTING -j GANTRY-POD-MASQ');
    expect(await proxy!.cleanup(), 'a second cleanup finds nothing').to.deep.equal([]);
    const r = await topo!.client.request({ proto: 'tcp', host: clusterIP('web'), port: 80, timeoutMs: 300 });
    expect(r.ok).to.equal(false);
  });

  it('prints what a sync costs with 300 service ports of 10 endpoints each (full, then one endpoint changed)', async () => {
    await proxy!.stop(); // the rules below are the test's own
    const runner = hostCommands(`/run/netns/${topo!.hostNs}`);
    const ports = (change: boolean): ServicePortModel[] =>
      Array.from({ length: 300 }, (_v, i) => ({
        name: `bench/svc-${i}:http`,
        protocol: 'TCP' as const,
        clusterIP: `10.100.${i >> 8}.${i & 255}`,
        port: 80,
        endpoints: Array.from({ length: 10 }, (_w, j) => ({ ip: `10.244.${i % 200}.${j + (change && i === 150 && j === 0 ? 100 : 1)}`, port: 8080 })),
      }));
    const t0 = performance.now();
    const first = renderRules(ports(false), { clusterCidr: topo!.clusterCidr });
    const full = planRestore(first, undefined, await readHostState(runner));
    const t1 = performance.now();
    await restore(runner, full.text);
    const t2 = performance.now();
    const second = renderRules(ports(true), { clusterCidr: topo!.clusterCidr });
    const partial = planRestore(second, first, undefined);
    const t3 = performance.now();
    await restore(runner, partial.text);
    const t4 = performance.now();
    expect(partial.written).to.equal(2);
    expect(partial.deleted).to.equal(1);
    const rules = await save();
    expect(rules).to.include('--to-destination 10.244.150.100:8080');
    process.stdout.write(
      `      300 service ports x 10 endpoints: full sync render ${(t1 - t0).toFixed(0)} ms + restore ${(t2 - t1).toFixed(0)} ms (${full.written} chains, ${full.text.length} bytes); ` +
        `one endpoint changed: render ${(t3 - t2).toFixed(0)} ms + restore ${(t4 - t3).toFixed(0)} ms (${partial.written} chains written, ${partial.deleted} deleted)\n`,
    );
    await cleanupProxyRules(runner);
    expect(await proxyRulesLeft(runner)).to.deep.equal([]);
  });
});
