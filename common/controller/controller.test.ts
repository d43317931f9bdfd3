import { expect } from 'chai';
import { Registry } from 'prom-client';
import { FakeClock, settle } from '../clock.js';
import { ConflictError } from '../errors.js';
import { silentLogger } from '../logging.js';
import { Controller } from './controller.js';
import { memoryLogger } from './testLogger.js';
import { keyString, TerminalError, type ObjectKey, type ReconcileResult } from './types.js';

type Outcome = 'ok' | 'fail' | 'terminal' | 'conflict' | { requeueAfterMs: number };

/** A reconciler that answers from a script per key and records when it was called. */
function scripted(script: Record<string, Outcome[]>, clock: FakeClock) {
  const calls: { key: string; at: number }[] = [];
  return {
    calls,
    reconciler: {
      async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
        const k = keyString(key);
        calls.push({ key: k, at: clock.now() });
        const next = script[k]?.shift() ?? 'ok';
        if (next === 'fail') throw new Error(`boom ${k}`);
        if (next === 'conflict') throw new ConflictError({ group: 'apps', resource: 'replicasets', name: k }, 'the object has been modified');
        if (next === 'terminal') throw new TerminalError(`invalid ${k}`);
        if (typeof next === 'object') return next;
      },
    },
  };
}

async function run(clock: FakeClock, ms: number): Promise<void> {
  await settle();
  await clock.advanceAsync(ms);
  await settle();
}

describe('Controller', () => {
  const cases: { name: string; script: Outcome[]; runMs: number; wantAt: number[]; wantRequeues: number }[] = [
    { name: 'success reconciles once and forgets the key', script: ['ok'], runMs: 10_000, wantAt: [0], wantRequeues: 0 },
    { name: 'errors retry with per-key back-off 5, 10, 20 ms, then success forgets', script: ['fail', 'fail', 'fail', 'ok'], runMs: 10_000, wantAt: [0, 5, 15, 35], wantRequeues: 0 },
    { name: 'a conflict is retried like any error', script: ['conflict', 'ok'], runMs: 10_000, wantAt: [0, 5], wantRequeues: 0 },
    { name: 'a TerminalError is not retried', script: ['fail', 'terminal'], runMs: 10_000, wantAt: [0, 5], wantRequeues: 0 },
    { name: 'requeueAfterMs looks again after that long', script: [{ requeueAfterMs: 1_000 }, { requeueAfterMs: 500 }, 'ok'], runMs: 10_000, wantAt: [0, 1_000, 1_500], wantRequeues: 0 },
    { name: 'a failing key keeps backing off', script: Array<Outcome>(6).fill('fail'), runMs: 150, wantAt: [0, 5, 15, 35, 75], wantRequeues: 5 },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const clock = new FakeClock(0);
      const s = scripted({ 'ns/a': [...tc.script] }, clock);
      const c = new Controller({ registration: { name: 'test', reconciler: s.reconciler, watch: () => {} }, logger: silentLogger(), clock });
      c.start();
      c.enqueue({ namespace: 'ns', name: 'a' });
      await run(clock, tc.runMs);
      expect(s.calls.map((x) => x.at)).to.deep.equal(tc.wantAt);
      expect(c.queue.numRequeues('ns/a')).to.equal(tc.wantRequeues);
      await c.stop();
    });
  }

  it('logs failures with controller and key fields, terminal ones as not retried', async () => {
    const clock = new FakeClock(0);
    const { logger, entries } = memoryLogger();
    const s = scripted({ 'ns/a': ['fail', 'terminal'], 'ns/b': ['conflict'] }, clock);
    const c = new Controller({ registration: { name: 'rs', reconciler: s.reconciler, watch: () => {} }, logger, clock });
    c.start();
    c.enqueue({ namespace: 'ns', name: 'a' });
    c.enqueue({ namespace: 'ns', name: 'b' });
    await run(clock, 1_000);
    await c.stop();
    const failures = entries.filter((e) => e.key).map((e) => ({ level: e.level, message: e.message, controller: e.controller, key: e.key, error: e.error }));
    expect(failures).to.deep.equal([
      { level: 'error', message: 'reconcile failed; retrying', controller: 'rs', key: 'ns/a', error: 'boom ns/a' },
      { level: 'debug', message: 'reconcile conflicted; retrying', controller: 'rs', key: 'ns/b', error: 'Operation cannot be fulfilled on replicasets.apps "ns/b": the object has been modified' },
      { level: 'error', message: 'reconcile failed; not retrying', controller: 'rs', key: 'ns/a', error: 'invalid ns/a' },
    ]);
  });

  it('never reconciles one key concurrently, and looks again at a key changed during its reconcile', async () => {
    const clock = new FakeClock(0);
    const inFlight = new Set<string>();
    let overlaps = 0;
    const calls: string[] = [];
    const release: (() => void)[] = [];
    const c = new Controller({
      registration: {
        name: 'test',
        workers: 4,
        reconciler: {
          async reconcile(key) {
            const k = keyString(key);
            if (inFlight.has(k)) overlaps++;
            inFlight.add(k);
            calls.push(k);
            await new Promise<void>((r) => release.push(r));
            inFlight.delete(k);
          },
        },
        watch: () => {},
      },
      logger: silentLogger(),
      clock,
    });
    c.start();
    c.enqueue({ name: 'a' });
    c.enqueue({ name: 'b' });
    await settle();
    expect(calls).to.deep.equal(['a', 'b']); // two workers, two keys, at once
    c.enqueue({ name: 'a' });
    c.enqueue({ name: 'a' });
    await settle();
    expect(calls, 'a must wait for its reconcile in progress').to.deep.equal(['a', 'b']);
    release.shift()!();
    await settle();
    expect(calls).to.deep.equal(['a', 'b', 'a']); // once, for both adds
    while (release.length) {
      release.shift()!();
      await settle();
    }
    await c.stop();
    expect(overlaps).to.equal(0);
    expect(calls).to.deep.equal(['a', 'b', 'a']);
  });

  it('stop() waits for reconciles in progress and then ends the workers', async () => {
    const clock = new FakeClock(0);
    let finish: (() => void) | undefined;
    let finished = false;
    const c = new Controller({
      registration: {
        name: 'test',
        reconciler: {
          async reconcile() {
            await new Promise<void>((r) => (finish = r));
            finished = true;
          },
        },
        watch: () => {},
      },
      logger: silentLogger(),
      clock,
    });
    c.start();
    c.enqueue({ name: 'a' });
    await settle();
    let stopped = false;
    const p = c.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).to.equal(false);
    finish!();
    await p;
    expect(finished).to.equal(true);
    c.enqueue({ name: 'late' });
    expect(c.queue.len()).to.equal(0);
  });

  it('counts reconciles by result in the injected registry', async () => {
    const clock = new FakeClock(0);
    const registry = new Registry();
    const s = scripted({ a: ['fail', 'ok'], b: ['terminal'], c: [{ requeueAfterMs: 10_000 }] }, clock);
    const c = new Controller({ registration: { name: 'x', reconciler: s.reconciler, watch: () => {} }, logger: silentLogger(), clock, registry });
    c.start();
    for (const name of ['a', 'b', 'c']) c.enqueue({ name });
    await run(clock, 100);
    await c.stop();
    const text = await registry.metrics();
    for (const line of [
      'controller_reconcile_total{controller="x",result="success"} 1',
      'controller_reconcile_total{controller="x",result="error"} 1',
      'controller_reconcile_total{controller="x",result="terminal_error"} 1',
      'controller_reconcile_total{controller="x",result="requeue_after"} 1',
      'workqueue_retries_total{name="x"} 1',
    ])
      expect(text).to.include(line);
  });

  it('enqueueAfter, handed to handlers detached, batches a key: one reconcile, when the earliest delay falls due', async () => {
    const clock = new FakeClock(0);
    const s = scripted({}, clock);
    const c = new Controller({ registration: { name: 'test', reconciler: s.reconciler, watch: () => {} }, logger: silentLogger(), clock });
    const { enqueueAfter } = c;
    c.start();
    enqueueAfter({ namespace: 'ns', name: 'a' }, 1_000);
    await run(clock, 300);
    enqueueAfter({ namespace: 'ns', name: 'a' }, 1_000);
    enqueueAfter({ namespace: 'ns', name: 'a' }, 1_000);
    await run(clock, 5_000);
    // The later adds found the key already due at 1000: they join that reconcile.
    expect(s.calls).to.deep.equal([{ key: 'ns/a', at: 1_000 }]);
    await c.stop();
  });

  it('refuses a worker count that is not a positive integer', () => {
    for (const workers of [0, -1, 1.5]) expect(() => new Controller({ registration: { name: 'x', reconciler: { reconcile: async () => {} }, watch: () => {} }, logger: silentLogger(), workers })).to.throw(RangeError);
  });
});
