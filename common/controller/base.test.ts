import { expect } from 'chai';
import type { Api } from '../client/api.js';
import { FakeClock } from '../clock.js';
import { ControllerBase, ExpectingControllerBase, type ControllerDeps, type ExpectingControllerDeps } from './base.js';
import { memoryLogger } from './testLogger.js';
import type { EnqueueAfter, InformerSource, ObjectKey } from './types.js';

/** A controller that only records what the manager handed its watch() and logs on reconcile. */
class Probe extends ControllerBase {
  wired: { source: InformerSource; enqueue: (k: ObjectKey) => void; enqueueAfter: EnqueueAfter } | undefined;
  constructor(deps: ControllerDeps) {
    super({ name: 'probe', defaultWorkers: 3 }, deps);
  }
  watch(source: InformerSource, enqueue: (k: ObjectKey) => void, enqueueAfter: EnqueueAfter): void {
    this.wired = { source, enqueue, enqueueAfter };
  }
  async reconcile(key: ObjectKey): Promise<void> {
    this.logger.info('synced', { key: key.name, at: this.clock.now() });
  }
}

class ExpectingProbe extends ExpectingControllerBase {
  constructor(deps: ExpectingControllerDeps) {
    super({ name: 'expecting', defaultWorkers: 1 }, deps);
  }
  watch(): void {}
  async reconcile(): Promise<void> {}
}

const deps = (over: Partial<ControllerDeps> = {}): ControllerDeps => ({ api: {} as Api, events: { event: () => undefined }, logger: memoryLogger().logger, ...over });

describe('ControllerBase', () => {
  const workers: { name: string; given?: number; want: number }[] = [
    { name: 'the controller\'s default', want: 3 },
    { name: 'the configured count', given: 7, want: 7 },
  ];
  for (const tc of workers) {
    it(`workers: ${tc.name}`, () => {
      const reg = new Probe(deps(tc.given === undefined ? {} : { workers: tc.given })).registration();
      expect(reg.workers).to.equal(tc.want);
    });
  }

  it('registration: the name, this reconciler, and a watch handing on all the manager gives', () => {
    const p = new Probe(deps());
    const reg = p.registration();
    expect(reg.name).to.equal('probe');
    expect(reg.reconciler).to.equal(p);
    const source: InformerSource = { informer: () => { throw new Error('not used'); } };
    const enqueue = (): void => undefined;
    const enqueueAfter: EnqueueAfter = () => undefined;
    reg.watch(source, enqueue, enqueueAfter);
    expect(p.wired).to.deep.equal({ source, enqueue, enqueueAfter });
  });

  it('logs with the controller field and reads the injected clock', async () => {
    const { logger, entries } = memoryLogger();
    const clock = new FakeClock(42);
    await new Probe(deps({ logger, clock })).reconcile({ name: 'a' });
    expect(entries).to.have.length(1);
    expect(entries[0]).to.include({ message: 'synced', controller: 'probe', key: 'a', at: 42 });
  });

  it('ExpectingControllerBase: expectations on the injected clock, with the configured TTL', () => {
    const clock = new FakeClock(0);
    const c = new ExpectingProbe({ ...deps({ clock }), expectationsTTLms: 1_000 });
    c.expectations.expectCreations('ns/a', 1);
    expect(c.expectations.satisfied('ns/a')).to.equal(false);
    clock.advance(1_001);
    expect(c.expectations.satisfied('ns/a'), 'trusted no longer than the TTL').to.equal(true);
  });
});
