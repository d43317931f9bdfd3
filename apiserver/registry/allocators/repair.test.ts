// The repair pass against a real etcd: Services written straight into storage, claims
// made, leaked and removed by hand, then one pass.

import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { FakeClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/logging.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../../common/proc/etcdProcess.js';
import { EtcdStorage } from '../../storage/etcdStorage.js';
import { ClaimStore } from './claims.js';
import { serviceAllocation } from './serviceAllocation.js';

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({ metadata: { name, namespace: 'default' }, spec });

describe('ServiceClaimRepair (real etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdProcess;
  let tmp: { dir: string; remove: () => void };
  let storage: EtcdStorage;
  let n = 0;

  before(async () => {
    tmp = makeTempDir('gantry-repair');
    etcd = await startEtcd({ dataDir: tmp.dir });
    storage = new EtcdStorage({ endpoints: [etcd.endpoint], logger: silentLogger() });
  });
  after(async () => {
    await storage?.close();
    await etcd?.stop();
    tmp?.remove();
  });

  interface Case {
    name: string;
    /** Services in storage, by name. */
    services: Record<string, Record<string, unknown>>;
    /** IP claims to make: value -> owner name, and whether it is older than the grace period. */
    ipClaims?: { ip: string; owner: string; old: boolean }[];
    portClaims?: { port: string; owner: string; old: boolean }[];
    freed: string[];
    problems: { value: string; service: string; problem: string }[];
    /** IP claims after the pass. */
    ipsAfter: string[];
  }
  const cases: Case[] = [
    {
      name: 'a leaked IP claim older than the grace period is freed; a young one is kept',
      services: { a: { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] } },
      ipClaims: [
        { ip: '10.96.0.20', owner: 'a', old: true },
        { ip: '10.96.0.30', owner: 'gone', old: true },
        { ip: '10.96.0.31', owner: 'in-flight', old: false },
      ],
      freed: ['10.96.0.30'],
      problems: [],
      ipsAfter: ['10.96.0.20', '10.96.0.31'],
    },
    {
      name: 'a leaked node port claim is freed',
      services: { a: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, nodePort: 30005 }] } },
      ipClaims: [{ ip: '10.96.0.20', owner: 'a', old: true }],
      portClaims: [
        { port: '30005', owner: 'a', old: true },
        { port: '30006', owner: 'a', old: true },
      ],
      freed: ['30006'],
      problems: [],
      ipsAfter: ['10.96.0.20'],
    },
    {
      name: "a Service's unclaimed IP and node port are claimed again and reported",
      services: { a: { type: 'NodePort', clusterIP: '10.96.0.21', clusterIPs: ['10.96.0.21'], ports: [{ port: 80, nodePort: 30007 }] } },
      freed: [],
      problems: [
        { value: '10.96.0.21', service: 'default/a', problem: 'reclaimed' },
        { value: '30007', service: 'default/a', problem: 'reclaimed' },
      ],
      ipsAfter: ['10.96.0.21'],
    },
    {
      name: 'an IP outside the range, and one claimed for another Service, are reported',
      services: {
        a: { type: 'ClusterIP', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'] },
        b: { type: 'ClusterIP', clusterIP: '10.96.0.22', clusterIPs: ['10.96.0.22'] },
      },
      ipClaims: [{ ip: '10.96.0.22', owner: 'young-other', old: false }],
      freed: [],
      problems: [
        { value: '10.0.0.5', service: 'default/a', problem: 'not-in-range' },
        { value: '10.96.0.22', service: 'default/b', problem: 'claimed-by-another' },
      ],
      ipsAfter: ['10.96.0.22'],
    },
    {
      name: 'headless and ExternalName services hold nothing',
      services: { h: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }, x: { type: 'ExternalName', externalName: 'a.example.com' } },
      ipClaims: [{ ip: '10.96.0.40', owner: 'h', old: true }],
      freed: ['10.96.0.40'],
      problems: [],
      ipsAfter: [],
    },
  ];

  for (const tc of cases) {
    it(tc.name, async () => {
      const root = `/repair-test-${++n}/`;
      const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
      const { repair } = serviceAllocation({ storage, root, clock, logger: silentLogger(), serviceClusterIPRange: '10.96.0.0/24', serviceNodePortRange: '30000-30099', repairGraceMs: 60_000 });
      for (const [name, spec] of Object.entries(tc.services)) await storage.create(`${root}services/default/${name}`, service(name, spec));
      const ipClaims = new ClaimStore(storage, { prefix: `${root}ipaddresses.networking.k8s.io/`, apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress' }, clock);
      const portClaims = new ClaimStore(storage, { prefix: `${root}ranges/servicenodeports/`, apiVersion: 'internal.gantry.dev/v1', kind: 'NodePortClaim' }, clock);
      // Old claims first, then two minutes pass, then the young ones.
      for (const c of tc.ipClaims ?? []) if (c.old) expect(await ipClaims.claim(c.ip, { namespace: 'default', name: c.owner })).to.equal(true);
      for (const c of tc.portClaims ?? []) if (c.old) expect(await portClaims.claim(c.port, { namespace: 'default', name: c.owner })).to.equal(true);
      clock.advance(120_000);
      for (const c of tc.ipClaims ?? []) if (!c.old) expect(await ipClaims.claim(c.ip, { namespace: 'default', name: c.owner })).to.equal(true);

      const report = await repair.runOnce();
      expect(report.freed.sort()).to.deep.equal(tc.freed);
      expect(report.problems).to.deep.equal(tc.problems);
      expect((await ipClaims.list()).map((c) => c.value).sort()).to.deep.equal(tc.ipsAfter);
      // A second pass finds nothing more to do.
      const again = await repair.runOnce();
      expect(again.freed).to.deep.equal([]);
      expect(again.problems.filter((p) => p.problem === 'reclaimed')).to.deep.equal([]);
    });
  }
});
