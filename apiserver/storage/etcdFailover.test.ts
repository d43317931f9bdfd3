// The API server on a three-member etcd: a member SIGKILLed while clients write loses no
// acknowledged write, the API keeps answering, and the watch cache (one etcd watch that
// may sit on the killed member) keeps following. How many writes failed during the
// election is printed, not asserted: it depends on timing.

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { RestClient } from '../../common/client/restClient.js';
import { lostWrites, startAckedWriters, summarizeFailures, type AckedWriters } from '../../common/testing/ackedWrites.js';
import { silentLogger } from '../../common/logging.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { makeTempDir, memberHealthy, startEtcd, startEtcdCluster, type EtcdCluster, type EtcdMember, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { TokenAuthenticator } from '../auth/tokens.js';
import { startApiServer, type RunningApiServer } from '../server.js';
import { EtcdStorage } from './etcdStorage.js';

interface ConfigMap {
  metadata: { name: string };
  data?: Record<string, string>;
}

const base = '/api/v1/namespaces/default/configmaps';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('API server on a three-member etcd: a member killed during writes', function () {
  this.timeout(180_000);
  let tmp: { dir: string; remove: () => void };
  let etcd: EtcdCluster;
  let server: RunningApiServer;
  let client: RestClient;

  before(async () => {
    tmp = makeTempDir('gantry-etcd-failover');
    etcd = await startEtcdCluster({ dir: path.join(tmp.dir, 'etcd'), members: 3, logDir: tmp.dir });
    const ca = makeCA();
    const serving = makeSignedCert(ca, { commonName: 'apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    const token = randomBytes(16).toString('hex');
    server = await startApiServer({
      etcdEndpoints: etcd.endpoints,
      host: '127.0.0.1',
      port: 0,
      tls: serving,
      authenticator: new TokenAuthenticator([{ token, user: { name: 'admin', uid: '1', groups: ['system:masters'] } }]),
      logger: silentLogger(),
    });
    client = new RestClient({ server: server.url, caPem: ca.certPem, token });
  });

  after(async () => {
    client?.close();
    await server?.close().catch(() => undefined);
    await etcd?.stop();
    tmp?.remove();
  });

  const cases: Array<{ name: string; pick: (c: EtcdCluster) => Promise<EtcdMember> }> = [
    { name: 'the leader', pick: (c) => c.leader() },
    {
      name: 'a follower',
      pick: async (c) => {
        const leader = await c.leader();
        return c.members.find((m) => m !== leader)!;
      },
    },
  ];

  for (const tc of cases) {
    it(`loses no acknowledged write when ${tc.name} is SIGKILLed, and the watch cache follows`, async () => {
      const prefix = `cm-${tc.name.split(' ')[1]}`;

      // A watch from before the first write sees every acknowledged create, whichever member its etcd watch was on.
      const watched = new Map<string, string>();
      const start = await client.get<{ metadata: { resourceVersion: string } }>(base);
      const watch = client.watch(base, { resourceVersion: start.body.metadata.resourceVersion }, (ev) => {
        const cm = ev.object as unknown as ConfigMap;
        if (ev.type === 'ADDED' && cm.metadata.name.startsWith(`${prefix}-`)) watched.set(cm.metadata.name, cm.data?.v ?? '');
      });

      try {
        await writeWhileKilling(tc, prefix, watched);
      } finally {
        watch.stop();
      }
    });
  }

  async function writeWhileKilling(tc: (typeof cases)[number], prefix: string, watched: Map<string, string>): Promise<void> {
    const writers: AckedWriters = await startAckedWriters(client, { namespace: 'default', prefix });
    const log = writers.log;
    let victim: EtcdMember | undefined;
    try {
      await sleep(1_500);
      const ackedBefore = log.acked.length;
      victim = await tc.pick(etcd);
      await victim.kill();
      const killedAt = Date.now();
      // Long enough for an election and for requests caught in it to time out and retry.
      await sleep(12_000);
      const ackedWhileDown = log.acked.length - ackedBefore;
      const failedWhileDown = log.failures.length;
      const downSeconds = Math.round((Date.now() - killedAt) / 1000);
      await victim.start();
      await sleep(1_500);
      await writers.stop();
      process.stderr.write(
        `      ${tc.name} (${victim.name}) killed: ${ackedBefore} creates acknowledged before, ${ackedWhileDown} in the ${downSeconds} s it was down; ` +
          `${failedWhileDown} writes failed while it was down, ${log.failures.length} in all (${summarizeFailures(log.failures)}); slowest answer ${log.slowestMs} ms\n`,
      );
      // The API kept answering: writes were acknowledged while the member was down.
      expect(ackedWhileDown, 'creates acknowledged with one member down').to.be.greaterThan(0);
    } finally {
      await writers.stop();
      if (victim && !victim.running()) await victim.start().catch(() => undefined);
    }
    expect(await memberHealthy(victim.endpoint), `${victim.name} rejoined`).to.equal(true);

    // Every acknowledged write is in etcd (a GET without resourceVersion reads etcd), with its value.
    expect(await lostWrites(client, writers), 'acknowledged writes missing or changed').to.deep.equal([]);

    // The watch cache followed: a list at the newest acknowledged revision (served from the cache once it got there) has them all.
    const newest = Math.max(...log.acked.map((a) => a.rv));
    const list = await client.get<{ items: ConfigMap[] }>(base, { query: { resourceVersion: String(newest) } });
    expect(list.status, list.text.slice(0, 200)).to.equal(200);
    const listed = new Map(list.body.items.map((cm) => [cm.metadata.name, cm.data?.v]));
    expect(log.acked.filter((a) => listed.get(a.name) !== a.value).map((a) => a.name), 'missing from the cached list').to.deep.equal([]);

    // And so did the watch opened before the kill.
    const deadline = Date.now() + 10_000;
    while (log.acked.some((a) => !watched.has(a.name)) && Date.now() < deadline) await sleep(100);
    expect(log.acked.filter((a) => watched.get(a.name) !== a.value).map((a) => a.name), 'never seen by the watch').to.deep.equal([]);
  }
});

describe('EtcdStorage: a watch whose etcd dies while it catches up', function () {
  this.timeout(90_000);

  it('resumes from the last event it delivered, skipping none', async () => {
    const tmp = makeTempDir('gantry-etcd-resume');
    let etcd: EtcdProcess = await startEtcd({ dataDir: tmp.dir });
    const store = new EtcdStorage({ endpoints: [etcd.endpoint], logger: silentLogger() });
    try {
      const from = await store.currentRevision();
      const n = 3000;
      for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => store.create(`/resume/k${i + j}`, { metadata: { name: `k${i + j}` } })));
      const to = await store.currentRevision();
      // etcd replays a backlog in batches of at most 1000 revisions, 100 ms apart: killing it
      // on the first batch breaks the stream mid-replay.
      const seen = new Set<number>();
      let firstBatch = 0;
      let restarted: Promise<void> | undefined;
      const all = new Promise<void>((resolve, reject) => {
        store.watch('/resume/', from, {
          events: (evs) => {
            for (const ev of evs) seen.add(ev.revision);
            if (!restarted) {
              firstBatch = evs.length;
              const ports = { clientPort: etcd.clientPort, peerPort: etcd.peerPort };
              restarted = etcd.kill().then(async () => {
                etcd = await startEtcd({ dataDir: tmp.dir, ...ports });
              });
            }
            if (seen.size === to - from) resolve();
          },
          failed: reject,
        });
      });
      await Promise.race([all, sleep(30_000)]);
      await restarted;
      expect(firstBatch, 'the stream broke mid-replay').to.be.lessThan(to - from);
      const missing: number[] = [];
      for (let r = from + 1; r <= to; r++) if (!seen.has(r)) missing.push(r);
      expect(missing.length, `revisions never delivered, from ${missing[0]}`).to.equal(0);
    } finally {
      await store.close();
      await etcd.stop();
      tmp.remove();
    }
  });
});
