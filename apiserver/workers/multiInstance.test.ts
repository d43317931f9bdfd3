// Two API servers on one etcd, each with its own watch cache (what `--workers N` runs on one
// host and an HA control plane runs on several): a write through either is visible in a
// consistent read through the other at once, and watches opened on either instance deliver
// the same events, in etcd's revision order, none missing.

import { expect } from 'chai';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RestClient } from '../../common/client/restClient.js';
import type { KubeObject } from '../../common/api/meta.js';
import { silentLogger } from '../../common/logging.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { TokenAuthenticator } from '../auth/tokens.js';
import { startApiServer, type RunningApiServer } from '../server.js';

interface List {
  metadata: { resourceVersion: string };
  items: KubeObject[];
}
interface SeenEvent {
  type: string;
  name: string;
  rv: number;
}

const cms = '/api/v1/namespaces/default/configmaps';
const rvOf = (o: { metadata?: { resourceVersion?: string } }): number => Number(o.metadata?.resourceVersion);

describe('several API servers on one etcd: consistent reads and ordered, complete watches across instances', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof makeTempDir>;
  let etcd: EtcdProcess;
  const servers: RunningApiServer[] = [];
  const clients: RestClient[] = [];

  before(async () => {
    tmp = makeTempDir('gantry-multi-instance');
    etcd = await startEtcd({ dataDir: path.join(tmp.dir, 'etcd'), logFile: path.join(tmp.dir, 'etcd.log') });
    const ca = makeCA();
    const tls = makeSignedCert(ca, { commonName: 'apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    const token = randomBytes(16).toString('hex');
    const authenticator = new TokenAuthenticator([{ token, user: { name: 'admin', uid: '1', groups: ['system:masters'] } }]);
    for (let i = 0; i < 2; i++) {
      const s = await startApiServer({ etcdEndpoints: [etcd.endpoint], host: '127.0.0.1', port: 0, tls, authenticator, logger: silentLogger(), compaction: i === 0 });
      servers.push(s);
      clients.push(new RestClient({ server: s.url, caPem: ca.certPem, token }));
    }
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.close().catch(() => undefined);
    await etcd?.stop();
    tmp?.remove();
  });

  const create = async (via: RestClient, name: string, data: Record<string, string>): Promise<KubeObject> => {
    const res = await via.request<KubeObject>('POST', cms, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data } });
    expect(res.status, res.text).to.equal(201);
    return res.body;
  };
  const list = async (via: RestClient, query: Record<string, string> = {}): Promise<List> => {
    const res = await via.get<List>(cms, { query });
    expect(res.status, res.text).to.equal(200);
    return res.body;
  };

  it('a write through one instance is in the next consistent LIST and GET through the other, at or after its resourceVersion', async () => {
    for (let i = 0; i < 30; i++) {
      const [writer, reader] = i % 2 === 0 ? [clients[0]!, clients[1]!] : [clients[1]!, clients[0]!];
      const made = await create(writer, `read-${i}`, { n: String(i) });
      const l = await list(reader);
      expect(rvOf(l), `list ${i} is not older than the write`).to.be.at.least(rvOf(made));
      expect(l.items.map((o) => o.metadata.name)).to.include(`read-${i}`);
      // resourceVersion=<the write's> (NotOlderThan) is served from the reader's cache once it caught up.
      const atLeast = await list(reader, { resourceVersion: String(rvOf(made)) });
      expect(atLeast.items.map((o) => o.metadata.name)).to.include(`read-${i}`);

      const patched = await writer.request<KubeObject>('PATCH', `${cms}/read-${i}`, { body: { data: { n: `${i}-patched` } }, contentType: 'application/merge-patch+json' });
      expect(patched.status, patched.text).to.equal(200);
      const got = await reader.get<KubeObject>(`${cms}/read-${i}`);
      expect(got.status, got.text).to.equal(200);
      expect(got.body.data).to.deep.equal({ n: `${i}-patched` });
      const after = await list(reader, { fieldSelector: `metadata.name=read-${i}` });
      expect(after.items.map((o) => o.data)).to.deep.equal([{ n: `${i}-patched` }]);
      expect(rvOf(after.items[0]!)).to.equal(rvOf(patched.body));
    }
  });

  it('watches opened on either instance deliver the same events in revision order, none missing', async () => {
    const from = (await list(clients[0]!)).metadata.resourceVersion;
    const names = Array.from({ length: 40 }, (_, i) => `watched-${i}`);
    // Each name: ADDED, MODIFIED, and for every other one DELETED.
    const expected = names.length * 2 + names.length / 2;
    const seen: SeenEvent[][] = [[], []];
    const complete = clients.map((c, i) => {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const w = c.watch(cms, { resourceVersion: from, labelSelector: 'test=watched' }, (ev) => {
        const obj = ev.object as KubeObject;
        seen[i]!.push({ type: ev.type, name: String(obj.metadata?.name), rv: rvOf(obj) });
        if (seen[i]!.length >= expected) resolve();
      });
      return { done, stop: w.stop };
    });

    // Writes spread over both instances, eight at a time.
    const steps = names.map((name, i) => async () => {
      const writer = (k: number): RestClient => clients[(i + k) % 2]!;
      const res = await writer(0).request('POST', cms, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { test: 'watched' } }, data: { v: '1' } } });
      expect(res.status, res.text).to.equal(201);
      const patched = await writer(1).request('PATCH', `${cms}/${name}`, { body: { data: { v: '2' } }, contentType: 'application/merge-patch+json' });
      expect(patched.status, patched.text).to.equal(200);
      if (i % 2 === 0) {
        const del = await writer(0).request('DELETE', `${cms}/${name}`);
        expect(del.status, del.text).to.equal(200);
      }
    });
    const queue = [...steps];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let step = queue.shift(); step; step = queue.shift()) await step();
    }));

    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`watches saw ${seen[0]!.length} and ${seen[1]!.length} of ${expected} events`)), 30_000).unref());
    try {
      await Promise.race([Promise.all(complete.map((c) => c.done)), timeout]);
    } finally {
      complete.forEach((c) => c.stop());
    }

    expect(seen[0]!.slice(0, expected)).to.deep.equal(seen[1]!.slice(0, expected));
    const events = seen[0]!.slice(0, expected);
    for (let i = 1; i < events.length; i++) expect(events[i]!.rv, `event ${i} after ${i - 1}`).to.be.greaterThan(events[i - 1]!.rv);
    for (const [i, name] of names.entries()) {
      const types = events.filter((e) => e.name === name).map((e) => e.type);
      expect(types, name).to.deep.equal(i % 2 === 0 ? ['ADDED', 'MODIFIED', 'DELETED'] : ['ADDED', 'MODIFIED']);
    }
    // What the watches ended with is what a consistent LIST through either instance says now.
    const alive = names.filter((_, i) => i % 2 === 1);
    for (const c of clients) {
      const l = await list(c, { labelSelector: 'test=watched' });
      expect(l.items.map((o) => o.metadata.name).sort()).to.deep.equal([...alive].sort());
      expect(l.items.every((o) => (o.data as { v: string }).v === '2')).to.equal(true);
    }
  });
});
