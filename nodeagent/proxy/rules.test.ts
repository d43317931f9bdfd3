import { expect } from 'chai';
import type { ServicePortModel } from './model.js';
import { chain, driftedChains, endpointChain, foreignJumpLines, isProxyChain, jumps, masqueradeMark, parseHostState, planRestore, renderRules, serviceChain, type HostState, type RuleSet } from './rules.js';

const sp = (over: Omit<Partial<ServicePortModel>, 'endpoints'> & { endpoints?: string[] } = {}): ServicePortModel => {
  const { endpoints, ...rest } = over;
  return {
    name: 'default/web:http',
    protocol: 'TCP',
    clusterIP: '10.96.0.20',
    port: 80,
    ...rest,
    endpoints: (endpoints ?? ['10.244.0.5:8080', '10.244.1.6:8080']).map((e) => ({ ip: e.split(':')[0]!, port: Number(e.split(':')[1]) })),
  };
};

const render = (ports: ServicePortModel[], clusterCidr = '10.244.0.0/16'): RuleSet => renderRules(ports, { clusterCidr });
const rulesOf = (rs: RuleSet, table: 'nat' | 'filter', name: string): string[] => rs[table].get(name) ?? [];
const sepOf = (p: ServicePortModel, i: number): string => endpointChain(p, p.endpoints[i]!);

interface RenderCase {
  name: string;
  ports: ServicePortModel[];
  clusterCidr?: string;
  expect: (rs: RuleSet, ports: ServicePortModel[]) => void;
}

const renderCases: RenderCase[] = [
  {
    name: 'ClusterIP: a jump per service port, random balancing with 1/n, 1/(n-1), ... and the last endpoint unconditional',
    ports: [sp({ endpoints: ['10.244.0.5:8080', '10.244.0.6:8080', '10.244.1.7:8080'] })],
    expect: (rs, [p]) => {
      const svc = serviceChain(p!);
      expect(rulesOf(rs, 'nat', chain.services)[0]).to.equal(`-d 10.96.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j ${svc}`);
      const r = rulesOf(rs, 'nat', svc);
      expect(r[0]).to.equal(`! -s 10.244.0.0/16 -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j ${chain.markMasq}`);
      expect(r.slice(1)).to.deep.equal([
        `-m comment --comment "default/web:http -> 10.244.0.5:8080" -m statistic --mode random --probability 0.3333333333 -j ${sepOf(p!, 0)}`,
        `-m comment --comment "default/web:http -> 10.244.0.6:8080" -m statistic --mode random --probability 0.5000000000 -j ${sepOf(p!, 1)}`,
        `-m comment --comment "default/web:http -> 10.244.1.7:8080" -j ${sepOf(p!, 2)}`,
      ]);
      expect(rulesOf(rs, 'filter', chain.services)).to.deep.equal([]);
    },
  },
  {
    name: 'endpoint chains: hairpin masquerade of the endpoint itself, then DNAT',
    ports: [sp({ protocol: 'UDP', port: 53, endpoints: ['10.244.0.5:5353'] })],
    expect: (rs, [p]) => {
      expect(rulesOf(rs, 'nat', sepOf(p!, 0))).to.deep.equal([
        `-s 10.244.0.5/32 -m comment --comment "default/web:http" -j ${chain.markMasq}`,
        '-m comment --comment "default/web:http" -p udp -m udp -j DNAT --to-destination 10.244.0.5:5353',
      ]);
    },
  },
  {
    name: 'no endpoints: no nat chain, a REJECT in filter for the cluster IP and one for the node port',
    ports: [sp({ endpoints: [], nodePort: 30080 })],
    expect: (rs, [p]) => {
      expect(rs.nat.has(serviceChain(p!))).to.equal(false);
      expect(rulesOf(rs, 'nat', chain.services)).to.have.length(1); // only the node ports jump
      expect(rulesOf(rs, 'nat', chain.nodePorts)).to.deep.equal([]);
      expect(rulesOf(rs, 'filter', chain.services)).to.deep.equal(['-d 10.96.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http has no endpoints" -j REJECT --reject-with icmp-port-unreachable']);
      expect(rulesOf(rs, 'filter', chain.externalServices)).to.deep.equal(['-m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -m comment --comment "default/web:http has no endpoints" -j REJECT --reject-with icmp-port-unreachable']);
    },
  },
  {
    name: 'NodePort: marked for masquerade, then the service chain; node ports are the last rule of GANTRY-SERVICES',
    ports: [sp({ nodePort: 30080 }), sp({ name: 'default/zz:', clusterIP: '10.96.0.99', port: 81, endpoints: ['10.244.0.9:81'] })],
    expect: (rs, [p]) => {
      expect(rulesOf(rs, 'nat', chain.nodePorts)).to.deep.equal([
        `-p tcp -m tcp --dport 30080 -m comment --comment "default/web:http node port" -j ${chain.markMasq}`,
        `-p tcp -m tcp --dport 30080 -m comment --comment "default/web:http node port" -j ${serviceChain(p!)}`,
      ]);
      const services = rulesOf(rs, 'nat', chain.services);
      expect(services).to.have.length(3);
      expect(services[2]).to.match(/-m addrtype --dst-type LOCAL -j GANTRY-NODEPORTS$/);
    },
  },
  {
    name: 'session affinity: recent-list checks before the random picks, and the endpoint chain records the client',
    ports: [sp({ affinitySeconds: 600 })],
    expect: (rs, [p]) => {
      const r = rulesOf(rs, 'nat', serviceChain(p!));
      expect(r[1]).to.equal(`-m comment --comment "default/web:http -> 10.244.0.5:8080" -m recent --name ${sepOf(p!, 0)} --mask 255.255.255.255 --rsource --rcheck --seconds 600 --reap -j ${sepOf(p!, 0)}`);
      expect(r[2]).to.include(`--rcheck --seconds 600 --reap -j ${sepOf(p!, 1)}`);
      expect(r[3]).to.include('--probability 0.5000000000');
      expect(rulesOf(rs, 'nat', sepOf(p!, 1))[1]).to.equal(`-m comment --comment "default/web:http" -p tcp -m recent --name ${sepOf(p!, 1)} --mask 255.255.255.255 --rsource --set -m tcp -j DNAT --to-destination 10.244.1.6:8080`);
    },
  },
  {
    name: 'without a cluster CIDR nothing is masqueraded by source',
    ports: [sp()],
    clusterCidr: '',
    expect: (rs, [p]) => expect(rulesOf(rs, 'nat', serviceChain(p!)).some((r) => r.includes(chain.markMasq))).to.equal(false),
  },
  {
    name: 'the fixed chains: mark, masquerade of marked packets, forwarding and the localhost firewall',
    ports: [],
    expect: (rs) => {
      expect(rulesOf(rs, 'nat', chain.markMasq)).to.deep.equal([`-j MARK --or-mark ${masqueradeMark}`]);
      expect(rulesOf(rs, 'nat', chain.postrouting)[0]).to.equal(`-m mark ! --mark ${masqueradeMark}/${masqueradeMark} -j RETURN`);
      expect(rulesOf(rs, 'nat', chain.postrouting)[2]).to.match(/-j MASQUERADE --random-fully$/);
      expect(rulesOf(rs, 'filter', chain.forward)).to.have.length(3);
      expect(rulesOf(rs, 'filter', chain.firewall)[0]).to.include('-d 127.0.0.0/8 ! -s 127.0.0.0/8');
    },
  },
];

describe('proxy rules: rendering', () => {
  for (const tc of renderCases) it(tc.name, () => tc.expect(render(tc.ports, tc.clusterCidr), tc.ports));

  it('chain names fit iptables (28 characters), differ per service port, protocol and endpoint, and are the proxy\'s', () => {
    const a = sp();
    const names = [serviceChain(a), serviceChain({ ...a, protocol: 'UDP' }), serviceChain({ ...a, name: 'default/web:other' }), sepOf(a, 0), sepOf(a, 1)];
    expect(new Set(names).size).to.equal(names.length);
    for (const n of names) {
      expect(n.length).to.be.at.most(28);
      expect(isProxyChain(n), n).to.equal(true);
    }
    for (const other of ['GANTRY-POD-MASQ', 'CNI-HOSTPORT-DNAT', 'KUBE-SERVICES', 'GANTRY-SVC-xyz']) expect(isProxyChain(other), other).to.equal(false);
  });
});

const allJumps = (): Set<string> => new Set(jumps.map((j) => `${j.table}/${j.from}/${j.target}`));

interface PlanCase {
  name: string;
  before: ServicePortModel[] | undefined;
  after: ServicePortModel[];
  host?: HostState;
  /** Lines the restore input must hold, and lines it must not. */
  has: (after: ServicePortModel[], before: ServicePortModel[]) => string[];
  hasNot?: (after: ServicePortModel[], before: ServicePortModel[]) => string[];
  written?: number;
  deleted?: number;
}

const planCases: PlanCase[] = [
  {
    name: 'nothing changed: no input at all (no iptables-restore runs)',
    before: [sp()],
    after: [sp()],
    has: () => [],
    written: 0,
    deleted: 0,
  },
  {
    name: 'one endpoint replaced: the service chain and the new endpoint chain are written, the old one deleted, nothing else',
    before: [sp(), sp({ name: 'default/api:', clusterIP: '10.96.0.21' })],
    after: [sp({ endpoints: ['10.244.0.5:8080', '10.244.2.8:8080'] }), sp({ name: 'default/api:', clusterIP: '10.96.0.21' })],
    has: ([a], [b]) => [`:${serviceChain(a!)} - [0:0]`, `:${sepOf(a!, 1)} - [0:0]`, `:${sepOf(b!, 1)} - [0:0]`, `-X ${sepOf(b!, 1)}`],
    hasNot: ([a, api]) => [`:${chain.services} - [0:0]`, `:${sepOf(a!, 0)} - [0:0]`, `:${serviceChain(api!)} - [0:0]`, '*filter'],
    written: 2,
    deleted: 1,
  },
  {
    name: 'last endpoint gone: the nat chains go and the REJECT appears in filter',
    before: [sp({ endpoints: ['10.244.0.5:8080'] })],
    after: [sp({ endpoints: [] })],
    has: (_a, [b]) => ['*filter', `:${chain.services} - [0:0]`, `-X ${serviceChain(b!)}`, `-X ${sepOf(b!, 0)}`],
    written: 2,
    deleted: 2,
  },
  {
    name: 'full sync: every chain written, stale chains of ours deleted, other GANTRY- chains left alone, missing jumps inserted once',
    before: undefined,
    after: [sp()],
    host: parseHostState(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':GANTRY-SERVICES - [0:0]',
        ':GANTRY-SVC-0123456789ABCDEF - [0:0]',
        ':GANTRY-POD-MASQ - [0:0]',
        '-A PREROUTING -m comment --comment "gantry service portals" -j GANTRY-SERVICES',
        '-A POSTROUTING -j GANTRY-POD-MASQ',
        'COMMIT',
        '*filter',
        ':INPUT ACCEPT [0:0]',
        'COMMIT',
      ].join('\n'),
    ),
    has: () => ['-X GANTRY-SVC-0123456789ABCDEF', `-I OUTPUT 1 -m comment --comment "gantry service portals" -j ${chain.services}`, `-I POSTROUTING 1 -m comment --comment "gantry postrouting rules" -j ${chain.postrouting}`, `-I INPUT 1 -m conntrack --ctstate NEW -m comment --comment "gantry externally-visible service portals" -j ${chain.externalServices}`],
    hasNot: () => ['-I PREROUTING 1 -m comment --comment "gantry service portals" -j GANTRY-SERVICES', '-X GANTRY-POD-MASQ', ':GANTRY-POD-MASQ - [0:0]'],
    deleted: 1,
  },
  {
    name: 'full sync on a host that has everything: chains rewritten, no jump inserted',
    before: undefined,
    after: [sp()],
    host: { chains: { nat: new Set(), filter: new Set() }, jumps: allJumps(), ruleCounts: { nat: new Map(), filter: new Map() } },
    has: (a) => [`:${serviceChain(a[0]!)} - [0:0]`],
    hasNot: () => ['-I '],
  },
];

describe('proxy rules: restore plans', () => {
  for (const tc of planCases) {
    it(tc.name, () => {
      const before = tc.before ?? [];
      const plan = planRestore(render(tc.after), tc.before ? render(tc.before) : undefined, tc.host ?? (tc.before ? undefined : parseHostState('')));
      const lines = plan.text.split('\n');
      for (const l of tc.has(tc.after, before)) expect(lines, plan.text).to.include(l);
      for (const l of tc.hasNot?.(tc.after, before) ?? []) expect(lines.some((x) => x.startsWith(l)), `${l}\n---\n${plan.text}`).to.equal(false);
      if (tc.written !== undefined) expect(plan.written).to.equal(tc.written);
      if (tc.deleted !== undefined) expect(plan.deleted).to.equal(tc.deleted);
      if (plan.text) {
        // Per table: declarations, then rules, then deletions and jumps, then COMMIT.
        expect(lines.filter((l) => l === 'COMMIT').length).to.equal(lines.filter((l) => l.startsWith('*')).length);
      } else expect(tc.has(tc.after, before)).to.deep.equal([]);
    });
  }

  it('notices chains that someone removed or emptied', () => {
    const applied = render([sp()]);
    const svc = serviceChain(sp());
    const save = (svcRules: number): string =>
      ['*nat', ...[...applied.nat].filter(([n]) => n !== svc || svcRules >= 0).flatMap(([n, rules]) => [`:${n} - [0:0]`, ...rules.slice(0, n === svc ? svcRules : rules.length).map((r) => `-A ${n} ${r}`)]), 'COMMIT', '*filter', ...[...applied.filter].flatMap(([n, rules]) => [`:${n} - [0:0]`, ...rules.map((r) => `-A ${n} ${r}`)]), 'COMMIT'].join('\n');
    expect(driftedChains(applied, parseHostState(save(applied.nat.get(svc)!.length)))).to.deep.equal([]);
    expect(driftedChains(applied, parseHostState(save(0)))).to.deep.equal([`nat/${svc}`]);
    expect(driftedChains(applied, parseHostState(save(-1)))).to.deep.equal([`nat/${svc}`]);
  });

  it('finds the jumps into our chains for cleanup, not the pod network\'s', () => {
    const save = ['*nat', '-A PREROUTING -m comment --comment "gantry service portals" -j GANTRY-SERVICES', '-A POSTROUTING -j GANTRY-POD-MASQ', '-A GANTRY-SERVICES -j GANTRY-NODEPORTS', 'COMMIT', '*filter', '-A FORWARD -m conntrack --ctstate NEW -j GANTRY-SERVICES', 'COMMIT'].join('\n');
    expect(foreignJumpLines(save)).to.deep.equal({ nat: ['-A PREROUTING -m comment --comment "gantry service portals" -j GANTRY-SERVICES'], filter: ['-A FORWARD -m conntrack --ctstate NEW -j GANTRY-SERVICES'] });
  });
});
