// The informer against a real API server process and etcd: initial list, watch events,
// indexes, resuming after the API server restarts, and relisting on 410 (objects changed
// behind its back are reconciled into adds and deletes), and a paged list whose continue
// token expires (etcd compacted between pages) listing again rather than reporting deletes.

import { expect } from 'chai';
import { Etcd3 } from 'etcd3';
import { startProcessCluster, type ProcessCluster } from '../testing/cluster.js';
import { IndexedStore, Informer, objectKey, type InformedObject } from './informer.js';
import { RestClient, type RequestOptions, type RestResponse } from './restClient.js';

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
  describe('addIndexer', () => {
    const byV = (o: ConfigMap): string[] => [o.data?.v ?? ''];
    const byKeys = (o: ConfigMap): string[] => Object.keys(o.data ?? {});
    const names = (os: ConfigMap[]): string[] => os.map((o) => o.metadata?.name ?? '').sort();
    const cases: { name: string; initial?: Record<string, (o: ConfigMap) => string[]>; add: [string, (o: ConfigMap) => string[]][]; error?: RegExp; query?: [string, string, string[]][] }[] = [
      { name: 'indexes the objects already stored', add: [['byV', byV]], query: [['byV', '1', ['a', 'c']], ['byV', '2', ['b']], ['byV', '3', []]] },
      { name: 'a function returning several values indexes the object under each', add: [['byKeys', byKeys]], query: [['byKeys', 'v', ['a', 'b', 'c']], ['byKeys', 'w', ['c']]] },
      { name: 'the same function under the same name again is a no-op', initial: { byV }, add: [['byV', byV]], query: [['byV', '1', ['a', 'c']]] },
      { name: 'another function under a taken name is an error', initial: { byV }, add: [['byV', (o) => [o.metadata?.name ?? '']]], error: /index named "byV" exists with another function/ },
      { name: 'two indexes side by side', initial: { byV }, add: [['byKeys', byKeys]], query: [['byV', '2', ['b']], ['byKeys', 'w', ['c']]] },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const s = new IndexedStore<ConfigMap>(tc.initial);
        s.set('a', cm('a', { v: '1' }));
        s.set('b', cm('b', { v: '2' }));
        s.set('c', cm('c', { v: '1', w: 'x' }));
        if (tc.error) {
          expect(() => { for (const [n, fn] of tc.add) s.addIndexer(n, fn); }).to.throw(tc.error);
          // The index already there keeps answering with its own function.
          expect(names(s.byIndex('byV', '1'))).to.deep.equal(['a', 'c']);
          return;
        }
        for (const [n, fn] of tc.add) s.addIndexer(n, fn);
        for (const [index, value, want] of tc.query ?? []) expect(names(s.byIndex(index, value)), `${index}=${value}`).to.deep.equal(want);
      });
    }
    it('keeps an index added later up to date on set and remove', () => {
      const s = new IndexedStore<ConfigMap>();
      s.set('a', cm('a', { v: '1' }));
      s.addIndexer('byV', byV);
      expect(s.hasIndexer('byV')).to.equal(true);
      s.set('a', cm('a', { v: '2' }));
      s.set('b', cm('b', { v: '2' }));
      expect(names(s.byIndex('byV', '1'))).to.deep.equal([]);
      expect(names(s.byIndex('byV', '2'))).to.deep.equal(['a', 'b']);
      s.remove('a');
      expect(names(s.byIndex('byV', '2'))).to.deep.equal(['b']);
    });
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

  /**
   * The real client, with a hook run after the first page of a paged list: the test changes
   * objects and compacts etcd there, so the next page's continue token is too old (410).
   */
  class BetweenPagesClient extends RestClient {
    betweenPages: (() => Promise<void>) | undefined;
    readonly listRequests: string[] = [];
    override async get<T = unknown>(path: string, o: RequestOptions = {}): Promise<RestResponse<T>> {
      const r = await super.get<T>(path, o);
      const q = o.query ?? {};
      this.listRequests.push(q.continue ? `continue ${r.status}` : q.limit ? `first page ${r.status}` : `full ${r.status}`);
      const hook = this.betweenPages;
      if (hook && q.limit && !q.continue) {
        this.betweenPages = undefined;
        await hook();
      }
      return r;
    }
  }

  const pagedCms = '/api/v1/namespaces/paged/configmaps';
  const names = (objs: { metadata?: { name?: string } }[]): string[] => objs.map((o) => o.metadata?.name ?? '').sort();
  const serverNames = async (): Promise<string[]> => names((await c.client.get<{ items: ConfigMap[] }>(pagedCms)).body.items);

  /** Deletes one object and creates another (so the list really changed), then compacts etcd to now. */
  const changeAndCompact = async (del: string, add: string): Promise<void> => {
    expect((await c.client.request('DELETE', `${pagedCms}/${del}`)).status).to.equal(200);
    const made = await c.client.request<ConfigMap>('POST', pagedCms, { body: cm(add) });
    expect(made.status).to.equal(201);
    const etcd = new Etcd3({ hosts: c.etcd.endpoint });
    try {
      await etcd.kv.compact({ revision: made.body.metadata!.resourceVersion!, physical: true });
    } finally {
      etcd.close();
    }
  };

  const pagedCases: { name: string; relist: boolean }[] = [
    { name: 'a paged initial list whose continue token expires lists again in full', relist: false },
    { name: 'a paged relist whose continue token expires lists again in full, reporting no spurious deletes', relist: true },
  ];
  for (const tc of pagedCases) {
    it(tc.name, async () => {
      await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paged' } } });
      const existing = await serverNames();
      for (let i = 0; i < 40; i++) if (!existing.includes(`cm-${i}`)) await c.client.request('POST', pagedCms, { body: cm(`cm-${i}`) });
      const client = new BetweenPagesClient(c.access);
      try {
        const inf = make({ client, path: pagedCms, pageSize: 7 });
        const r = recorder();
        inf.addEventHandler(r.handler);
        const victim = tc.relist ? 'cm-20' : 'cm-10';
        const added = tc.relist ? 'cm-relist' : 'cm-initial';
        if (!tc.relist) client.betweenPages = () => changeAndCompact(victim, added);
        inf.start();
        await inf.waitForSync();
        if (tc.relist) {
          expect(inf.store.size).to.equal((await serverNames()).length);
          r.log.length = 0;
          // Make the watch's resourceVersion too old: a write it does not watch, then an
          // API server restart (a fresh watch cache), so the resumed watch answers 410.
          await c.client.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm(`bump-${Date.now()}`) });
          await c.stopApiServer();
          client.betweenPages = () => changeAndCompact(victim, added);
          await c.startApiServer();
          await eventually(() => inf.stats.expiredContinues > 0 && r.log.includes(`add ${added}`), 'the relist after the expired continue token');
          expect(inf.stats.relists).to.be.greaterThan(0);
          // Only the object really deleted is reported deleted; everything else is unchanged.
          expect(r.log.filter((l) => l.startsWith('delete')), r.log.join(', ')).to.deep.equal([`delete ${victim}`]);
          expect(r.log.filter((l) => l.startsWith('add'))).to.deep.equal([`add ${added}`]);
        } else {
          expect(inf.stats.expiredContinues).to.equal(1);
          expect(r.log.filter((l) => l.startsWith('delete'))).to.deep.equal([]);
          expect(r.log).to.include(`add ${added} (initial)`);
          expect(r.log).not.to.include(`add ${victim} (initial)`);
        }
        expect(client.listRequests).to.include.members(['first page 200', 'continue 410', 'full 200']);
        expect(names(inf.store.list())).to.deep.equal(await serverNames());
        // And it keeps following.
        await c.client.request('DELETE', `${pagedCms}/${added}`);
        await eventually(() => r.log.includes(`delete ${added}`), 'a delete after the list');
        await c.client.request('POST', pagedCms, { body: cm(victim) });
      } finally {
        client.close();
      }
    });
  }
});
