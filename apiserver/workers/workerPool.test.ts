// The worker pool's bookkeeping with pretend workers and a fake clock: readiness, replacing a
// dead worker after a growing back-off, and stopping. workers.integration.test.ts runs real ones.

import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import { WorkerPool, type WorkerHandle } from './workerPool.js';

class PretendWorker implements WorkerHandle {
  private exitFn: ((code: number | null, signal: string | null) => void) | undefined;
  private listenFn: (() => void) | undefined;
  terminated = false;
  killed = false;
  constructor(
    readonly pid: number,
    readonly slot: number,
  ) {}
  onExit(fn: (code: number | null, signal: string | null) => void): void {
    this.exitFn = fn;
  }
  onListening(fn: () => void): void {
    this.listenFn = fn;
  }
  terminate(): void {
    this.terminated = true;
  }
  kill(): void {
    this.killed = true;
    this.exit(null, 'SIGKILL');
  }
  listen(): void {
    this.listenFn?.();
  }
  exit(code: number | null, signal: string | null = null): void {
    const fn = this.exitFn;
    this.exitFn = undefined;
    fn?.(code, signal);
  }
}

function pool(count: number, opts: { stopGraceMs?: number } = {}): { pool: WorkerPool; clock: FakeClock; launched: PretendWorker[] } {
  const clock = new FakeClock();
  const launched: PretendWorker[] = [];
  let pid = 100;
  const p = new WorkerPool({
    count,
    clock,
    logger: silentLogger(),
    restart: { initialMs: 1_000, maxMs: 8_000 },
    ...opts,
    launch: (slot) => {
      const w = new PretendWorker(pid++, slot);
      launched.push(w);
      return w;
    },
  });
  return { pool: p, clock, launched };
}

const settled = async <T>(p: Promise<T>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
};

describe('WorkerPool', () => {
  it('refuses fewer than one worker', () => {
    for (const count of [0, -1, 1.5]) expect(() => new WorkerPool({ count, launch: () => new PretendWorker(1, 0), logger: silentLogger() })).to.throw(RangeError);
  });

  it('starts one worker per slot and is ready only once every one listens', async () => {
    const { pool: p, launched } = pool(3);
    const ready = p.start();
    expect(launched.map((w) => w.slot)).to.deep.equal([0, 1, 2]);
    launched[0]!.listen();
    launched[2]!.listen();
    expect(await settled(ready)).to.equal(false);
    launched[1]!.listen();
    expect(await settled(ready)).to.equal(true);
    expect(p.pids()).to.deep.equal([100, 101, 102]);
  });

  it('waits for a replacement when a worker dies before listening', async () => {
    const { pool: p, launched, clock } = pool(2);
    const ready = p.start();
    launched[0]!.listen();
    launched[1]!.exit(1);
    clock.advance(1_000);
    expect(launched).to.have.length(3);
    expect(await settled(ready)).to.equal(false);
    launched[2]!.listen();
    expect(await settled(ready)).to.equal(true);
  });

  it('replaces a dead worker in its slot after a back-off that grows while it keeps dying', () => {
    const { pool: p, launched, clock } = pool(2);
    void p.start();
    launched.forEach((w) => w.listen());
    const restarts: number[] = [];
    // Each replacement dies at once: the waits are 1 s, 2 s, 4 s, then capped at 8 s.
    for (let round = 0; round < 5; round++) {
      const before = launched.length;
      launched[launched.length - 1 - (round === 0 ? 1 : 0)]!.exit(1);
      let waited = 0;
      while (launched.length === before && waited < 20_000) {
        clock.advance(100);
        waited += 100;
      }
      restarts.push(waited);
      expect(launched[launched.length - 1]!.slot).to.equal(0);
    }
    expect(restarts).to.deep.equal([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(p.pids()[1]).to.equal(101);
  });

  it('replaces at once a worker that ran well before dying, and starts the back-off over', () => {
    const { pool: p, launched, clock } = pool(1);
    void p.start();
    launched[0]!.exit(1);
    clock.advance(1_000);
    launched[1]!.exit(1);
    clock.advance(2_000);
    expect(launched).to.have.length(3);
    // Ran for longer than twice the largest back-off: replaced at once, then 1 s again.
    clock.advance(60_000);
    launched[2]!.exit(1);
    expect(launched).to.have.length(4);
    launched[3]!.exit(1);
    clock.advance(999);
    expect(launched).to.have.length(4);
    clock.advance(1);
    expect(launched).to.have.length(5);
  });

  it('stop() asks every worker to stop, replaces none and resolves once all exited', async () => {
    const { pool: p, launched, clock } = pool(2);
    void p.start();
    launched.forEach((w) => w.listen());
    const stopped = p.stop();
    expect(launched.map((w) => w.terminated)).to.deep.equal([true, true]);
    launched[0]!.exit(0);
    clock.advance(10_000);
    expect(launched).to.have.length(2);
    expect(await settled(stopped)).to.equal(false);
    launched[1]!.exit(0);
    expect(await settled(stopped)).to.equal(true);
  });

  it('stop() kills workers still running after the grace period, and cancels pending restarts', async () => {
    const { pool: p, launched, clock } = pool(2, { stopGraceMs: 5_000 });
    void p.start();
    launched.forEach((w) => w.listen());
    launched[0]!.exit(1);
    // Slot 0 waits for its restart; slot 1 ignores SIGTERM.
    const stopped = p.stop();
    clock.advance(4_999);
    expect(launched[1]!.killed).to.equal(false);
    clock.advance(1);
    expect(launched[1]!.killed).to.equal(true);
    expect(await settled(stopped)).to.equal(true);
    clock.advance(60_000);
    expect(launched).to.have.length(2);
  });
});
