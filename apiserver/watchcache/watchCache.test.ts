// The watch cache over a real etcd (Secrets encrypted at rest, as `gantry up` can run it):
// each entry is exactly what the value parsed, stamped with its revision and serialized
// gives, whatever the format it was written in, and a delete's event (made by splicing the
// delete's revision into the last state's bytes) equals stamping that state again.

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '../../common/api/meta.js';
import { silentLogger } from '../../common/logging.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { EncryptionTransformer } from '../storage/encryption.js';
import { parseEncryptionConfig } from '../storage/encryptionConfig.js';
import { EtcdStorage } from '../storage/etcdStorage.js';
import { storedJson } from '../storage/storedJson.js';
import { CachedObject } from './cachedObject.js';
import { WatchCache, type CacheEvent } from './watchCache.js';

const root = '/registry/';
const encryption = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: k1
              secret: ${randomBytes(32).toString('base64')}
`;

const pod = (name: string, phase: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'd', uid: `u-${name}`, labels: { app: 'wéb' }, managedFields: [{ manager: 'm', operation: 'Update', fieldsV1: { 'f:status': {} } }] },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i:1' }] },
  status: { phase },
});
const secret = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'd', labels: { a: 'b' } }, type: 'Opaque', data: { k: 'dmFsdWU=' } });

/** The entry the value read back from etcd gives the slow way: parsed, stamped, serialized. */
const slow = (key: string, revision: number, value: KubeObject): CachedObject => CachedObject.stamped(key, revision, JSON.parse(JSON.stringify(value)) as KubeObject);

describe('watch cache entries (real etcd, encryption at rest)', function () {
  this.timeout(30_000);
  let etcd: EtcdProcess;
  let tmp: { dir: string; remove: () => void };
  let storage: EtcdStorage;
  let cache: WatchCache;
  let raw: Etcd3;

  before(async () => {
    tmp = makeTempDir('gantry-watchcache');
    etcd = await startEtcd({ dataDir: tmp.dir });
    storage = new EtcdStorage({ endpoints: [etcd.endpoint], logger: silentLogger(), transformer: new EncryptionTransformer(parseEncryptionConfig(encryption), root) });
    cache = new WatchCache({ storage, logger: silentLogger(), root });
    await cache.start();
    raw = new Etcd3({ hosts: [etcd.endpoint] });
  });
  after(async () => {
    cache?.stop();
    raw?.close();
    await storage?.close();
    await etcd?.stop();
    tmp?.remove();
  });

  async function settled(revision: number): Promise<void> {
    expect(await cache.waitForRevision(revision, 5_000), `cache reached revision ${revision}`).to.equal(true);
  }

  /** What must hold of every entry, however it was made. */
  function sameAsSlow(entry: CachedObject | undefined, want: CachedObject): void {
    expect(entry, 'cached').to.not.equal(undefined);
    expect(entry!.json.toString()).to.equal(want.json.toString());
    expect(entry!.metadataJson().toString()).to.equal(want.metadataJson().toString());
    expect(entry!.forReading()).to.deep.equal(want.forReading());
    expect(entry!.specJson()?.toString()).to.equal(want.specJson()?.toString());
    expect([entry!.kind, entry!.apiVersion, entry!.labels, entry!.fields]).to.deep.equal([want.kind, want.apiVersion, want.labels, want.fields]);
  }

  const cases: { name: string; key: string; object: KubeObject }[] = [
    { name: 'a pod (plain at rest)', key: `${root}pods/d/a`, object: pod('a', 'Pending') },
    { name: 'a Secret (encrypted at rest: compared after decryption)', key: `${root}secrets/d/s`, object: secret('s') },
  ];
  for (const tc of cases) {
    it(`a create and an update are cached as their values read back: ${tc.name}`, async () => {
      let stored = storedJson(tc.object);
      let rev = await storage.create(tc.key, tc.object, stored.bytes);
      await settled(rev);
      const atRest = (await raw.get(tc.key).buffer())!;
      expect(atRest.equals(stored.bytes), 'encrypted at rest').to.equal(!tc.key.includes('/secrets/'));
      sameAsSlow(cache.get(tc.key), slow(tc.key, rev, (await storage.get(tc.key))!.object));
      // The answer to the write is the same bytes as the entry.
      expect(cache.get(tc.key)!.json.equals(stored.entry(rev)!.json)).to.equal(true);

      const next = { ...tc.object, metadata: { ...tc.object.metadata, labels: { a: 'changed' } } };
      stored = storedJson(next);
      rev = await storage.update(tc.key, next, rev, stored.bytes);
      await settled(rev);
      sameAsSlow(cache.get(tc.key), slow(tc.key, rev, next));
    });
  }

  it('reads values written in another format (spaces, a resourceVersion inside, other number forms) as JSON.stringify would write them', async () => {
    const key = `${root}pods/d/old`;
    const text = '{ "kind" : "Pod", "apiVersion":"v1", "metadata": {"resourceVersion": "7", "name":"old", "namespace":"d", "labels": {"x":"\\u00e9"}}, "spec": {"nodeName": "n\\/1", "n": 1.50, "e": 1E3} }';
    const res = await raw.put(key).value(text).exec();
    const rev = Number(res.header.revision);
    await settled(rev);
    const parsed = JSON.parse(text) as KubeObject;
    sameAsSlow(cache.get(key), CachedObject.stamped(key, rev, parsed));
    expect(cache.get(key)!.json.toString()).to.equal(JSON.stringify({ ...parsed, metadata: { ...parsed.metadata, resourceVersion: String(rev) } }));
  });

  it('a delete\'s event carries the last state at the delete\'s revision, as stamping it again would', async () => {
    const key = `${root}pods/d/gone`;
    const obj = pod('gone', 'Running');
    const rev = await storage.create(key, obj, storedJson(obj).bytes);
    await settled(rev);
    const last = cache.get(key)!;
    const seen: CacheEvent[] = [];
    const w = cache.watch(`${root}pods/d/`, rev, (ev) => seen.push(ev), () => undefined);
    try {
      const deleted = await storage.delete(key);
      await settled(deleted);
      expect(seen.map((e) => [e.type, e.revision])).to.deep.equal([['DELETED', deleted]]);
      sameAsSlow(seen[0]!.entry, CachedObject.stamped(key, deleted, last.object));
      expect(seen[0]!.previousEntry).to.equal(last);
      expect(cache.get(key)).to.equal(undefined);
    } finally {
      w.close();
    }
  });
});
