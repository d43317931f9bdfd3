import { expect } from 'chai';
import { HostGwBackend } from './hostGwBackend.js';
import { peersFrom, type NodeForNetwork } from './podNetworkController.js';
import { podMasqueradeChain, ensurePodMasquerade, removePodMasquerade } from './podMasquerade.js';
import { tcpReaches, twoTestHosts, type TestHost } from './testing.js';
import { vtepMacAnnotation, type PodNetworkBackend } from './types.js';
import { VxlanBackend, vtepMacFor, vxlanOverhead } from './vxlanBackend.js';

function node(name: string, podCIDR?: string, ip?: string, mac?: string): NodeForNetwork {
  return {
    metadata: { name, ...(mac ? { annotations: { [vtepMacAnnotation]: mac } } : {}) },
    ...(podCIDR ? { spec: { podCIDR } } : {}),
    ...(ip ? { status: { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] } } : {}),
  };
}

describe('pod network: peers', () => {
  const cases: { name: string; nodes: NodeForNetwork[]; want: string[] }[] = [
    { name: 'every other node with a CIDR and an address', nodes: [node('a', '10.244.0.0/24', '10.0.0.1'), node('b', '10.244.1.0/24', '10.0.0.2', '0a:00:00:00:00:02')], want: ['b 10.244.1.0/24 10.0.0.2 0a:00:00:00:00:02'] },
    { name: 'a node without a pod CIDR yet is skipped', nodes: [node('a', '10.244.0.0/24', '10.0.0.1'), node('c', undefined, '10.0.0.3')], want: [] },
    { name: 'a node without an InternalIP is skipped', nodes: [node('d', '10.244.4.0/24')], want: [] },
    { name: 'sorted by name, vxlan MAC optional', nodes: [node('z', '10.244.9.0/24', '10.0.0.9'), node('m', '10.244.5.0/24', '10.0.0.5')], want: ['m 10.244.5.0/24 10.0.0.5 -', 'z 10.244.9.0/24 10.0.0.9 -'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(peersFrom(c.nodes, 'a').map((p) => `${p.name} ${p.podCidr} ${p.address} ${p.vtepMac ?? '-'}`)).to.deep.equal(c.want);
    });
  }

  it('derives a stable, unicast, locally administered VTEP MAC per node', () => {
    const mac = vtepMacFor('host-1');
    expect(mac).to.equal(vtepMacFor('host-1'));
    expect(mac).to.not.equal(vtepMacFor('host-2'));
    const first = parseInt(mac.slice(0, 2), 16);
    expect(first & 0x01, 'unicast').to.equal(0);
    expect(first & 0x02, 'locally administered').to.equal(2);
  });
});

describe('pod network: backends on real namespaces', function () {
  this.timeout(60_000);
  let hosts: [TestHost, TestHost];
  let remove: () => Promise<void>;
  const cidrs = ['10.244.1.0/24', '10.244.2.0/24'];
  const pods = ['10.244.1.5', '10.244.2.5'];

  beforeEach(async () => {
    ({ hosts, remove } = await twoTestHosts());
    // A "pod" address on each host: the backend's routes are what makes it reachable from the other.
    for (const [i, h] of hosts.entries()) await h.commands.checked('ip', ['addr', 'add', `${pods[i]}/32`, 'dev', 'lo']);
  });
  afterEach(async () => remove());

  const backends: { name: string; make: (h: TestHost, i: number) => PodNetworkBackend; mtu: number }[] = [
    { name: 'vxlan', make: (h, i) => new VxlanBackend({ commands: h.commands, nodeName: `n${i}`, podCidr: cidrs[i]!, iface: h.iface, localAddress: h.address }), mtu: 1500 - vxlanOverhead },
    { name: 'host-gw', make: (h, i) => new HostGwBackend({ commands: h.commands, podCidr: cidrs[i]!, iface: h.iface }), mtu: 1500 },
  ];
  for (const b of backends) {
    it(`${b.name}: pods on two hosts reach each other; removing the peer removes the route`, async () => {
      const be = hosts.map((h, i) => b.make(h, i));
      const locals = await Promise.all(be.map((x) => x.setUp()));
      expect(locals.map((l) => l.podMtu)).to.deep.equal([b.mtu, b.mtu]);
      expect(await tcpReaches(hosts[0], pods[0]!, hosts[1], pods[1]!, 7101), 'before any route').to.equal(false);
      const peer = (i: number) => ({ name: `n${i}`, podCidr: cidrs[i]!, address: hosts[i]!.address, ...(locals[i]!.annotations[vtepMacAnnotation] ? { vtepMac: locals[i]!.annotations[vtepMacAnnotation] } : {}) });
      await be[0]!.syncPeers([peer(0), peer(1)]);
      await be[1]!.syncPeers([peer(0), peer(1)]);
      // A second sync and a second setUp (an agent restart) change nothing and keep working.
      await be[0]!.syncPeers([peer(1)]);
      await be[0]!.setUp();
      expect(await tcpReaches(hosts[0], pods[0]!, hosts[1], pods[1]!, 7102)).to.equal(true);
      expect(await tcpReaches(hosts[1], pods[1]!, hosts[0], pods[0]!, 7103)).to.equal(true);
      await be[0]!.syncPeers([]);
      const routes = (await hosts[0].commands.checked('ip', ['route', 'show', 'proto', '147'])).stdout.trim();
      expect(routes).to.equal('');
      expect(await tcpReaches(hosts[0], pods[0]!, hosts[1], pods[1]!, 7104)).to.equal(false);
      await Promise.all(be.map((x) => x.tearDown()));
      expect((await hosts[0].commands.run('ip', ['link', 'show', 'gantry.vxlan'])).code).to.not.equal(0);
    });
  }

  it('vxlan: a peer whose address changed is re-pointed, not duplicated', async () => {
    const be = new VxlanBackend({ commands: hosts[0].commands, nodeName: 'n0', podCidr: cidrs[0]!, iface: 'eth0', localAddress: hosts[0].address });
    await be.setUp();
    const mac = vtepMacFor('n1');
    await be.syncPeers([{ name: 'n1', podCidr: cidrs[1]!, address: '192.168.250.7', vtepMac: mac }]);
    await be.syncPeers([{ name: 'n1', podCidr: cidrs[1]!, address: '192.168.250.2', vtepMac: mac }]);
    const fdb = JSON.parse((await hosts[0].commands.checked('bridge', ['-j', 'fdb', 'show', 'dev', 'gantry.vxlan'])).stdout) as Array<{ mac: string; dst?: string }>;
    expect(fdb.filter((f) => f.mac === mac).map((f) => f.dst)).to.deep.equal(['192.168.250.2']);
  });

  it('masquerades pods leaving the cluster network only', async () => {
    await ensurePodMasquerade(hosts[0].commands, cidrs[0]!, '10.244.0.0/16');
    await ensurePodMasquerade(hosts[0].commands, cidrs[0]!, '10.244.0.0/16');
    const rules = (await hosts[0].commands.checked('iptables', ['-t', 'nat', '-S'])).stdout;
    expect(rules.split('\n').filter((l) => l === `-A POSTROUTING -j ${podMasqueradeChain}`)).to.have.length(1);
    expect(rules).to.match(new RegExp(`-A ${podMasqueradeChain} -s 10.244.1.0/24 -d 10.244.0.0/16 .*-j RETURN`));
    expect(rules).to.match(new RegExp(`-A ${podMasqueradeChain} -s 10.244.1.0/24 .*-j MASQUERADE`));
    await removePodMasquerade(hosts[0].commands);
    expect((await hosts[0].commands.checked('iptables', ['-t', 'nat', '-S'])).stdout).to.not.include(podMasqueradeChain);
  });
});
