// The Service allocator against a real etcd: each case gets its own key root, so claims
// from one case never meet another's.

import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { FakeClock } from '../../../common/clock.js';
import { ApiError } from '../../../common/errors.js';
import { silentLogger } from '../../../common/logging.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../../common/proc/etcdProcess.js';
import { EtcdStorage } from '../../storage/etcdStorage.js';
import { serviceAllocation, type ServiceAllocation } from './serviceAllocation.js';

type Spec = Record<string, unknown>;
const svc = (name: string, spec: Spec, ns = 'default'): KubeObject => ({ metadata: { name, namespace: ns }, spec: { type: 'ClusterIP', selector: { app: name }, ...structuredClone(spec) } });
const tcp = (port: number, extra: Spec = {}): Spec => ({ port, protocol: 'TCP', targetPort: port, ...extra });
const specOf = (o: KubeObject): Spec => o.spec as Spec;
const portsOf = (o: KubeObject): Spec[] => specOf(o).ports as Spec[];

/** The error an allocation threw, as reason + message. */
async function failure(p: Promise<unknown>): Promise<{ reason: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return { reason: e.reason, message: e.message };
    throw e;
  }
  throw new Error('allocation succeeded');
}

describe('ServiceAllocator (real etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdProcess;
  let tmp: { dir: string; remove: () => void };
  let storage: EtcdStorage;
  let n = 0;
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  /** A fresh allocation over its own key root. */
  const fresh = (ranges: { ip?: string; ports?: string } = {}, random?: (n: number) => number): ServiceAllocation & { root: string } => {
    const root = `/alloc-test-${++n}/`;
    return { root, ...serviceAllocation({ storage, root, clock, logger: silentLogger(), serviceClusterIPRange: ranges.ip ?? '10.96.0.0/24', serviceNodePortRange: ranges.ports ?? '30000-30099', ...(random ? { random } : {}) }) };
  };
  const claimed = async (root: string, what: 'ip' | 'port'): Promise<string[]> => {
    const prefix = what === 'ip' ? `${root}ipaddresses.networking.k8s.io/` : `${root}ranges/servicenodeports/`;
    return (await storage.list(prefix)).items.map((i) => i.key.slice(prefix.length)).sort();
  };

  before(async () => {
    tmp = makeTempDir('gantry-alloc');
    etcd = await startEtcd({ dataDir: tmp.dir });
    storage = new EtcdStorage({ endpoints: [etcd.endpoint], logger: silentLogger() });
  });
  after(async () => {
    await storage?.close();
    await etcd?.stop();
    tmp?.remove();
  });

  describe('create', () => {
    const cases: { name: string; spec: Spec; check: (o: KubeObject, ips: string[], ports: string[]) => void }[] = [
      {
        name: 'ClusterIP: a free IP from the upper band, IPv4 single-stack fields',
        spec: { ports: [tcp(80)] },
        check: (o, ips, ports) => {
          const s = specOf(o);
          expect(s.clusterIP).to.match(/^10\.96\.0\.\d+$/);
          expect(Number((s.clusterIP as string).split('.')[3])).to.be.within(17, 254);
          expect(s.clusterIPs).to.deep.equal([s.clusterIP]);
          expect(s.ipFamilies).to.deep.equal(['IPv4']);
          expect(s.ipFamilyPolicy).to.equal('SingleStack');
          expect(ips).to.deep.equal([s.clusterIP]);
          expect(ports).to.deep.equal([]);
          expect(portsOf(o)[0]!.nodePort).to.equal(undefined);
        },
      },
      {
        name: 'a chosen IP in the lower band',
        spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [tcp(53)] },
        check: (o, ips) => {
          expect(specOf(o).clusterIPs).to.deep.equal(['10.96.0.10']);
          expect(ips).to.deep.equal(['10.96.0.10']);
        },
      },
      {
        name: 'only clusterIPs given: clusterIP follows',
        spec: { clusterIPs: ['10.96.0.11'], ports: [tcp(53)] },
        check: (o) => expect(specOf(o).clusterIP).to.equal('10.96.0.11'),
      },
      {
        name: 'headless with a selector: no IP, single-stack',
        spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [tcp(5432)] },
        check: (o, ips) => {
          expect(specOf(o)).to.deep.include({ clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
          expect(ips).to.deep.equal([]);
        },
      },
      {
        name: 'headless without a selector: RequireDualStack with both families, as Kubernetes defaults it',
        spec: { clusterIP: 'None', clusterIPs: ['None'], selector: undefined },
        check: (o, ips) => {
          expect(specOf(o)).to.deep.include({ ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' });
          expect(ips).to.deep.equal([]);
        },
      },
      {
        name: 'ExternalName: no IP, no family fields',
        spec: { type: 'ExternalName', externalName: 'db.example.com' },
        check: (o, ips) => {
          expect(specOf(o).clusterIP).to.equal(undefined);
          expect(specOf(o).ipFamilies).to.equal(undefined);
          expect(ips).to.deep.equal([]);
        },
      },
      {
        name: 'NodePort: a node port per port, 53/TCP and 53/UDP share one',
        spec: { type: 'NodePort', ports: [tcp(53, { name: 'dns' }), tcp(53, { name: 'dns-udp', protocol: 'UDP' }), tcp(80, { name: 'web' })] },
        check: (o, ips, ports) => {
          const [a, b, c] = portsOf(o).map((p) => p.nodePort as number);
          expect(a).to.be.within(30000, 30099);
          expect(b).to.equal(a);
          expect(c).to.be.within(30000, 30099).and.not.equal(a);
          expect(ports).to.deep.equal([String(a), String(c)].sort());
          expect(ips).to.have.length(1);
        },
      },
      {
        name: 'NodePort with a chosen port',
        spec: { type: 'NodePort', ports: [tcp(80, { nodePort: 30080 })] },
        check: (o, _ips, ports) => {
          expect(portsOf(o)[0]!.nodePort).to.equal(30080);
          expect(ports).to.deep.equal(['30080']);
        },
      },
      {
        name: 'LoadBalancer: node ports too',
        spec: { type: 'LoadBalancer', ports: [tcp(443)] },
        check: (o, _ips, ports) => expect(ports).to.deep.equal([String(portsOf(o)[0]!.nodePort)]),
      },
      {
        name: 'LoadBalancer without node ports keeps only chosen ones',
        spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [tcp(443, { name: 'a' }), tcp(80, { name: 'b', nodePort: 30081 })] },
        check: (o, _ips, ports) => {
          expect(portsOf(o).map((p) => p.nodePort)).to.deep.equal([undefined, 30081]);
          expect(ports).to.deep.equal(['30081']);
        },
      },
      {
        name: 'LoadBalancer with externalTrafficPolicy Local gets a health-check node port',
        spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [tcp(443)] },
        check: (o, _ips, ports) => {
          const hc = specOf(o).healthCheckNodePort as number;
          expect(hc).to.be.within(30000, 30099).and.not.equal(portsOf(o)[0]!.nodePort);
          expect(ports).to.have.length(2).and.include(String(hc));
        },
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const a = fresh();
        const o = svc('s', tc.spec);
        const txn = await a.allocator.allocate(o, undefined, { dryRun: false });
        await txn.commit();
        tc.check(o, await claimed(a.root, 'ip'), await claimed(a.root, 'port'));
      });
    }
  });

  describe('refusals, in Kubernetes wording', () => {
    const cases: { name: string; first?: Spec; spec: Spec; reason: string; message: string; ranges?: { ip?: string; ports?: string } }[] = [
      {
        name: 'an IP another service holds',
        first: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [tcp(53)] },
        spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [tcp(53)] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
      },
      {
        name: 'an IP outside the range',
        spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [tcp(80)] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/24',
      },
      {
        name: "the range's broadcast address",
        spec: { clusterIP: '10.96.0.255', ports: [tcp(80)] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.255"}: failed to allocate IP 10.96.0.255: the provided IP (10.96.0.255) is not in the valid range. The range of valid IPs is 10.96.0.0/24',
      },
      {
        name: 'an IPv6 cluster IP on an IPv4 cluster',
        spec: { clusterIP: 'fd00::1', clusterIPs: ['fd00::1'], ports: [tcp(80)] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.clusterIPs[0]: Invalid value: []string{"fd00::1"}: IPv6 is not configured on this cluster',
      },
      {
        name: 'RequireDualStack on a single-stack cluster',
        spec: { ipFamilyPolicy: 'RequireDualStack', ports: [tcp(80)] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
      },
      {
        name: 'ipFamilies IPv6',
        spec: { ipFamilies: ['IPv6'], ports: [tcp(80)] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
      },
      {
        name: 'a node port another service holds',
        first: { type: 'NodePort', ports: [tcp(80, { nodePort: 30080 })] },
        spec: { type: 'NodePort', ports: [tcp(81, { nodePort: 30090 }), tcp(80, { nodePort: 30080 })] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated',
      },
      {
        name: 'a node port outside the range',
        spec: { type: 'NodePort', ports: [tcp(80, { nodePort: 39999 })] },
        reason: 'Invalid',
        message: 'Service "s" is invalid: spec.ports[0].nodePort: Invalid value: 39999: provided port is not in the valid range. The range of valid ports is 30000-30099',
      },
      {
        name: 'no IP left',
        ranges: { ip: '10.96.0.0/30' },
        first: { ports: [tcp(80)] },
        spec: { ports: [tcp(80)] },
        reason: 'InternalError',
        message: 'Internal error occurred: failed to allocate a serviceIP: range is full',
      },
      {
        name: 'no node port left',
        ranges: { ports: '30000-30000' },
        first: { type: 'NodePort', ports: [tcp(80)] },
        spec: { type: 'NodePort', ports: [tcp(80)] },
        reason: 'InternalError',
        message: 'Internal error occurred: failed to allocate a nodePort: range is full',
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const a = fresh(tc.ranges);
        if (tc.first) {
          // A /30 holds two addresses: fill it.
          for (const name of tc.ranges?.ip ? ['f1', 'f2'] : ['f1']) await (await a.allocator.allocate(svc(name, tc.first), undefined, { dryRun: false })).commit();
        }
        const before = [await claimed(a.root, 'ip'), await claimed(a.root, 'port')];
        expect(await failure(a.allocator.allocate(svc('s', tc.spec), undefined, { dryRun: false }))).to.deep.equal({ reason: tc.reason, message: tc.message });
        // A refused allocation leaves nothing behind (the first node port of a two-port refusal included).
        expect([await claimed(a.root, 'ip'), await claimed(a.root, 'port')]).to.deep.equal(before);
        // A dry run refuses the same way.
        if (tc.reason === 'Invalid') expect((await failure(a.allocator.allocate(svc('s', tc.spec), undefined, { dryRun: true }))).message).to.equal(tc.message);
      });
    }
  });

  it('dry run: would-be values as Kubernetes shows them, and no claim', async () => {
    const a = fresh();
    const o = svc('s', { type: 'NodePort', ports: [tcp(80, { name: 'a' }), tcp(81, { name: 'b' })] });
    const txn = await a.allocator.allocate(o, undefined, { dryRun: true });
    await txn.revert();
    expect(specOf(o).clusterIPs).to.deep.equal(['10.96.0.0']);
    expect(portsOf(o).map((p) => p.nodePort)).to.deep.equal([32769, 32770]);
    expect(await claimed(a.root, 'ip')).to.deep.equal([]);
    expect(await claimed(a.root, 'port')).to.deep.equal([]);
  });

  it('revert frees what the allocation claimed', async () => {
    const a = fresh();
    const txn = await a.allocator.allocate(svc('s', { type: 'NodePort', ports: [tcp(80)] }), undefined, { dryRun: false });
    expect(await claimed(a.root, 'ip')).to.have.length(1);
    await txn.revert();
    expect([await claimed(a.root, 'ip'), await claimed(a.root, 'port')]).to.deep.equal([[], []]);
  });

  it('release frees every value, and only its own', async () => {
    const a = fresh();
    const o = svc('s', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [tcp(80)] });
    await (await a.allocator.allocate(o, undefined, { dryRun: false })).commit();
    // A namesake in another namespace holds nothing of s's.
    await a.allocator.release({ ...o, metadata: { name: 's', namespace: 'other' } });
    expect(await claimed(a.root, 'port')).to.have.length(2);
    await a.allocator.release(o);
    expect([await claimed(a.root, 'ip'), await claimed(a.root, 'port')]).to.deep.equal([[], []]);
  });

  it('an update computed from a stale copy asks again for what the service holds: no refusal, and revert keeps it', async () => {
    const a = fresh();
    const stale = svc('s', { ports: [tcp(80)] });
    stale.metadata.uid = 'uid-1';
    await (await a.allocator.allocate(stale, undefined, { dryRun: false })).commit();
    // The service became NodePort 30050 meanwhile; an update still based on the ClusterIP copy names that port.
    const current: KubeObject = { metadata: { ...stale.metadata }, spec: { ...structuredClone(specOf(stale)), type: 'NodePort', ports: [tcp(80, { nodePort: 30050 })] } };
    await (await a.allocator.allocate(current, stale, { dryRun: false })).commit();
    const next: KubeObject = structuredClone(current);
    const txn = await a.allocator.allocate(next, stale, { dryRun: false });
    await txn.revert();
    expect(await claimed(a.root, 'port')).to.deep.equal(['30050']);
    // A namesake (another uid) is refused, and cannot free it.
    const namesake = svc('s', { type: 'NodePort', ports: [tcp(80, { nodePort: 30050 })] });
    namesake.metadata.uid = 'uid-2';
    expect((await failure(a.allocator.allocate(namesake, undefined, { dryRun: false }))).message).to.match(/provided port is already allocated$/);
    await a.allocator.release(namesake);
    expect(await claimed(a.root, 'port')).to.deep.equal(['30050']);
  });

  it('dynamic picks start at a random point of the upper band', async () => {
    const a = fresh({}, () => 0);
    const o = svc('s', { type: 'NodePort', ports: [tcp(80)] });
    await (await a.allocator.allocate(o, undefined, { dryRun: false })).commit();
    // /24: 16 addresses of lower band (10.96.0.1-16); 30000-30099: 16 ports of lower band.
    expect(specOf(o).clusterIP).to.equal('10.96.0.17');
    expect(portsOf(o)[0]!.nodePort).to.equal(30016);
  });

  it('falls back to the lower band when the upper one is full', async () => {
    const a = fresh({ ip: '10.96.0.0/27' });
    // 30 addresses, lower band 16: take the 14 upper ones first.
    const got: string[] = [];
    for (let i = 0; i < 15; i++) {
      const o = svc(`s${i}`, { ports: [tcp(80)] });
      await (await a.allocator.allocate(o, undefined, { dryRun: false })).commit();
      got.push(specOf(o).clusterIP as string);
    }
    const last = Number(got.pop()!.split('.')[3]);
    expect(got.map((ip) => Number(ip.split('.')[3])).every((x) => x >= 17 && x <= 30)).to.equal(true);
    expect(last).to.be.within(1, 16);
  });

  it('concurrent creates never get the same IP or node port, and exhaust the range cleanly', async () => {
    const a = fresh({ ip: '10.96.0.0/27', ports: '30000-30029' });
    // 30 addresses and 30 ports for 32 services.
    const results = await Promise.allSettled(
      Array.from({ length: 32 }, async (_, i) => {
        const o = svc(`c${i}`, { type: 'NodePort', ports: [tcp(80)] });
        await (await a.allocator.allocate(o, undefined, { dryRun: false })).commit();
        return [specOf(o).clusterIP as string, String(portsOf(o)[0]!.nodePort)];
      }),
    );
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as ApiError] : []));
    expect(ok).to.have.length(30);
    expect(new Set(ok.map((v) => v[0])).size).to.equal(30);
    expect(new Set(ok.map((v) => v[1])).size).to.equal(30);
    expect(failed.map((e) => e.message)).to.deep.equal(Array(2).fill('Internal error occurred: failed to allocate a serviceIP: range is full'));
    expect(await claimed(a.root, 'ip')).to.have.length(30);
    expect(await claimed(a.root, 'port')).to.have.length(30);
  });

  describe('update', () => {
    const cases: { name: string; from: Spec; to: (old: Spec) => Spec; check: (o: KubeObject, old: KubeObject, ips: string[], ports: string[]) => void }[] = [
      {
        name: 'ClusterIP -> NodePort claims node ports, keeps the IP',
        from: { ports: [tcp(80)] },
        to: (old) => ({ ...old, type: 'NodePort' }),
        check: (o, old, ips, ports) => {
          expect(specOf(o).clusterIP).to.equal(specOf(old).clusterIP);
          expect(ips).to.deep.equal([specOf(old).clusterIP]);
          expect(ports).to.deep.equal([String(portsOf(o)[0]!.nodePort)]);
        },
      },
      {
        name: 'NodePort -> ClusterIP frees the node ports on commit',
        from: { type: 'NodePort', ports: [tcp(80)] },
        to: (old) => ({ ...old, type: 'ClusterIP', ports: [tcp(80)] }),
        check: (_o, _old, ips, ports) => {
          expect(ips).to.have.length(1);
          expect(ports).to.deep.equal([]);
        },
      },
      {
        name: 'ClusterIP -> ExternalName frees the IP',
        from: { ports: [tcp(80)] },
        to: () => ({ type: 'ExternalName', externalName: 'db.example.com', selector: { app: 's' } }),
        check: (o, _old, ips) => {
          expect(specOf(o).clusterIP).to.equal(undefined);
          expect(ips).to.deep.equal([]);
        },
      },
      {
        name: 'ExternalName -> ClusterIP claims an IP',
        from: { type: 'ExternalName', externalName: 'db.example.com' },
        to: () => ({ type: 'ClusterIP', ports: [tcp(80)], selector: { app: 's' } }),
        check: (o, _old, ips) => expect(ips).to.deep.equal([specOf(o).clusterIP]),
      },
      {
        name: 'a changed node port claims the new one and frees the old',
        from: { type: 'NodePort', ports: [tcp(80, { nodePort: 30050 })] },
        to: (old) => ({ ...old, ports: [tcp(80, { nodePort: 30051 })] }),
        check: (_o, _old, _ips, ports) => expect(ports).to.deep.equal(['30051']),
      },
      {
        name: 'an unchanged service claims nothing new',
        from: { type: 'NodePort', ports: [tcp(80)] },
        to: (old) => old,
        check: (o, old, ips, ports) => {
          expect(o.spec).to.deep.equal(old.spec);
          expect(ips).to.have.length(1);
          expect(ports).to.have.length(1);
        },
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const a = fresh();
        const old = svc('s', tc.from);
        await (await a.allocator.allocate(old, undefined, { dryRun: false })).commit();
        const next: KubeObject = { metadata: { ...old.metadata }, spec: tc.to(structuredClone(specOf(old))) };
        const txn = await a.allocator.allocate(next, old, { dryRun: false });
        await txn.commit();
        tc.check(next, old, await claimed(a.root, 'ip'), await claimed(a.root, 'port'));
      });
    }

    it('a reverted update keeps the old values and frees the new ones', async () => {
      const a = fresh();
      const old = svc('s', { ports: [tcp(80)] });
      await (await a.allocator.allocate(old, undefined, { dryRun: false })).commit();
      const next: KubeObject = { metadata: { ...old.metadata }, spec: { ...structuredClone(specOf(old)), type: 'NodePort' } };
      const txn = await a.allocator.allocate(next, old, { dryRun: false });
      expect(await claimed(a.root, 'port')).to.have.length(1);
      await txn.revert();
      expect(await claimed(a.root, 'ip')).to.deep.equal([specOf(old).clusterIP]);
      expect(await claimed(a.root, 'port')).to.deep.equal([]);
    });
  });
});
