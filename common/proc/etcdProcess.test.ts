import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { prefixEnd } from '../etcdKeys.js';
import { makeCA, makeSignedCert, type KeyPair } from '../pki/certs.js';
import { processesMentioning } from './leftovers.js';
import { etcdGateway, etcdLeader, freeMemberPorts, makeTempDir, memberHealthy, startEtcd, startEtcdCluster, type EtcdCluster, type EtcdMember, type EtcdTlsFiles } from './etcdProcess.js';

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

/** One read of every key, as an attacker on this machine would try it: plain HTTP, or HTTPS with (or without) some client certificate. */
function probeRange(endpoint: string, client?: { cert: string; key: string } /* files */): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const creds = client ? { cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) } : {};
    const opts: https.RequestOptions = { method: 'POST', timeout: 5_000, rejectUnauthorized: false, ...creds };
    const onRes = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    };
    const req = endpoint.startsWith('https:') ? https.request(`${endpoint}/v3/kv/range`, opts, onRes) : http.request(`${endpoint}/v3/kv/range`, opts, onRes);
    req.on('error', (e) => resolve({ error: e.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(JSON.stringify({ key: Buffer.from('\0').toString('base64'), range_end: Buffer.from('\0').toString('base64') }));
  });
}

describe('startEtcdCluster with TLS (real etcd, three members, client and peer certificates required)', function () {
  this.timeout(90_000);
  let tmp: { dir: string; remove: () => void };
  let cluster: EtcdCluster;
  let tls: EtcdTlsFiles;
  /** Signed by a CA etcd does not trust (as the cluster CA's node certificates are). */
  let foreign: { cert: string; key: string };
  /** A client certificate the etcd CA signed. */
  let client: { caFile: string; certFile: string; keyFile: string };
  const secret = 'the-secret-value';

  const write = (name: string, pair: KeyPair): { cert: string; key: string } => {
    const cert = path.join(tmp.dir, `${name}.crt`);
    const key = path.join(tmp.dir, `${name}.key`);
    fs.writeFileSync(cert, pair.certPem);
    fs.writeFileSync(key, pair.keyPem, { mode: 0o600 });
    return { cert, key };
  };

  before(async () => {
    tmp = makeTempDir('gantry-etcd-tls');
    const ca = makeCA('test-etcd-ca');
    const caFiles = write('ca', ca);
    const loopback = { dnsNames: ['localhost'], ips: ['127.0.0.1'] };
    const server = write('server', makeSignedCert(ca, { commonName: 'server', ...loopback, usage: 'both' }));
    const peer = write('peer', makeSignedCert(ca, { commonName: 'peer', ...loopback, usage: 'both' }));
    const c = write('client', makeSignedCert(ca, { commonName: 'client', dnsNames: [], ips: [], usage: 'client' }));
    const other = makeCA('another-ca');
    foreign = write('foreign', makeSignedCert(other, { commonName: 'system:node:host-1', dnsNames: [], ips: [], usage: 'client' }));
    tls = { caFile: caFiles.cert, certFile: server.cert, keyFile: server.key, peerCertFile: peer.cert, peerKeyFile: peer.key };
    client = { caFile: caFiles.cert, certFile: c.cert, keyFile: c.key };
    cluster = await startEtcdCluster({ dir: path.join(tmp.dir, 'etcd'), members: 3, logDir: tmp.dir, tls });
    const etcd = new Etcd3({ hosts: cluster.endpoints, credentials: { rootCertificate: fs.readFileSync(client.caFile), certChain: fs.readFileSync(client.certFile), privateKey: fs.readFileSync(client.keyFile) } });
    try {
      await etcd.put('/registry/secrets/default/s').value(secret);
    } finally {
      etcd.close();
    }
  });
  after(async () => {
    await cluster?.stop();
    tmp?.remove();
  });

  it('serves https client URLs, and its members talk to each other over https', async () => {
    expect(cluster.endpoints).to.deep.equal(cluster.members.map((m) => `https://127.0.0.1:${m.clientPort}`));
    const status = await etcdGateway<{ leader?: string }>(cluster.endpoints[0]!, 'maintenance/status', client);
    expect(status?.leader, 'a status with the etcd-CA-signed client certificate').to.be.a('string');
    const list = await etcdGateway<{ members: Array<{ peerURLs: string[] }> }>(cluster.endpoints[0]!, 'cluster/member/list', client);
    expect(list?.members.flatMap((m) => m.peerURLs).sort()).to.deep.equal(cluster.members.map((m) => `https://127.0.0.1:${m.peerPort}`).sort());
    expect(cluster.members).to.include(await cluster.leader());
    expect(await etcdLeader(cluster.endpoints, client)).to.be.oneOf(cluster.endpoints);
  });

  // What a local process, a hostNetwork pod say, can try against the client URL.
  // The HTTPS ones never get past the handshake (etcd requires and verifies a client certificate).
  const attacks: Array<{ name: string; run: (endpoint: string) => ReturnType<typeof probeRange>; refused: RegExp }> = [
    { name: 'plain HTTP', run: (e) => probeRange(e.replace('https:', 'http:')), refused: /^(400 Client sent an HTTP request to an HTTPS server|error: (socket hang up|read ECONNRESET))/ },
    { name: 'HTTPS without a client certificate', run: (e) => probeRange(e), refused: /^error: .*(certificate|socket hang up|ECONNRESET)/ },
    { name: 'HTTPS with a certificate another CA signed', run: (e) => probeRange(e, foreign), refused: /^error: .*(bad certificate|unknown ca|socket hang up|ECONNRESET)/ },
  ];
  for (const a of attacks) {
    it(`refuses ${a.name} on every member`, async () => {
      for (const m of cluster.members) {
        const r = await a.run(m.endpoint);
        expect(r.body ?? '', `${m.name}: ${JSON.stringify(r)}`).to.not.contain(Buffer.from(secret).toString('base64'));
        expect(r.status, `${m.name}: ${JSON.stringify(r)}`).to.not.equal(200);
        expect(r.error ? `error: ${r.error}` : `${r.status} ${r.body}`, m.name).to.match(a.refused);
      }
    });
  }

  it('answers the same read with the client certificate (the probe can succeed)', async () => {
    const r = await probeRange(cluster.endpoints[0]!, { cert: client.certFile, key: client.keyFile });
    expect(r.status, JSON.stringify(r)).to.equal(200);
    expect(r.body).to.contain(Buffer.from(secret).toString('base64'));
  });

  it('health checks and the gRPC client fail without the right certificate', async () => {
    const e = cluster.endpoints[0]!;
    expect(await memberHealthy(e, client)).to.equal(true);
    expect(await memberHealthy(e, { caFile: client.caFile, certFile: foreign.cert, keyFile: foreign.key })).to.equal(false);
    expect(await memberHealthy(e)).to.equal(false);
    const wrong = new Etcd3({ hosts: [e], credentials: { rootCertificate: fs.readFileSync(client.caFile), certChain: fs.readFileSync(foreign.cert), privateKey: fs.readFileSync(foreign.key) }, defaultCallOptions: () => ({ deadline: Date.now() + 3_000 }) });
    try {
      await wrong.get('/registry/secrets/default/s').string().then(
        (v) => expect.fail(`read ${v} with a foreign certificate`),
        (err: Error) => expect(err.message).to.not.equal(''),
      );
    } finally {
      wrong.close();
    }
  });

  it('a killed member started again rejoins over https', async () => {
    const victim = cluster.members[2]!;
    await victim.kill();
    await victim.start();
    expect(await memberHealthy(victim.endpoint, client)).to.equal(true);
  });

  it('startEtcd (one member) serves https as well, and plain when given no TLS', async () => {
    const one = await startEtcd({ dataDir: path.join(tmp.dir, 'single'), tls });
    try {
      expect(one.endpoint).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      await waitFor('the single member healthy', () => memberHealthy(one.endpoint, client));
      expect((await probeRange(one.endpoint)).status).to.not.equal(200);
    } finally {
      await one.stop();
    }
    const plain = await startEtcd({ dataDir: path.join(tmp.dir, 'plain') });
    try {
      expect(plain.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      await waitFor('the plain member healthy', () => memberHealthy(plain.endpoint));
    } finally {
      await plain.stop();
    }
  });
});
