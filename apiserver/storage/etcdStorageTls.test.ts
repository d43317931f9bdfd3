// EtcdStorage against an etcd that requires client certificates: with the certificate its CA
// signed it reads, writes and watches; with one another CA signed (or none) every call fails
// as StorageUnavailableError, never with data.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../common/logging.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { makeTempDir, memberHealthy, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { StorageUnavailableError } from './errors.js';
import { EtcdStorage, type EtcdClientCredentials } from './etcdStorage.js';
import type { StorageEvent } from './storage.js';

describe('EtcdStorage over TLS with a client certificate (real etcd)', function () {
  this.timeout(30_000);
  let tmp: { dir: string; remove: () => void };
  let etcd: EtcdProcess;
  let good: EtcdClientCredentials;
  let foreign: EtcdClientCredentials;
  const stores: EtcdStorage[] = [];
  const storeWith = (tls?: EtcdClientCredentials): EtcdStorage => {
    const s = new EtcdStorage({ endpoints: [etcd.endpoint], logger: silentLogger(), timeoutMs: 3_000, ...(tls ? { tls } : {}) });
    stores.push(s);
    return s;
  };

  before(async () => {
    tmp = makeTempDir('gantry-etcd-storage-tls');
    const write = (name: string, pem: string): string => {
      const f = path.join(tmp.dir, name);
      fs.writeFileSync(f, pem, { mode: 0o600 });
      return f;
    };
    const ca = makeCA('test-etcd-ca');
    const server = makeSignedCert(ca, { commonName: 'etcd', dnsNames: ['localhost'], ips: ['127.0.0.1'], usage: 'both' });
    const client = makeSignedCert(ca, { commonName: 'kube-apiserver-etcd-client', dnsNames: [], ips: [], usage: 'client' });
    const other = makeSignedCert(makeCA('cluster-ca'), { commonName: 'system:node:host-1', dnsNames: [], ips: [], usage: 'client' });
    const caFile = write('ca.crt', ca.certPem);
    const tls = { caFile, certFile: write('server.crt', server.certPem), keyFile: write('server.key', server.keyPem) };
    etcd = await startEtcd({ dataDir: path.join(tmp.dir, 'data'), tls: { ...tls, peerCertFile: tls.certFile, peerKeyFile: tls.keyFile } });
    const deadline = Date.now() + 10_000;
    while (!(await memberHealthy(etcd.endpoint, tls)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    good = { caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem };
    foreign = { caPem: ca.certPem, certPem: other.certPem, keyPem: other.keyPem };
  });
  after(async () => {
    for (const s of stores) await s.close();
    await etcd?.stop();
    tmp?.remove();
  });

  it('reads, writes and watches with the client certificate the etcd CA signed', async () => {
    const store = storeWith(good);
    const events: StorageEvent[] = [];
    const start = (await store.list('/tls/')).revision;
    const w = store.watch('/tls/', start, { events: (batch) => events.push(...batch), failed: () => undefined });
    try {
      const rev = await store.create('/tls/a', { metadata: { name: 'a' } });
      expect((await store.get('/tls/a'))?.revision).to.equal(rev);
      const deadline = Date.now() + 5_000;
      while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(events.map((e) => `${e.type} ${e.key}`)).to.deep.equal(['put /tls/a']);
    } finally {
      w.close();
    }
  });

  const refused: Array<{ name: string; tls: () => EtcdClientCredentials | undefined }> = [
    { name: 'a certificate another CA signed', tls: () => foreign },
    { name: 'no credentials at all', tls: () => undefined },
  ];
  for (const tc of refused) {
    it(`fails every call with StorageUnavailableError given ${tc.name}`, async () => {
      const store = storeWith(tc.tls());
      for (const call of [() => store.get('/tls/a'), () => store.list('/tls/'), () => store.create('/tls/b', { metadata: { name: 'b' } })]) {
        await call().then(
          (v) => expect.fail(`answered ${JSON.stringify(v)}`),
          (e: unknown) => expect(e).to.be.instanceOf(StorageUnavailableError),
        );
      }
    });
  }
});
