import { expect } from 'chai';
import { Registry } from 'prom-client';
import { FakeClock, settle } from '../clock.js';
import { RateLimitingQueue } from './workqueue.js';

/** Takes what get() resolves to right now, or 'pending' if it would wait. */
async function poll(q: RateLimitingQueue<string>): Promise<string | undefined | 'pending'> {
  let got: string | undefined | 'pending' = 'pending';
  let resolved = false;
  void q.get().then((k) => {
    resolved = true;
    got = k;
  });
  await settle();
  if (!resolved) throw new Error('poll() left a waiting get(); use drainNow() only when keys are queued');
  return got;
}

/** Every key get() hands out at once, in order (marking none done). */
async function drainNow(q: RateLimitingQueue<string>): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) out.push((await q.get())!);
  return out;
}

type Op =
  | { add: string }
  | { addAfter: string; ms: number }
  | { addRateLimited: string }
  | { forget: string }
  | { advance: number }
  | { take: string[] } // get() these, in order, now
  | { done: string }
  | { len: number; delayed?: number };

const cases: { name: string; ops: Op[] }[] = [
  {
    name: 'de-duplicates a key added while it waits',
    ops: [{ add: 'a' }, { add: 'b' }, { add: 'a' }, { add: 'a' }, { len: 2 }, { take: ['a', 'b'] }, { len: 0 }],
  },
  {
    name: 'holds back a key added while it is processed, and queues it again on done()',
    ops: [{ add: 'a' }, { take: ['a'] }, { add: 'a' }, { add: 'a' }, { len: 0 }, { add: 'b' }, { take: ['b'] }, { done: 'a' }, { len: 1 }, { take: ['a'] }, { done: 'a' }, { len: 0 }],
  },
  {
    name: 'keeps FIFO order among distinct keys',
    ops: [{ add: 'c' }, { add: 'a' }, { add: 'b' }, { take: ['c', 'a', 'b'] }],
  },
  {
    name: 'addAfter holds a key until its time on the clock',
    ops: [{ addAfter: 'a', ms: 100 }, { len: 0, delayed: 1 }, { advance: 99 }, { len: 0 }, { advance: 1 }, { len: 1, delayed: 0 }, { take: ['a'] }],
  },
  {
    name: 'addAfter: the earlier of two times for one key wins',
    ops: [{ addAfter: 'a', ms: 500 }, { addAfter: 'a', ms: 100 }, { addAfter: 'a', ms: 300 }, { len: 0, delayed: 1 }, { advance: 100 }, { take: ['a'] }, { done: 'a' }, { advance: 1_000 }, { len: 0, delayed: 0 }],
  },
  {
    name: 'addAfter releases keys in due order, not call order',
    ops: [{ addAfter: 'late', ms: 30 }, { addAfter: 'early', ms: 10 }, { addAfter: 'mid', ms: 20 }, { advance: 30 }, { take: ['early', 'mid', 'late'] }],
  },
  {
    name: 'addAfter with no delay adds at once',
    ops: [{ addAfter: 'a', ms: 0 }, { addAfter: 'b', ms: -5 }, { len: 2 }, { take: ['a', 'b'] }],
  },
  {
    name: 'a delayed add of a key already waiting does not queue it twice',
    ops: [{ add: 'a' }, { addAfter: 'a', ms: 10 }, { advance: 10 }, { len: 1 }, { take: ['a'] }],
  },
  {
    name: 'addRateLimited backs a failing key off 5, 10, 20 ms; forget() starts it over',
    ops: [
      { add: 'a' },
      { take: ['a'] },
      { addRateLimited: 'a' },
      { done: 'a' },
      { advance: 4 },
      { len: 0 },
      { advance: 1 },
      { take: ['a'] },
      { addRateLimited: 'a' },
      { done: 'a' },
      { advance: 9 },
      { len: 0 },
      { advance: 1 },
      { take: ['a'] },
      { addRateLimited: 'a' },
      { done: 'a' },
      { advance: 19 },
      { len: 0 },
      { advance: 1 },
      { take: ['a'] },
      { forget: 'a' },
      { addRateLimited: 'a' },
      { done: 'a' },
      { advance: 5 },
      { take: ['a'] },
    ],
  },
];

describe('RateLimitingQueue', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const clock = new FakeClock(0);
      const q = new RateLimitingQueue<string>({ name: 'test', clock });
      for (const [i, op] of tc.ops.entries()) {
        const at = `op ${i} ${JSON.stringify(op)}`;
        if ('add' in op) q.add(op.add);
        else if ('addAfter' in op) q.addAfter(op.addAfter, op.ms);
        else if ('addRateLimited' in op) q.addRateLimited(op.addRateLimited);
        else if ('forget' in op) q.forget(op.forget);
        else if ('advance' in op) clock.advance(op.advance);
        else if ('done' in op) q.done(op.done);
        else if ('take' in op) expect(await drainNow(q), at).to.deep.equal(op.take);
        else {
          expect(q.len(), at).to.equal(op.len);
          if (op.delayed !== undefined) expect(q.delayedLen(), at).to.equal(op.delayed);
        }
      }
      q.shutDown();
      expect(clock.pendingTimers(), 'timers left after shutDown').to.equal(0);
    });
  }

  it('counts requeues per key until forgotten', () => {
    const clock = new FakeClock(0);
    const q = new RateLimitingQueue<string>({ name: 'test', clock });
    q.addRateLimited('a');
    q.addRateLimited('a');
    q.addRateLimited('b');
    expect([q.numRequeues('a'), q.numRequeues('b'), q.numRequeues('c')]).to.deep.equal([2, 1, 0]);
    q.forget('a');
    expect(q.numRequeues('a')).to.equal(0);
    q.shutDown();
  });

  it('applies the global bucket across keys: after the burst, retries are spaced 1/qps apart', async () => {
    const clock = new FakeClock(0);
    const q = new RateLimitingQueue<string>({ name: 'test', clock, rateLimits: { qps: 10, burst: 2 } });
    for (const k of ['a', 'b', 'c', 'd']) q.addRateLimited(k);
    clock.advance(5);
    expect(await drainNow(q)).to.deep.equal(['a', 'b']);
    clock.advance(94);
    expect(q.len()).to.equal(0);
    clock.advance(1);
    expect(await drainNow(q)).to.deep.equal(['c']);
    clock.advance(100);
    expect(await drainNow(q)).to.deep.equal(['d']);
    q.shutDown();
  });

  it('hands a waiting worker the next key, and never the same key to two workers', async () => {
    const clock = new FakeClock(0);
    const q = new RateLimitingQueue<string>({ name: 'test', clock });
    const w1 = q.get();
    const w2 = q.get();
    let w2got: string | undefined;
    void w2.then((k) => (w2got = k));
    q.add('a');
    expect(await w1).to.equal('a');
    q.add('a'); // while w1 works on it
    await settle();
    expect(w2got, 'second worker must not get a key in progress').to.equal(undefined);
    q.done('a');
    await settle();
    expect(w2got).to.equal('a');
    q.done('a');
    q.shutDown();
  });

  it('runs workers on distinct keys concurrently but each key serially (many workers, many adds)', async () => {
    const clock = new FakeClock(0);
    const q = new RateLimitingQueue<string>({ name: 'test', clock });
    const busy = new Set<string>();
    let overlaps = 0;
    let maxParallel = 0;
    const processed: string[] = [];
    const worker = async (): Promise<void> => {
      for (let k = await q.get(); k !== undefined; k = await q.get()) {
        if (busy.has(k)) overlaps++;
        busy.add(k);
        maxParallel = Math.max(maxParallel, busy.size);
        await settle();
        busy.delete(k);
        processed.push(k);
        q.done(k);
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    for (let round = 0; round < 20; round++) {
      for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
      await settle();
    }
    await q.shutDownWithDrain();
    await Promise.all(workers);
    expect(overlaps).to.equal(0);
    expect(maxParallel).to.be.within(2, 4);
    for (const k of ['a', 'b', 'c', 'd', 'e']) expect(processed, k).to.include(k);
  });

  it('shutDown: refuses adds, drops delayed keys, drains what is queued, then get() yields undefined', async () => {
    const clock = new FakeClock(0);
    const q = new RateLimitingQueue<string>({ name: 'test', clock });
    q.add('a');
    q.add('b');
    q.addAfter('later', 50);
    q.addRateLimited('retry');
    q.shutDown();
    expect(clock.pendingTimers()).to.equal(0);
    q.add('c');
    q.addAfter('d', 1);
    q.addRateLimited('e');
    clock.advance(1_000);
    expect(await poll(q)).to.equal('a');
    expect(await poll(q)).to.equal('b');
    expect(await poll(q)).to.equal(undefined);
    expect(await poll(q)).to.equal(undefined);
  });

  it('shutDown wakes idle workers with undefined', async () => {
    const q = new RateLimitingQueue<string>({ name: 'test', clock: new FakeClock(0) });
    const waiting = [q.get(), q.get()];
    q.shutDown();
    expect(await Promise.all(waiting)).to.deep.equal([undefined, undefined]);
  });

  it('shutDownWithDrain resolves only when every handed-out key is done', async () => {
    const q = new RateLimitingQueue<string>({ name: 'test', clock: new FakeClock(0) });
    q.add('a');
    q.add('b');
    const a = (await q.get())!;
    const b = (await q.get())!;
    let drained = false;
    const p = q.shutDownWithDrain().then(() => (drained = true));
    q.done(a);
    await settle();
    expect(drained).to.equal(false);
    q.done(b);
    await p;
    expect(drained).to.equal(true);
  });

  it('reports depth, adds, retries and durations to the injected registry, per queue name', async () => {
    const clock = new FakeClock(0);
    const registry = new Registry();
    const q1 = new RateLimitingQueue<string>({ name: 'one', clock, registry });
    const q2 = new RateLimitingQueue<string>({ name: 'two', clock, registry });
    q1.add('a');
    q1.add('a');
    q1.add('b');
    q2.add('x');
    const value = async (metric: string, name: string): Promise<number | undefined> => {
      const m = await registry.getSingleMetric(metric)!.get();
      return m.values.find((v) => v.labels.name === name && (v as { metricName?: string }).metricName !== `${metric}_bucket`)?.value;
    };
    expect(await value('workqueue_depth', 'one')).to.equal(2);
    expect(await value('workqueue_depth', 'two')).to.equal(1);
    expect(await value('workqueue_adds_total', 'one')).to.equal(2);
    clock.advance(1_500);
    const a = (await q1.get())!;
    clock.advance(250);
    expect(await value('workqueue_longest_running_processor_seconds', 'one')).to.equal(0.25);
    expect(await value('workqueue_unfinished_work_seconds', 'one')).to.equal(0.25);
    q1.done(a);
    q1.addRateLimited('c');
    expect(await value('workqueue_depth', 'one')).to.equal(1);
    expect(await value('workqueue_retries_total', 'one')).to.equal(1);
    const hist = async (metric: string): Promise<{ count: number; sum: number }> => {
      const m = await registry.getSingleMetric(metric)!.get();
      const pick = (suffix: string): number => m.values.find((v) => v.labels.name === 'one' && (v as { metricName?: string }).metricName === `${metric}${suffix}`)!.value;
      return { count: pick('_count'), sum: pick('_sum') };
    };
    expect(await hist('workqueue_queue_duration_seconds')).to.deep.equal({ count: 1, sum: 1.5 });
    expect(await hist('workqueue_work_duration_seconds')).to.deep.equal({ count: 1, sum: 0.25 });
    expect(await registry.metrics()).to.include('workqueue_adds_total{name="two"} 1');
    q1.shutDown();
    q2.shutDown();
  });
});
