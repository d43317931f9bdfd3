import { expect } from 'chai';
import { silentLogger } from '../../common/logging.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import type { KubeObject } from '../../common/api/meta.js';
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError } from './errors.js';
import { prefixEnd } from '../../common/etcdKeys.js';
import { EtcdStorage } from './etcdStorage.js';
import type { StorageEvent } from './storage.js';

const obj = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name }, ...extra });

describe('EtcdStorage (real etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdProcess;
  let tmp: { dir: string; remove: () => void };
  let store: EtcdStorage;

  before(async () => {
    tmp = makeTempDir('gantry-etcd');
    etcd = await startEtcd({ dataDir: tmp.dir });
    store = new EtcdStorage({ endpoints: [etcd.endpoint], logger: silentLogger() });
  });
  after(async () => {
    await store?.close();
    await etcd?.stop();
    tmp?.remove();
  });

  it('computes prefix range ends', () => {
    expect(prefixEnd('/a/').toString()).to.equal('/a0');
  });

  it('creates once, then refuses with KeyExistsError', async () => {
    const rev = await store.create('/t/create/a', obj('a'));
    expect(rev).to.be.greaterThan(0);
    await store.create('/t/create/a', obj('a')).then(
      () => expect.fail('second create succeeded'),
      (e: unknown) => expect(e).to.be.instanceOf(KeyExistsError),
    );
    const got = await store.get('/t/create/a');
    expect(got?.revision).to.equal(rev);
    expect(got?.object.metadata.name).to.equal('a');
  });

  it('never stores resourceVersion inside the value', async () => {
    await store.create('/t/rv/a', { metadata: { name: 'a', resourceVersion: '12345' } });
    const got = await store.get('/t/rv/a');
    expect(got?.object.metadata.resourceVersion).to.equal(undefined);
  });

  it('updates only at the expected revision and reports the current state on mismatch', async () => {
    const r1 = await store.create('/t/upd/a', obj('a', { v: 1 }));
    const r2 = await store.update('/t/upd/a', obj('a', { v: 2 }), r1);
    expect(r2).to.be.greaterThan(r1);
    try {
      await store.update('/t/upd/a', obj('a', { v: 3 }), r1);
      expect.fail('stale update succeeded');
    } catch (e) {
      expect(e).to.be.instanceOf(RevisionMismatchError);
      expect((e as RevisionMismatchError).current?.object.v).to.equal(2);
    }
  });

  it('deletes with and without a precondition', async () => {
    const r = await store.create('/t/del/a', obj('a'));
    await store.delete('/t/del/a', r + 1000).catch((e: unknown) => expect(e).to.be.instanceOf(RevisionMismatchError));
    await store.delete('/t/del/a', r);
    expect(await store.get('/t/del/a')).to.equal(undefined);
    await store.delete('/t/del/a').then(
      () => expect.fail('deleted twice'),
      (e: unknown) => expect(e).to.be.instanceOf(KeyNotFoundError),
    );
  });

  it('lists a prefix in pages', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await store.create(`/t/list/${n}`, obj(n));
    await store.create('/t/listx/zz', obj('zz'));
    const p1 = await store.list('/t/list/', { limit: 2 });
    expect(p1.items.map((i) => i.object.metadata.name)).to.deep.equal(['a', 'b']);
    expect(p1.nextKey).to.equal('/t/list/c');
    expect(p1.remaining, 'keys after the first page').to.equal(3);
    const p2 = await store.list('/t/list/', { limit: 10, fromKey: p1.nextKey!, atRevision: p1.revision });
    expect(p2.items.map((i) => i.object.metadata.name)).to.deep.equal(['c', 'd', 'e']);
    expect(p2.nextKey).to.equal(undefined);
    expect(p2.remaining).to.equal(undefined);
  });

  it('counts the keys after a continued page at the page revision, not later writes', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await store.create(`/t/count/${n}`, obj(n));
    const p1 = await store.list('/t/count/', { limit: 3 });
    expect(p1.remaining).to.equal(4);
    // Written after the first page: not part of the list read at p1's revision.
    await store.create('/t/count/h', obj('h'));
    await store.delete('/t/count/e');
    const p2 = await store.list('/t/count/', { limit: 2, fromKey: p1.nextKey!, atRevision: p1.revision });
    expect(p2.items.map((i) => i.object.metadata.name)).to.deep.equal(['d', 'e']);
    expect(p2.remaining, 'f and g remain at that revision').to.equal(2);
    const now = await store.list('/t/count/', { limit: 2, fromKey: p1.nextKey! });
    expect(now.items.map((i) => i.object.metadata.name)).to.deep.equal(['d', 'f']);
    expect(now.remaining, 'g and h remain now').to.equal(2);
  });

  it('watches from a revision, in order, with creates, updates and deletes', async () => {
    const start = await store.currentRevision();
    const got: StorageEvent[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const w = store.watch('/t/watch/', start, {
        events: (batch) => {
          got.push(...batch);
          if (got.length >= 3) {
            w.close();
            resolve();
          }
        },
        failed: reject,
      });
    });
    const r = await store.create('/t/watch/a', obj('a'));
    await store.update('/t/watch/a', obj('a', { v: 2 }), r);
    await store.delete('/t/watch/a');
    await done;
    expect(got.map((e) => e.type)).to.deep.equal(['put', 'put', 'delete']);
    expect(got[0]).to.include({ created: true });
    expect(got[1]).to.include({ created: false });
    const revs = got.map((e) => e.revision);
    expect([...revs].sort((a, b) => a - b)).to.deep.equal(revs);
  });
});
