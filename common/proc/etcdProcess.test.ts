import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { prefixEnd } from '../etcdKeys.js';
import { processesMentioning } from './leftovers.js';
import { freeMemberPorts, makeTempDir, memberHealthy, startEtcdCluster, type EtcdCluster, type EtcdMember } from './etcdProcess.js';

/** A client of the given members only; every call has a deadline so a dead member cannot hang the test. */
function clientOf(endpoints: string[]): Etcd3 {
  return new Etcd3({ hosts: endpoints, defaultCallOptions: () => ({ deadline: Date.now() + 5_000 }) });
}

/** How many keys under `prefix` this member alone has (a serializable read: no quorum, its own store). */
async function localCount(m: EtcdMember, prefix: string): Promise<number> {
  const c = clientOf([m.endpoint]);
  try {
    const res = await c.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), count_only: true, serializable: true });
    return Number(res.count);
  } finally {
    c.close();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('startEtcdCluster (real etcd, three members)', function () {
  this.timeout(90_000);
  let tmp: { dir: string; remove: () => void };
  let cluster: EtcdCluster;

  before(async () => {
    tmp = makeTempDir('gantry-etcd-cluster');
    cluster = await startEtcdCluster({ dir: path.join(tmp.dir, 'etcd'), members: 3, logDir: tmp.dir });
  });
  after(async () => {
    await cluster?.stop();
    tmp?.remove();
  });

  it('starts three members on their own ports and data dirs, agreeing on one leader', async () => {
    expect(cluster.members.map((m) => m.name)).to.deep.equal(['etcd-1', 'etcd-2', 'etcd-3']);
    const ports = cluster.members.flatMap((m) => [m.clientPort, m.peerPort]);
    expect(new Set(ports).size).to.equal(6);
    expect(cluster.endpoints).to.deep.equal(cluster.members.map((m) => `http://127.0.0.1:${m.clientPort}`));
    for (const m of cluster.members) {
      expect(m.dataDir).to.equal(path.join(tmp.dir, 'etcd', m.name));
      expect(fs.existsSync(path.join(m.dataDir, 'member', 'wal')), m.name).to.equal(true);
      expect(await memberHealthy(m.endpoint), m.name).to.equal(true);
    }
    // They formed one cluster: each lists the three peers.
    const c = clientOf([cluster.endpoints[0]!]);
    try {
      const list = await c.cluster.memberList({});
      expect(list.members.map((m) => m.name).sort()).to.deep.equal(['etcd-1', 'etcd-2', 'etcd-3']);
      expect(list.members.flatMap((m) => m.peerURLs).sort()).to.deep.equal(cluster.members.map((m) => `http://127.0.0.1:${m.peerPort}`).sort());
    } finally {
      c.close();
    }
    expect(cluster.members).to.include(await cluster.leader());
  });

  // The leader is the harder case (an election); a follower the common one.
  const cases: Array<{ name: string; pick: (c: EtcdCluster) => Promise<EtcdMember> }> = [
    { name: 'the leader', pick: (c) => c.leader() },
    { name: 'a follower', pick: async (c) => {
      const leader = await c.leader();
      return c.members.find((m) => m !== leader)!;
    } },
  ];
  for (const tc of cases) {
    it(`keeps serving when ${tc.name} is killed, and the member rejoins with what it missed`, async () => {
      const victim = await tc.pick(cluster);
      const prefix = `/kill-${tc.name.replace(/\W/g, '')}/`;
      const client = clientOf(cluster.endpoints);
      try {
        await client.put(`${prefix}before`).value('1');
        await victim.kill();
        expect(victim.running()).to.equal(false);
        // Writes and linearizable reads go through the other two (the client skips the dead one).
        for (let i = 0; i < 20; i++) await client.put(`${prefix}k${i}`).value(String(i));
        expect(await client.getAll().prefix(prefix).keys()).to.have.length(21);
        const leader = await cluster.leader();
        expect(leader).to.not.equal(victim);
        for (const m of cluster.members.filter((x) => x !== victim)) expect(await memberHealthy(m.endpoint), m.name).to.equal(true);

        const oldPid = victim.pid;
        await victim.start();
        expect(victim.pid).to.not.equal(oldPid);
        // From its own store, not through the leader: it caught up on the 20 writes it missed.
        await waitFor(`${victim.name} to catch up`, async () => (await localCount(victim, prefix)) === 21);
        await client.put(`${prefix}after`).value('2');
        await waitFor(`${victim.name} to see a new write`, async () => (await localCount(victim, prefix)) === 22);
      } finally {
        client.close();
      }
    });
  }

  it('stops every member', async () => {
    const pids = cluster.members.map((m) => m.pid);
    await cluster.stop();
    for (const m of cluster.members) expect(m.running(), m.name).to.equal(false);
    for (const pid of pids) expect(() => process.kill(pid, 0)).to.throw();
  });
});

describe('startEtcdCluster (options)', function () {
  this.timeout(60_000);

  it('refuses a cluster without members and a port list of the wrong length', async () => {
    await startEtcdCluster({ dir: '/nonexistent', members: 0 }).then(
      () => expect.fail('started'),
      (e: Error) => expect(e.message).to.match(/at least one member/),
    );
    await startEtcdCluster({ dir: '/nonexistent', members: 3, ports: [{ clientPort: 1, peerPort: 2 }] }).then(
      () => expect.fail('started'),
      (e: Error) => expect(e.message).to.match(/1 port pairs for 3 members/),
    );
  });

  it('fails with the member and its log when one cannot start, and leaves none running', async () => {
    const tmp = makeTempDir('gantry-etcd-bad');
    try {
      // Both members on one peer port: the second cannot listen.
      const free = await freeMemberPorts(2);
      const ports = [free[0]!, { clientPort: free[1]!.clientPort, peerPort: free[0]!.peerPort }];
      let started: EtcdCluster | undefined;
      try {
        started = await startEtcdCluster({ dir: tmp.dir, members: 2, ports, logDir: tmp.dir, readyTimeoutMs: 10_000 });
        expect.fail('a cluster with a shared peer port started');
      } catch (e) {
        expect((e as Error).message).to.match(/etcd etcd-\d exited early .*etcd-\d\.log|not healthy/);
      } finally {
        await started?.stop();
      }
      expect(processesMentioning(tmp.dir)).to.deep.equal([]);
    } finally {
      tmp.remove();
    }
  });
});
