// Leader election against a real API server process: two candidates with an injected
// clock for expiry, fencing by resourceVersion (a stale write gets 409 and loses), and the
// run loop handing over leadership on stop.

import { expect } from 'chai';
import { FakeClock } from '../clock.js';
import { startProcessCluster, type ProcessCluster } from '../testing/cluster.js';
import { LeaderElector, microTime, type Lease, type LeaderElectionConfig } from './leaderElection.js';
import type { RestClient, RestResponse } from './restClient.js';

const noCallbacks = { onStartedLeading: () => undefined, onStoppedLeading: () => undefined };

describe('leader election config', () => {
  const cases: { name: string; cfg: Partial<LeaderElectionConfig>; error: RegExp }[] = [
    { name: 'lease must outlast the renew deadline', cfg: { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }, error: /leaseDuration must be greater/ },
    { name: 'renew deadline must exceed jittered retry', cfg: { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }, error: /renewDeadline must be greater/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(() => new LeaderElector({ client: {} as RestClient, namespace: 'x', name: 'y', callbacks: noCallbacks, ...tc.cfg })).to.throw(tc.error);
    });
  }
  it('writes MicroTime with microseconds', () => {
    expect(microTime(Date.parse('2026-01-01T00:00:01.234Z'))).to.equal('2026-01-01T00:00:01.234000Z');
  });
});

describe('leader election on a Lease (real API server process)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let seq = 0;
  const leasePath = (name: string): string => `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`;

  before(async () => {
    c = await startProcessCluster();
  });
  after(async () => {
    await c?.close();
  });

  const elector = (name: string, identity: string, clock: FakeClock, client: RestClient = c.client): LeaderElector =>
    new LeaderElector({ client, namespace: 'kube-system', name, identity, clock, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, callbacks: noCallbacks });

  it('the first candidate creates and holds the lease; the second waits out the lease duration', async () => {
    const name = `lease-${++seq}`;
    const clockA = new FakeClock();
    const clockB = new FakeClock();
    const a = elector(name, 'a', clockA);
    const b = elector(name, 'b', clockB);
    expect(await a.tryAcquireOrRenew()).to.equal(true);
    expect(a.isLeader()).to.equal(false); // not leading until run() says so
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    expect(b.getLeader()).to.equal('a');
    // A renews: the record changes, so B's wait starts again from when it saw the change.
    clockA.advance(5_000);
    clockB.advance(10_000);
    expect(await a.tryAcquireOrRenew()).to.equal(true);
    clockB.advance(10_000);
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    // A goes silent: 15 s after B last saw the record change, B takes over.
    clockB.advance(15_001);
    expect(await b.tryAcquireOrRenew()).to.equal(true);
    const lease = (await c.client.get<Lease>(leasePath(name))).body;
    expect(lease.spec.holderIdentity).to.equal('b');
    expect(lease.spec.leaseTransitions).to.equal(1);
    expect(lease.spec.leaseDurationSeconds).to.equal(15);
    // A comes back and finds the lease held by B.
    clockA.advance(1_000);
    expect(await a.tryAcquireOrRenew()).to.equal(false);
    expect(a.getLeader()).to.equal('b');
  });

  it('fences by resourceVersion: of two candidates that read the same lease, the later write gets 409', async () => {
    const name = `lease-${++seq}`;
    const clock = new FakeClock();
    const a = elector(name, 'a', clock);
    const seed = elector(name, 'old-holder', clock);
    expect(await seed.tryAcquireOrRenew()).to.equal(true);
    // B reads, then waits until A has written before sending its own write.
    let aWrote!: () => void;
    const aDone = new Promise<void>((r) => (aWrote = r));
    const statuses: number[] = [];
    const slowClient = {
      get: (path: string, o?: object) => c.client.get(path, o),
      request: async (method: string, path: string, o?: object): Promise<RestResponse> => {
        if (method === 'PUT') await aDone;
        const r = await c.client.request(method, path, o);
        if (method === 'PUT') statuses.push(r.status);
        return r;
      },
    } as unknown as RestClient;
    const b = elector(name, 'b', clock, slowClient);
    // Each candidate first sees the old holder's record now, and must wait the lease out from here.
    expect(await a.tryAcquireOrRenew()).to.equal(false);
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    clock.advance(16_000);
    const bAttempt = b.tryAcquireOrRenew();
    await new Promise((r) => setTimeout(r, 200)); // b has read the lease and is held before its PUT
    const aWon = await a.tryAcquireOrRenew();
    aWrote();
    const bWon = await bAttempt;
    expect(aWon).to.equal(true);
    expect(bWon).to.equal(false);
    expect(statuses).to.deep.equal([409]);
    expect((await c.client.get<Lease>(leasePath(name))).body.spec.holderIdentity).to.equal('a');
  });

  it('racing candidates: exactly one wins each contested round', async () => {
    const name = `lease-${++seq}`;
    for (let round = 0; round < 5; round++) {
      const clock = new FakeClock();
      const cands = ['x', 'y', 'z'].map((id) => elector(`${name}-${round}`, id, clock));
      const won = await Promise.all(cands.map((e) => e.tryAcquireOrRenew()));
      expect(won.filter(Boolean)).to.have.length(1);
    }
  });

  it('run(): one leader at a time; stop() releases and the other takes over', async () => {
    const name = `lease-${++seq}`;
    const events: string[] = [];
    const make = (id: string): LeaderElector =>
      new LeaderElector({
        client: c.client,
        namespace: 'kube-system',
        name,
        identity: id,
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 200,
        callbacks: { onStartedLeading: () => events.push(`${id} leads`), onStoppedLeading: () => events.push(`${id} stopped`) },
      });
    const a = make('a');
    const b = make('b');
    void a.run();
    await waitFor(() => events.includes('a leads'));
    void b.run();
    await new Promise((r) => setTimeout(r, 800));
    expect(events).to.deep.equal(['a leads']);
    expect(a.isLeader()).to.equal(true);
    expect(b.isLeader()).to.equal(false);
    await a.stop();
    expect(a.isLeader()).to.equal(false);
    await waitFor(() => events.includes('b leads'));
    expect(events).to.deep.equal(['a leads', 'a stopped', 'b leads']);
    await b.stop();
    const lease = (await c.client.get<Lease>(leasePath(name))).body;
    expect(lease.spec.holderIdentity).to.equal('');
  });
});

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
