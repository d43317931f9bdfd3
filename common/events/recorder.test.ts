// The recorder against a real etcd and API server: what an Event carries, repeats counted on
// one Event, a deleted Event written again, bursts dropped and counted, an unreachable server
// counted as failures; never a throw or a wait in the caller.

import { expect } from 'chai';
import type { KubeObject } from '../api/meta.js';
import { resourceFor } from '../api/resources.js';
import { ApiClient } from '../client/apiClient.js';
import { RestClient } from '../client/restClient.js';
import { FakeClock } from '../clock.js';
import { freePort } from '../proc/ports.js';
import { startProcessCluster, type ProcessCluster } from '../testing/cluster.js';
import { eventsAbout as eventsAboutObject } from '../testing/events.js';
import { ApiEventRecorder, type CoreEvent } from './recorder.js';

const events = resourceFor('Event');

describe('ApiEventRecorder against a real API server', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let api: ApiClient;
  let seq = 0;

  before(async () => {
    c = await startProcessCluster();
    api = new ApiClient({ client: c.client, qps: 0, burst: 1 });
  });
  after(async () => {
    await c?.close();
  });

  const pod = (): KubeObject => {
    const name = `pod-${++seq}`;
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '42' } };
  };
  const eventsAbout = async (name: string): Promise<CoreEvent[]> => (await api.list<CoreEvent>(events, undefined, { fieldSelector: `involvedObject.name=${name}` })).items;
  const recorder = (clock = new FakeClock(Date.parse('2026-12-07T04:00:00Z')), more: Partial<ConstructorParameters<typeof ApiEventRecorder>[0]> = {}): ApiEventRecorder =>
    new ApiEventRecorder({ api, component: 'test-controller', instance: 'test-1', host: 'host-a', action: 'Testing', clock, ...more });

  it('writes a core/v1 Event with the object, source, reporter and times', async () => {
    const r = recorder();
    const p = pod();
    r.event(p, 'Warning', 'FailedThing', 'it failed', { fieldPath: 'spec.containers{app}' });
    await r.flush();
    const [ev, ...rest] = await eventsAbout(p.metadata.name!);
    expect(rest).to.have.length(0);
    expect(ev!.metadata.name).to.match(new RegExp(`^${p.metadata.name}\\.[0-9a-f]{16}$`));
    expect(ev!.metadata.namespace).to.equal('default');
    expect(ev!.involvedObject).to.deep.equal({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: p.metadata.name, uid: p.metadata.uid, resourceVersion: '42', fieldPath: 'spec.containers{app}' });
    expect(ev).to.include({ type: 'Warning', reason: 'FailedThing', message: 'it failed', count: 1, reportingComponent: 'test-controller', reportingInstance: 'test-1', action: 'Testing' });
    expect(ev!.source).to.deep.equal({ component: 'test-controller', host: 'host-a' });
    expect(ev!.firstTimestamp).to.equal('2026-12-07T04:00:00Z');
    expect(ev!.lastTimestamp).to.equal('2026-12-07T04:00:00Z');
    expect(ev!.eventTime).to.equal('2026-12-07T04:00:00.000000Z');
    expect(r.stats).to.include({ written: 1, failed: 0, dropped: 0 });
    // The test helper finds it by uid (and by reason), and not for another object of the same name.
    expect((await eventsAboutObject(api, p, 'FailedThing')).map((e) => e.metadata.name)).to.deep.equal([ev!.metadata.name]);
    expect(await eventsAboutObject(api, p, 'Other')).to.deep.equal([]);
    expect(await eventsAboutObject(api, { ...p, metadata: { ...p.metadata, uid: 'another-uid' } })).to.deep.equal([]);
  });

  it('counts repeats on one Event, by PATCH', async () => {
    const clock = new FakeClock(Date.parse('2026-12-07T04:00:00Z'));
    const r = recorder(clock);
    const p = pod();
    r.event(p, 'Normal', 'Pulled', 'pulled');
    await r.flush();
    for (let i = 0; i < 3; i++) {
      clock.advance(10_000);
      r.event(p, 'Normal', 'Pulled', 'pulled');
      await r.flush();
    }
    r.event(p, 'Normal', 'Started', 'started');
    await r.flush();
    const all = await eventsAbout(p.metadata.name!);
    expect(all.map((e) => e.reason).sort()).to.deep.equal(['Pulled', 'Started']);
    const pulled = all.find((e) => e.reason === 'Pulled')!;
    expect(pulled).to.include({ count: 4, firstTimestamp: '2026-12-07T04:00:00Z', lastTimestamp: '2026-12-07T04:00:30Z' });
    expect(pulled.series).to.deep.equal({ count: 4, lastObservedTime: '2026-12-07T04:00:30.000000Z' });
    expect(r.stats).to.include({ counted: 3, written: 5 });
  });

  it('coalesces repeats still queued into one write, and never blocks the caller', async () => {
    const r = recorder(undefined, { concurrency: 1 });
    const p = pod();
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) r.event(p, 'Normal', 'Tick', 'tick');
    expect(Date.now() - t0).to.be.lessThan(50);
    await r.flush();
    const [ev, ...rest] = await eventsAbout(p.metadata.name!);
    expect(rest).to.have.length(0);
    expect(ev!.count).to.equal(20);
    expect(r.stats.written).to.be.lessThan(20);
    expect(r.stats.coalesced).to.be.greaterThan(0);
  });

  it('writes a counted Event whole again when it was deleted', async () => {
    const r = recorder();
    const p = pod();
    r.event(p, 'Normal', 'Again', 'again');
    await r.flush();
    const [first] = await eventsAbout(p.metadata.name!);
    await api.delete(events, 'default', first!.metadata.name!);
    r.event(p, 'Normal', 'Again', 'again');
    await r.flush();
    const [second, ...rest] = await eventsAbout(p.metadata.name!);
    expect(rest).to.have.length(0);
    expect(second).to.include({ count: 2, reason: 'Again' });
    expect(r.stats.failed).to.equal(0);
  });

  it('writes events about cluster-scoped objects in default', async () => {
    const r = recorder();
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${++seq}`, uid: 'node-uid' } };
    r.event(node, 'Normal', 'NodeReady', 'ready');
    await r.flush();
    const [ev] = await eventsAbout(node.metadata.name!);
    expect(ev!.metadata.namespace).to.equal('default');
    expect(ev!.involvedObject).to.deep.equal({ kind: 'Node', apiVersion: 'v1', name: node.metadata.name, uid: 'node-uid' });
  });

  it('drops and counts a burst beyond the queue, and spam beyond the per-object budget', async () => {
    const results: string[] = [];
    const r = recorder(undefined, { maxQueued: 5, concurrency: 1, onResult: (x) => results.push(x) });
    const objs = Array.from({ length: 20 }, pod);
    for (const o of objs) r.event(o, 'Normal', 'Burst', 'burst');
    await r.flush();
    // One write starts at once and five wait; the rest find the queue full.
    expect(r.stats.dropped).to.equal(14);
    expect(r.stats.written).to.equal(6);
    expect(results.filter((x) => x === 'dropped')).to.have.length(14);

    const spammy = recorder(undefined, { correlator: { spamBurst: 3 } });
    const p = pod();
    for (let i = 0; i < 10; i++) spammy.event(p, 'Warning', 'Spam', `message ${i}`);
    await spammy.flush();
    expect(spammy.stats.spamFiltered).to.equal(7);
    expect(await eventsAbout(p.metadata.name!)).to.have.length(3);
  });

  it('counts failures when the API server cannot be reached, without throwing', async () => {
    const nowhere = new RestClient({ ...c.access, server: `https://127.0.0.1:${await freePort()}` });
    try {
      const r = new ApiEventRecorder({ api: new ApiClient({ client: nowhere }), component: 'x', instance: 'x' });
      r.event(pod(), 'Normal', 'Lost', 'lost');
      await r.flush();
      expect(r.stats).to.include({ failed: 1, written: 0 });
    } finally {
      nowhere.close();
    }
  });
});
