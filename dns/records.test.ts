// The cluster zone's names and records, table-driven over a StoreView filled by hand: every
// branch of the tree, NXDOMAIN against NODATA, headless and ExternalName Services, SRV for
// named ports, endpoint hostnames, pod names and PTR.

import { expect } from 'chai';
import type { Answer } from 'dns-packet';
import { IndexedStore } from '../common/client/informer.js';
import { StoreView } from './clusterView.js';
import { parseName } from './names.js';
import { ZoneResolver, type Resolution } from './records.js';
import type { EndpointSlice, Service } from './types.js';

function svc(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}
function slice(ns: string, name: string, service: string, endpoints: EndpointSlice['endpoints'], addressType = 'IPv4'): EndpointSlice {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } }, addressType, endpoints };
}

const services = [
  svc('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 9000 }] }),
  svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
  svc('default', 'empty-headless', { clusterIP: 'None', ports: [{ name: 'x', port: 1 }] }),
  svc('default', 'all', { clusterIP: 'None', publishNotReadyAddresses: true }),
  svc('default', 'ext', { type: 'ExternalName', externalName: 'example.org' }),
  svc('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
  svc('default', 'loop', { type: 'ExternalName', externalName: 'loop.default.svc.cluster.local' }),
  svc('kube-system', 'kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
];
const slices = [
  slice('default', 'db-a', 'db', [
    { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.244.2.6'], conditions: {} },
    { addresses: ['10.244.3.7'], hostname: 'db-2', conditions: { ready: false } },
  ]),
  // The same pod in a second slice (the controller moving it) is published once.
  slice('default', 'db-b', 'db', [{ addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } }]),
  slice('default', 'db-v6', 'db', [{ addresses: ['fd00::1'], conditions: { ready: true } }], 'IPv6'),
  slice('default', 'all-a', 'all', [{ addresses: ['10.244.4.1'], conditions: { ready: false } }]),
  slice('default', 'web-a', 'web', [{ addresses: ['10.244.9.9'], hostname: 'not-published', conditions: { ready: true } }]),
];

function makeView(synced = true): StoreView {
  const s = new IndexedStore<Service>();
  for (const o of services) s.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  const e = new IndexedStore<EndpointSlice>();
  for (const o of slices) e.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  const n = new IndexedStore<{ metadata?: { name?: string } }>();
  for (const name of ['default', 'kube-system', 'empty']) n.set(name, { metadata: { name } });
  return new StoreView({ services: s, slices: e, namespaces: n }, () => synced);
}

const settings = { clusterDomain: 'cluster.local', ttl: 5, nameserverIP: '10.96.0.10', serial: () => 42 };
const resolver = new ZoneResolver(makeView(), settings);

/** A short form of a resolution: `NXDOMAIN`, `NODATA`, `forward`, or the answers as `TYPE data` strings. */
function brief(r: Resolution): string[] | string {
  if (r.kind === 'forward' || r.kind === 'servfail') return r.kind;
  const show = (a: Answer): string => {
    const d = (a as { data: unknown }).data;
    if (a.type === 'SRV') {
      const s = d as { priority: number; weight: number; port: number; target: string };
      return `SRV ${s.priority} ${s.weight} ${s.port} ${s.target}`;
    }
    return `${a.type} ${String(d)}`;
  };
  if (r.kind === 'chase') return ['chase', ...r.answers.map(show), r.target];
  if (r.rcode === 'NXDOMAIN') return 'NXDOMAIN';
  if (r.answers.length === 0) return 'NODATA';
  return [...r.answers.map(show), ...r.additionals.map((a) => `+${show(a)}`)];
}

describe('dns names: where a name falls in the cluster tree', () => {
  const cases: { name: string; want: ReturnType<typeof parseName> }[] = [
    { name: 'cluster.local.', want: { zone: 'cluster', name: { kind: 'apex' } } },
    { name: 'Web.Default.SVC.Cluster.Local', want: { zone: 'cluster', name: { kind: 'service', namespace: 'default', service: 'web' } } },
    { name: '_http._tcp.web.default.svc.cluster.local', want: { zone: 'cluster', name: { kind: 'port', namespace: 'default', service: 'web', protocol: 'tcp', port: 'http' } } },
    { name: '_tcp.web.default.svc.cluster.local', want: { zone: 'cluster', name: { kind: 'protocol', namespace: 'default', service: 'web', protocol: 'tcp' } } },
    { name: '_http._icmp.web.default.svc.cluster.local', want: { zone: 'cluster', name: { kind: 'none' } } },
    { name: 'db-0.db.default.svc.cluster.local', want: { zone: 'cluster', name: { kind: 'endpoint', namespace: 'default', service: 'db', endpoint: 'db-0' } } },
    { name: 'a.b.db.default.svc.cluster.local', want: { zone: 'cluster', name: { kind: 'none' } } },
    { name: '10-244-1-5.default.pod.cluster.local', want: { zone: 'cluster', name: { kind: 'pod', namespace: 'default', ip: '10.244.1.5' } } },
    { name: '10-244-1-256.default.pod.cluster.local', want: { zone: 'cluster', name: { kind: 'none' } } },
    { name: '010-244-1-5.default.pod.cluster.local', want: { zone: 'cluster', name: { kind: 'none' } } },
    { name: 'default.svc.cluster.local', want: { zone: 'cluster', name: { kind: 'namespace', namespace: 'default' } } },
    { name: 'svc.cluster.local', want: { zone: 'cluster', name: { kind: 'parent' } } },
    { name: 'ns.dns.cluster.local', want: { zone: 'cluster', name: { kind: 'nameserver' } } },
    { name: 'dns-version.cluster.local', want: { zone: 'cluster', name: { kind: 'version' } } },
    { name: 'other.cluster.local', want: { zone: 'cluster', name: { kind: 'none' } } },
    { name: 'example.org', want: { zone: 'outside' } },
    { name: 'local', want: { zone: 'outside' } },
    { name: 'xcluster.local', want: { zone: 'outside' } },
    { name: '.', want: { zone: 'outside' } },
    { name: '20.0.96.10.in-addr.arpa', want: { zone: 'reverse', ip: '10.96.0.20' } },
    { name: '1.0.0.127.in-addr.arpa.', want: { zone: 'reverse', ip: '127.0.0.1' } },
    { name: '0.96.10.in-addr.arpa', want: { zone: 'outside' } },
  ];
  for (const tc of cases) it(tc.name, () => expect(parseName(tc.name, 'cluster.local')).to.deep.equal(tc.want));
  it('another cluster domain', () => expect(parseName('web.default.svc.corp.example', 'corp.example.')).to.deep.equal({ zone: 'cluster', name: { kind: 'service', namespace: 'default', service: 'web' } }));
});

describe('dns records: answers of the cluster zone', () => {
  const web = 'web.default.svc.cluster.local';
  const cases: { name: string; q: string; type: string; want: string[] | string }[] = [
    { name: 'ClusterIP Service: A', q: web, type: 'A', want: ['A 10.96.0.20'] },
    { name: 'names are case-insensitive', q: 'WEB.default.svc.CLUSTER.local.', type: 'A', want: ['A 10.96.0.20'] },
    { name: 'ClusterIP Service: AAAA is NODATA', q: web, type: 'AAAA', want: 'NODATA' },
    { name: 'ClusterIP Service: TXT is NODATA', q: web, type: 'TXT', want: 'NODATA' },
    { name: 'ClusterIP Service: SRV on the bare name lists every port', q: web, type: 'SRV', want: [`SRV 0 100 80 ${web}`, `SRV 0 100 53 ${web}`, `SRV 0 100 9000 ${web}`, `+A 10.96.0.20`] },
    { name: 'named port: SRV targets the Service', q: `_http._tcp.${web}`, type: 'SRV', want: [`SRV 0 100 80 ${web}`, '+A 10.96.0.20'] },
    { name: 'named UDP port', q: `_dns._udp.${web}`, type: 'SRV', want: [`SRV 0 100 53 ${web}`, '+A 10.96.0.20'] },
    { name: 'named port under the wrong protocol: NXDOMAIN', q: `_http._udp.${web}`, type: 'SRV', want: 'NXDOMAIN' },
    { name: 'unknown port name: NXDOMAIN', q: `_nope._tcp.${web}`, type: 'SRV', want: 'NXDOMAIN' },
    { name: 'named port asked for A: NODATA', q: `_http._tcp.${web}`, type: 'A', want: 'NODATA' },
    { name: '_tcp under a Service with named TCP ports: NODATA', q: `_tcp.${web}`, type: 'SRV', want: 'NODATA' },
    { name: '_sctp under a Service without SCTP ports: NXDOMAIN', q: `_sctp.${web}`, type: 'SRV', want: 'NXDOMAIN' },
    { name: 'endpoint name of a ClusterIP Service: NXDOMAIN', q: `not-published.${web}`, type: 'A', want: 'NXDOMAIN' },
    { name: 'missing Service: NXDOMAIN', q: 'nope.default.svc.cluster.local', type: 'A', want: 'NXDOMAIN' },
    { name: 'Service in a missing namespace: NXDOMAIN', q: 'web.nope.svc.cluster.local', type: 'A', want: 'NXDOMAIN' },
    { name: 'headless: the ready endpoints, each once, IPv4 only', q: 'db.default.svc.cluster.local', type: 'A', want: ['A 10.244.1.5', 'A 10.244.2.6'] },
    {
      name: 'headless SRV: one per endpoint, targets the hostname or the dashed address',
      q: '_pg._tcp.db.default.svc.cluster.local',
      type: 'SRV',
      want: ['SRV 0 50 5432 db-0.db.default.svc.cluster.local', 'SRV 0 50 5432 10-244-2-6.db.default.svc.cluster.local', '+A 10.244.1.5', '+A 10.244.2.6'],
    },
    { name: 'headless: pod record by hostname', q: 'db-0.db.default.svc.cluster.local', type: 'A', want: ['A 10.244.1.5'] },
    { name: 'headless: endpoint by dashed address', q: '10-244-2-6.db.default.svc.cluster.local', type: 'A', want: ['A 10.244.2.6'] },
    { name: 'headless: a not-ready endpoint is not published', q: 'db-2.db.default.svc.cluster.local', type: 'A', want: 'NXDOMAIN' },
    { name: 'headless: endpoint AAAA is NODATA', q: 'db-0.db.default.svc.cluster.local', type: 'AAAA', want: 'NODATA' },
    { name: 'headless without endpoints: the name exists, NODATA', q: 'empty-headless.default.svc.cluster.local', type: 'A', want: 'NODATA' },
    { name: 'publishNotReadyAddresses: not-ready endpoints too', q: 'all.default.svc.cluster.local', type: 'A', want: ['A 10.244.4.1'] },
    { name: 'ExternalName outside the zone: CNAME, then upstream', q: 'ext.default.svc.cluster.local', type: 'A', want: ['chase', 'CNAME example.org', 'example.org'] },
    { name: 'ExternalName asked for CNAME', q: 'ext.default.svc.cluster.local', type: 'CNAME', want: ['CNAME example.org'] },
    { name: 'ExternalName inside the zone is followed', q: 'alias.default.svc.cluster.local', type: 'A', want: [`CNAME ${web}`, 'A 10.96.0.20'] },
    { name: 'an ExternalName loop ends', q: 'loop.default.svc.cluster.local', type: 'A', want: ['CNAME loop.default.svc.cluster.local'] },
    { name: 'namespace: NODATA', q: 'empty.svc.cluster.local', type: 'A', want: 'NODATA' },
    { name: 'missing namespace: NXDOMAIN', q: 'nope.svc.cluster.local', type: 'A', want: 'NXDOMAIN' },
    { name: 'svc.<zone>: NODATA', q: 'svc.cluster.local', type: 'A', want: 'NODATA' },
    { name: 'pod by address', q: '10-244-7-7.default.pod.cluster.local', type: 'A', want: ['A 10.244.7.7'] },
    { name: 'pod by address: AAAA NODATA', q: '10-244-7-7.default.pod.cluster.local', type: 'AAAA', want: 'NODATA' },
    { name: 'pod in a missing namespace: NXDOMAIN', q: '10-244-7-7.nope.pod.cluster.local', type: 'A', want: 'NXDOMAIN' },
    { name: 'pod with a malformed address: NXDOMAIN', q: '10-244-7.default.pod.cluster.local', type: 'A', want: 'NXDOMAIN' },
    { name: 'apex SOA', q: 'cluster.local', type: 'SOA', want: ['SOA [object Object]'] },
    { name: 'apex NS', q: 'cluster.local', type: 'NS', want: ['NS ns.dns.cluster.local', '+A 10.96.0.10'] },
    { name: 'apex A: NODATA', q: 'cluster.local', type: 'A', want: 'NODATA' },
    { name: 'nameserver A', q: 'ns.dns.cluster.local', type: 'A', want: ['A 10.96.0.10'] },
    { name: 'schema version', q: 'dns-version.cluster.local', type: 'TXT', want: ['TXT 1.1.0'] },
    { name: 'anything else in the zone: NXDOMAIN', q: 'foo.bar.cluster.local', type: 'A', want: 'NXDOMAIN' },
    { name: 'search-list expansion of a full name: NXDOMAIN', q: `${web}.default.svc.cluster.local`, type: 'A', want: 'NXDOMAIN' },
    { name: 'outside the zone: forward', q: 'example.org', type: 'A', want: 'forward' },
    { name: 'PTR of a cluster IP', q: '20.0.96.10.in-addr.arpa', type: 'PTR', want: [`PTR ${web}`] },
    { name: 'PTR of a headless endpoint with a hostname', q: '5.1.244.10.in-addr.arpa', type: 'PTR', want: ['PTR db-0.db.default.svc.cluster.local'] },
    { name: 'PTR of an endpoint of a ClusterIP Service: not ours, forward', q: '9.9.244.10.in-addr.arpa', type: 'PTR', want: 'forward' },
    { name: 'PTR of an unknown address: forward', q: '1.1.168.192.in-addr.arpa', type: 'PTR', want: 'forward' },
    { name: 'A on a known reverse name: NODATA', q: '20.0.96.10.in-addr.arpa', type: 'A', want: 'NODATA' },
  ];
  for (const tc of cases) it(tc.name, () => expect(brief(resolver.resolve(tc.q, tc.type))).to.deep.equal(tc.want));

  it('negative answers carry the SOA (TTL 5) for negative caching; positive ones do not', () => {
    const nx = resolver.resolve('nope.default.svc.cluster.local', 'A');
    const nodata = resolver.resolve(web, 'AAAA');
    for (const r of [nx, nodata]) {
      expect(r.kind).to.equal('answer');
      if (r.kind !== 'answer') return;
      expect(r.authorities).to.have.length(1);
      expect(r.authorities[0]).to.deep.include({ name: 'cluster.local', type: 'SOA', ttl: 5 });
      expect((r.authorities[0] as { data: { minimum: number; serial: number } }).data).to.deep.include({ minimum: 5, serial: 42 });
    }
    const ok = resolver.resolve(web, 'A');
    expect(ok.kind === 'answer' && ok.authorities).to.deep.equal([]);
    expect(ok.kind === 'answer' && ok.answers[0]).to.deep.include({ name: web, ttl: 5, class: 'IN' });
  });

  it('the answer keeps the name as asked (0x20 case randomization)', () => {
    const r = resolver.resolve('wEb.DeFault.svc.cluster.local', 'A');
    expect(r.kind === 'answer' && r.answers[0]!.name).to.equal('wEb.DeFault.svc.cluster.local');
  });

  it('before the caches are filled: SERVFAIL for the zone, but names outside it still go upstream', () => {
    const cold = new ZoneResolver(makeView(false), settings);
    expect(cold.resolve(web, 'A')).to.deep.equal({ kind: 'servfail' });
    expect(cold.resolve('example.org', 'A')).to.deep.equal({ kind: 'forward' });
  });
});
