// The informer against a real API server process and etcd: initial list, watch events,
// indexes, resuming after the API server restarts, and relisting on 410 (objects changed
// behind its back are reconciled into adds and deletes).

import { expect } from 'chai';
import { Etcd3 } from 'etcd3';
import { startProcessCluster, type ProcessCluster } from '../testing/cluster.js';
import { IndexedStore, Informer, objectKey, type InformedObject } from './informer.js';

interface ConfigMap extends InformedObject {
  data?: Record<string, string>;
}

const cms = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, data: Record<string, string> = { v: '1' }, labels: Record<string, string> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels } as ConfigMap['metadata'],
  data,
});

async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function recorder(): { log: string[]; handler: Parameters<Informer<ConfigMap>['addEventHandler']>[0] } {
  const log: string[] = [];
  return {
    log,
    handler: {
      onAdd: (o, initial) => log.push(`add ${o.metadata?.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (_old, o) => log.push(`update ${o.metadata?.name} ${o.data?.v ?? ''}`),
      onDelete: (o) => log.push(`delete ${o.metadata?.name}`),
    },
  };
}

describe('IndexedStore', () => {
  it('indexes, re-indexes on update and unindexes on remove', () => {
    const s = new IndexedStore<ConfigMap>({ byV: (o) => [o.data?.v ?? ''] });
    s.set('a', cm('a', { v: '1' }));
    s.set('b', cm('b', { v: '1' }));
    expect(s.byIndex('byV', '1').map((o) => o.metadata?.name).sort()).to.deep.equal(['a', 'b']);
    s.set('a', cm('a', { v: '2' }));
    expect(s.byIndex('byV', '1').map((o) => o.metadata?.name)).to.deep.equal(['b']);
    expect(s.byIndex('byV', '2').map((o) => o.metadata?.name)).to.deep.equal(['a']);
    s.remove('b');
    expect(s.byIndex('byV', '1')).to.deep.equal([]);
    expect(() => s.byIndex('nope', 'x')).to.throw(/no index/);
  });
  it('keys namespaced objects as namespace/name', () => {
    expect(objectKey({ metadata: { namespace: 'ns', name: 'a' } })).to.equal('ns/a');
    expect(objectKey({ metadata: { name: 'node1' } })).to.equal('node1');
  });
});

describe('Informer (real API server process)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  const informers: Informer<ConfigMap>[] = [];
  const make = (extra: Partial<ConstructorParameters<typeof Informer<ConfigMap>>[0]> = {}): Informer<ConfigMap> => {
    const inf = new Informer<ConfigMap>({ client: c.client, path: cms, minBackoffMs: 50, maxBackoffMs: 500, ...extra });
    informers.push(inf);
    return inf;
  };

  before(async () => {
    c = await startProcessCluster();
  });
  afterEach(async () => {
    for (const i of informers.splice(0)) await i.stop();
  });
  after(async () => {
    await c?.close();
  });

  it('lists, then follows adds, updates and deletes in order', async () => {
    await c.client.request('POST', cms, { body: cm('one') });
    const inf = make();
    const r = recorder();
    inf.addEventHandler(r.handler);
    inf.start();
    await inf.waitForSync();
    expect(inf.hasSynced()).to.equal(true);
    expect(r.log).to.deep.equal(['add one (initial)']);
    expect(inf.store.get('default/one')?.kind).to.equal('ConfigMap');
    await c.client.request('POST', cms, { body: cm('two') });
    await c.client.request('PUT', `${cms}/one`, { body: { ...inf.store.get('default/one'), data: { v: '2' } } });
    await c.client.request('DELETE', `${cms}/two`);
    await eventually(() => r.log.length === 4, 'four events');
    expect(r.log).to.deep.equal(['add one (initial)', 'add two', 'update one 2', 'delete two']);
    expect(inf.store.keys()).to.deep.equal(['default/one']);
    expect(Number(inf.lastSyncResourceVersion())).to.be.greaterThan(0);
    await c.client.request('DELETE', `${cms}/one`);
  });

  it('filters by label selector and keeps indexes', async () => {
    await c.client.request('POST', cms, { body: cm('red1', { v: 'x' }, { color: 'red' }) });
    await c.client.request('POST', cms, { body: cm('blue1', { v: 'x' }, { color: 'blue' }) });
    const inf = make({ labelSelector: 'color=red', indexers: { byV: (o) => [o.data?.v ?? ''] } });
    inf.start();
    await inf.waitForSync();
    await c.client.request('POST', cms, { body: cm('red2', { v: 'y' }, { color: 'red' }) });
    await eventually(() => inf.store.size === 2, 'two red config maps');
    expect(inf.store.byIndex('byV', 'x').map((o) => o.metadata?.name)).to.deep.equal(['red1']);
    expect(inf.store.byIndex('byV', 'y').map((o) => o.metadata?.name)).to.deep.equal(['red2']);
    // A handler added late is told about what is already there.
    const r = recorder();
    inf.addEventHandler(r.handler);
    expect(r.log.sort()).to.deep.equal(['add red1', 'add red2']);
    for (const n of ['red1', 'red2', 'blue1']) await c.client.request('DELETE', `${cms}/${n}`);
  });

  it('resumes after an API server restart and relists on 410, turning what it missed into events', async () => {
    await c.client.request('POST', cms, { body: cm('keep') });
    await c.client.request('POST', cms, { body: cm('vanish') });
    const inf = make();
    const r = recorder();
    inf.addEventHandler(r.handler);
    inf.start();
    await inf.waitForSync();
    expect(r.log.sort()).to.deep.equal(['add keep (initial)', 'add vanish (initial)']);
    r.log.length = 0;

    // A write the informer does not watch moves etcd's revision past the informer's.
    await c.client.request('POST', '/api/v1/namespaces/default/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bump' }, stringData: { a: 'b' } } });
    await c.stopApiServer();
    // Behind the API server's back: the informer cannot see this as a watch event.
    const etcd = new Etcd3({ hosts: c.etcd.endpoint });
    try {
      const deleted = await etcd.delete().key('/registry/configmaps/default/vanish').exec();
      expect(Number(deleted.deleted)).to.equal(1);
    } finally {
      etcd.close();
    }
    await c.startApiServer();
    await c.client.request('POST', cms, { body: cm('after') });
    await eventually(() => r.log.includes('add after') && r.log.includes('delete vanish'), 'the relist to reconcile');
    expect(inf.stats.relists).to.be.greaterThan(0);
    expect(inf.store.keys().sort()).to.deep.equal(['default/after', 'default/keep']);
    // And it keeps following.
    await c.client.request('DELETE', `${cms}/after`);
    await eventually(() => r.log.includes('delete after'), 'delete after the relist');
    await c.client.request('DELETE', `${cms}/keep`);
  });

  it('keeps retrying while the API server is down and catches up when it returns', async () => {
    const inf = make();
    const r = recorder();
    inf.addEventHandler(r.handler);
    inf.start();
    await inf.waitForSync();
    await c.stopApiServer();
    await new Promise((res) => setTimeout(res, 400));
    await c.startApiServer();
    await c.client.request('POST', cms, { body: cm('later') });
    await eventually(() => r.log.includes('add later'), 'the add made after the outage');
    expect(inf.stats.failures).to.be.greaterThan(0);
    await c.client.request('DELETE', `${cms}/later`);
  });
});
