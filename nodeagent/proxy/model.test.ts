import { expect } from 'chai';
import { buildServiceModel, parsePortRange, type ServicePortModel, type Skipped } from './model.js';
import { makeService, makeSlice } from './testObjects.js';
import type { EndpointSliceWire, ServiceWire } from '../../common/api/serviceWire.js';

interface Case {
  name: string;
  services: ServiceWire[];
  slices?: EndpointSliceWire[];
  /** Expected service ports (name, endpoints as ip:port, node port, affinity). */
  ports: { name: string; protocol?: string; endpoints: string[]; nodePort?: number; affinitySeconds?: number }[];
  /** Substrings of the skip reasons expected, in order. */
  skipped?: string[];
  serving?: string[];
}

const web = makeService('web').clusterIP('10.96.0.20').port({ name: 'http', port: 80, targetPort: 8080 });

const cases: Case[] = [
  {
    name: 'ready endpoints are kept sorted; terminating and not-ready ones are left out',
    services: [web.obj()],
    slices: [makeSlice('web-a', 'web').port(8080, 'http').endpoint('10.244.1.9').endpoint('10.244.0.10').terminating('10.244.0.3').endpoint('10.244.0.4', { ready: false, serving: false, terminating: false }).obj()],
    ports: [{ name: 'default/web:http', endpoints: ['10.244.0.10:8080', '10.244.1.9:8080'] }],
    serving: ['10.244.0.10', '10.244.0.3', '10.244.1.9'],
  },
  {
    name: 'a missing ready condition means ready (Kubernetes: nil is true)',
    services: [web.obj()],
    slices: [makeSlice('web-a', 'web').port(8080, 'http').endpoint('10.244.0.5', undefined).endpoint('10.244.0.6', {}).obj()],
    ports: [{ name: 'default/web:http', endpoints: ['10.244.0.5:8080', '10.244.0.6:8080'] }],
  },
  {
    name: 'endpoints listed in two slices count once; slices of other services and namespaces are not mixed in',
    services: [web.obj()],
    slices: [
      makeSlice('web-a', 'web').port(8080, 'http').endpoint('10.244.0.5').obj(),
      makeSlice('web-b', 'web').port(8080, 'http').endpoint('10.244.0.5').endpoint('10.244.0.7').obj(),
      makeSlice('api-a', 'api').port(8080, 'http').endpoint('10.244.0.8').obj(),
      makeSlice('web-other', 'web', 'other').port(8080, 'http').endpoint('10.244.0.9').obj(),
    ],
    ports: [{ name: 'default/web:http', endpoints: ['10.244.0.5:8080', '10.244.0.7:8080'] }],
  },
  {
    name: 'slice ports are matched by name and protocol',
    services: [makeService('dns', 'kube-system').clusterIP('10.96.0.10').port({ name: 'dns', port: 53, protocol: 'UDP' }).port({ name: 'dns-tcp', port: 53, protocol: 'TCP' }).obj()],
    slices: [makeSlice('dns-1', 'dns', 'kube-system').port(5353, 'dns', 'UDP').port(5354, 'dns-tcp', 'TCP').endpoint('172.31.240.1').obj()],
    ports: [
      { name: 'kube-system/dns:dns', protocol: 'UDP', endpoints: ['172.31.240.1:5353'] },
      { name: 'kube-system/dns:dns-tcp', endpoints: ['172.31.240.1:5354'] },
    ],
  },
  {
    name: 'a service without a slice has a port with no endpoints',
    services: [web.obj()],
    ports: [{ name: 'default/web:http', endpoints: [] }],
  },
  {
    name: 'headless and ExternalName services are not proxied, silently',
    services: [makeService('h').clusterIP('None').port({ port: 80 }).obj(), makeService('ext').externalName('example.com').obj()],
    slices: [makeSlice('h-1', 'h').port(80).endpoint('10.244.0.5').obj()],
    ports: [],
  },
  {
    name: 'node ports: kept inside the range, skipped outside it, and not for ClusterIP services',
    services: [
      makeService('np').type('NodePort').clusterIP('10.96.0.30').port({ name: 'a', port: 80, nodePort: 30080 }).port({ name: 'b', port: 81, nodePort: 20000 }).obj(),
      makeService('cip').clusterIP('10.96.0.31').port({ port: 80, nodePort: 30081 }).obj(),
    ],
    ports: [
      { name: 'default/cip:', endpoints: [] },
      { name: 'default/np:a', endpoints: [], nodePort: 30080 },
      { name: 'default/np:b', endpoints: [] },
    ],
    skipped: ['node port 20000 is outside the node port range'],
  },
  {
    name: 'two services claiming one node port: the first by name keeps it',
    services: [makeService('b').type('NodePort').clusterIP('10.96.0.41').port({ port: 80, nodePort: 30090 }).obj(), makeService('a').type('NodePort').clusterIP('10.96.0.40').port({ port: 80, nodePort: 30090 }).obj()],
    ports: [
      { name: 'default/a:', endpoints: [], nodePort: 30090 },
      { name: 'default/b:', endpoints: [] },
    ],
    skipped: ['node port 30090/TCP is used by another Service'],
  },
  {
    name: 'session affinity: the default timeout, or the one asked for',
    services: [makeService('s1').clusterIP('10.96.0.50').port({ port: 80 }).affinity().obj(), makeService('s2').clusterIP('10.96.0.51').port({ port: 80 }).affinity(60).obj()],
    ports: [
      { name: 'default/s1:', endpoints: [], affinitySeconds: 10800 },
      { name: 'default/s2:', endpoints: [], affinitySeconds: 60 },
    ],
  },
  {
    name: 'bad objects are skipped with a reason: SCTP, no ports, bad port, no cluster IP, IPv6 cluster IP',
    services: [
      makeService('sctp').clusterIP('10.96.0.60').port({ name: 's', port: 80, protocol: 'SCTP' }).port({ name: 't', port: 81 }).obj(),
      makeService('noports').clusterIP('10.96.0.61').noPorts().obj(),
      makeService('badport').clusterIP('10.96.0.62').port({ port: 70000 }).obj(),
      makeService('pending').clusterIP(undefined).port({ port: 80 }).obj(),
      makeService('v6').clusterIP('fd00::10').port({ port: 80 }).obj(),
    ],
    ports: [{ name: 'default/sctp:t', endpoints: [] }],
    skipped: ['invalid port 70000', 'no ports', 'no cluster IP', 'protocol SCTP is not proxied', 'fd00::10 is not IPv4'],
  },
  {
    name: 'bad slices are skipped: IPv6 addresses in an IPv4 slice, a port without a number, an unknown address type; IPv6 slices are ignored',
    services: [web.obj()],
    slices: [
      makeSlice('web-a', 'web').port(8080, 'http').endpoint('fd00::5').endpoint('10.244.0.5').endpoint('not-an-ip').obj(),
      makeSlice('web-b', 'web').port(null, 'http').endpoint('10.244.0.6').obj(),
      makeSlice('web-c', 'web').addressType('IPv6').port(8080, 'http').endpoint('fd00::7').obj(),
      makeSlice('web-d', 'web').addressType('Weird').port(8080, 'http').endpoint('10.244.0.8').obj(),
    ],
    ports: [{ name: 'default/web:http', endpoints: ['10.244.0.5:8080'] }],
    skipped: ['unknown addressType "Weird"', '"fd00::5" is not IPv4', '"not-an-ip" is not IPv4', 'no valid port number'],
  },
];

describe('proxy model: Services and EndpointSlices to service ports', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const m = buildServiceModel(tc.services, tc.slices ?? [], parsePortRange('30000-32767'));
      const got = m.ports.map((p: ServicePortModel) => ({
        name: p.name,
        ...(p.protocol !== 'TCP' ? { protocol: p.protocol } : {}),
        endpoints: p.endpoints.map((e) => `${e.ip}:${e.port}`),
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        ...(p.affinitySeconds !== undefined ? { affinitySeconds: p.affinitySeconds } : {}),
      }));
      expect(got).to.deep.equal(tc.ports);
      const reasons = m.skipped.map((s: Skipped) => `${s.object}: ${s.reason}`);
      expect(reasons.length, reasons.join('\n')).to.equal((tc.skipped ?? []).length);
      (tc.skipped ?? []).forEach((want, i) => expect(reasons[i]).to.include(want));
      if (tc.serving) expect([...m.servingIPs].sort()).to.deep.equal(tc.serving);
    });
  }

  it('node port ranges are parsed and checked', () => {
    expect(parsePortRange('30000-32767')).to.deep.equal({ min: 30000, max: 32767 });
    for (const bad of ['', '3-2', '0-10', '1-70000', 'a-b']) expect(() => parsePortRange(bad), bad).to.throw(RangeError);
  });
});
