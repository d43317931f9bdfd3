import { expect } from 'chai';
import type { DNSConfig } from '../cri/types.js';
import { parseResolvConf, podDnsConfig, type DnsOptions } from './dns.js';
import { PodSpecError } from './errors.js';
import { testPod } from './testPods.js';
import type { PodSpec } from './types.js';

const host: DNSConfig = { servers: ['192.168.1.1'], searches: ['corp.example'], options: ['timeout:2'] };
const cluster: DnsOptions = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', host };

describe('podspec/dns', () => {
  it('parses resolv.conf like the kubelet', () => {
    const text = '# comment\nnameserver 1.1.1.1\nsearch old.example\nnameserver 8.8.8.8\nsearch a.example. . b.example\noptions ndots:2\noptions rotate timeout:1\nnameserver\n';
    expect(parseResolvConf(text)).to.deep.equal({ servers: ['1.1.1.1', '8.8.8.8'], searches: ['a.example', 'b.example'], options: ['rotate', 'timeout:1'] });
  });

  const clusterSearches = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'];
  const cases: { name: string; spec: Partial<PodSpec>; opts?: DnsOptions; want: DNSConfig; warns?: string[] }[] = [
    { name: 'ClusterFirst', spec: {}, want: { servers: ['10.96.0.10'], searches: clusterSearches, options: ['ndots:5'] } },
    { name: 'ClusterFirst without cluster DNS falls back to the node', spec: { dnsPolicy: 'ClusterFirst' }, opts: { ...cluster, clusterDNS: [] }, want: host, warns: ['MissingClusterDNS'] },
    { name: 'ClusterFirst on the node network is Default', spec: { hostNetwork: true }, want: host },
    { name: 'ClusterFirstWithHostNet', spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, want: { servers: ['10.96.0.10'], searches: clusterSearches, options: ['ndots:5'] } },
    { name: 'Default', spec: { dnsPolicy: 'Default' }, want: host },
    { name: 'no cluster domain', spec: {}, opts: { ...cluster, clusterDomain: '' }, want: { servers: ['10.96.0.10'], searches: ['corp.example'], options: ['ndots:5'] } },
    {
      name: 'None takes only the pod config',
      spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
      want: { servers: ['1.2.3.4'], searches: ['x.example'], options: ['ndots:2', 'edns0'] },
    },
    {
      name: 'dnsConfig merges: appended without duplicates, options replaced by name',
      spec: { dnsConfig: { nameservers: ['10.96.0.10', '9.9.9.9'], searches: ['svc.cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } },
      want: { servers: ['10.96.0.10', '9.9.9.9'], searches: [...clusterSearches, 'extra.example'], options: ['ndots:1', 'single-request'] },
    },
    {
      name: 'at most three servers',
      spec: { dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'] } },
      want: { servers: ['192.168.1.1', '1.1.1.1', '2.2.2.2'], searches: ['corp.example'], options: ['timeout:2'] },
      warns: ['DNSConfigForming'],
    },
    {
      name: 'search domains cut to the limits',
      spec: { dnsPolicy: 'None', dnsConfig: { searches: ['a'.repeat(254), ...Array.from({ length: 40 }, (_, i) => `d${i}.example`)] } },
      want: { servers: [], searches: Array.from({ length: 31 }, (_, i) => `d${i}.example`), options: [] },
      warns: ['DNSConfigForming'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const warns: string[] = [];
      const got = podDnsConfig(testPod(tc.spec), tc.opts ?? cluster, (reason) => warns.push(reason));
      expect(got).to.deep.equal(tc.want);
      expect(warns).to.deep.equal(tc.warns ?? []);
    });
  }

  it('refuses an unknown policy', () => {
    expect(() => podDnsConfig(testPod({ dnsPolicy: 'Sometimes' }), cluster)).to.throw(PodSpecError).with.property('field', 'spec.dnsPolicy');
  });
});
