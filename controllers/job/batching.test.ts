// The Job controller's sync batching: its real handlers (watch()) feeding a real rate-limited
// work queue on a fake clock, so the test sees which events make a sync, and when.

import { expect } from 'chai';
import type { Api } from '../../common/client/api.js';
import { Informer, type InformedObject, type InformerEventHandler } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import { FakeClock } from '../../common/clock.js';
import { keyString, type EventRecorder, type InformerSource } from '../../common/controller/types.js';
import { RateLimitingQueue } from '../../common/controller/workqueue.js';
import { silentLogger } from '../../common/logging.js';
import { defaultSyncBatchPeriodMs, isPromptJobUpdate } from './batching.js';
import { JobController } from './controller.js';
import { makeJob, makePod } from './fixtures.js';
import type { Job, Pod } from './types.js';

type Handler = InformerEventHandler<InformedObject>;

/** Informers that never list or watch: the test calls the handlers the controller registered. */
function capturingSource(): { source: InformerSource; handlers: Map<string, Handler> } {
  const handlers = new Map<string, Handler>();
  const source: InformerSource = {
    informer<T extends InformedObject>(r: { plural: string }): Informer<T> {
      const inf = new Informer<InformedObject>({ client: {} as RestClient, path: `/${r.plural}` });
      const add = inf.addEventHandler.bind(inf);
      inf.addEventHandler = (h) => {
        handlers.set(r.plural, h);
        return add(h);
      };
      return inf as unknown as Informer<T>;
    },
  };
  return { source, handlers };
}

const noEvents: EventRecorder = { event: () => undefined };

function setUp(syncBatchPeriodMs?: number): { clock: FakeClock; queue: RateLimitingQueue<string>; jobs: Handler; pods: Handler; controller: JobController } {
  const clock = new FakeClock();
  const queue = new RateLimitingQueue<string>({ name: 'job', clock });
  const controller = new JobController({ api: {} as Api, events: noEvents, logger: silentLogger(), clock, ...(syncBatchPeriodMs === undefined ? {} : { syncBatchPeriodMs }) });
  const { source, handlers } = capturingSource();
  controller.registration().watch(
    source,
    (k) => queue.add(keyString(k)),
    (k, ms) => queue.addAfter(keyString(k), ms),
  );
  return { clock, queue, jobs: handlers.get('jobs')!, pods: handlers.get('pods')!, controller };
}

/** Takes every key queued now (each once: the queue de-duplicates). */
async function drain(queue: RateLimitingQueue<string>): Promise<string[]> {
  const out: string[] = [];
  while (queue.len() > 0) {
    const k = (await queue.get())!;
    out.push(k);
    queue.done(k);
  }
  return out;
}

const withRv = (pod: Pod, rv: number): Pod => ({ ...pod, metadata: { ...pod.metadata, resourceVersion: String(rv) } });
const job = (over: Partial<Job['metadata']> = {}, spec: Job['spec'] = {}): Job => {
  const j = makeJob(spec);
  j.metadata = { ...j.metadata, generation: 1, ...over };
  return j;
};

const statusWritten: Job = { ...job({ resourceVersion: '11' }), status: { succeeded: 1 } };

describe('Job controller: pod events batched per Job (syncJobBatchPeriod)', () => {
  it('is off by default (bench/jobs.ts measured batching slower here)', () => expect(defaultSyncBatchPeriodMs).to.equal(0));

  const prompt: { name: string; old: Job; cur: Job; want: boolean }[] = [
    { name: 'a status write (same generation) waits for the batch', old: job(), cur: { ...job({ resourceVersion: '11' }), status: { active: 1 } }, want: false },
    { name: 'a spec change (generation bumped) syncs at once', old: job(), cur: job({ generation: 2 }, { parallelism: 3 }), want: true },
    { name: 'the start of its deletion syncs at once', old: job(), cur: job({ deletionTimestamp: '2026-01-01T00:00:05Z' }), want: true },
    { name: 'without generations (not from the API server): a spec change syncs at once', old: job({ generation: undefined }), cur: job({ generation: undefined }, { suspend: true }), want: true },
    { name: 'without generations: a label change waits', old: job({ generation: undefined }), cur: job({ generation: undefined, labels: { a: 'b' } }), want: false },
  ];
  for (const tc of prompt) it(`isPromptJobUpdate: ${tc.name}`, () => expect(isPromptJobUpdate(tc.old, tc.cur)).to.equal(tc.want));

  it('many pod events within the period make one sync of their Job, one period after the first', async () => {
    const { clock, queue, pods } = setUp(1000);
    const pod = makePod({ phase: 'Pending' });
    pods.onAdd!(withRv(pod, 1), false);
    for (let rv = 2; rv <= 10; rv++) {
      clock.advance(100);
      pods.onUpdate!(withRv(pod, rv - 1), withRv(pod, rv));
    }
    expect(queue.len()).to.equal(0);
    clock.advance(99); // 999 ms after the first event
    expect(queue.len()).to.equal(0);
    clock.advance(1);
    expect(await drain(queue)).to.deep.equal(['ns/pi']);
    // Nothing else was left pending by the later events.
    clock.advance(5000);
    expect(queue.len()).to.equal(0);
  });

  it('pods of two Jobs: one sync each', async () => {
    const { clock, queue, pods } = setUp(1000);
    const a = makePod();
    const b = makePod();
    b.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'other', uid: 'other-uid', controller: true }];
    for (const p of [a, b, a, b]) pods.onAdd!(p, false);
    clock.advance(1000);
    expect((await drain(queue)).sort()).to.deep.equal(['ns/other', 'ns/pi']);
  });

  it('a pod deletion is batched too, but its expectations are observed at once', async () => {
    const { clock, queue, pods, controller } = setUp(1000);
    const pod = makePod();
    controller.expectations.expectDeletions('ns/pi', ['ns/' + pod.metadata.name!]);
    pods.onDelete!(pod);
    expect(controller.expectations.satisfied('ns/pi')).to.equal(true);
    expect(queue.len()).to.equal(0);
    clock.advance(1000);
    expect(await drain(queue)).to.deep.equal(['ns/pi']);
  });

  const jobEvents: { name: string; fire: (h: Handler) => void; atOnce: boolean }[] = [
    { name: 'a new Job', fire: (h) => h.onAdd!(job(), false), atOnce: true },
    { name: 'a deleted Job', fire: (h) => h.onDelete!(job()), atOnce: true },
    { name: 'a Job whose spec changed', fire: (h) => h.onUpdate!(job(), job({ generation: 2, resourceVersion: '11' }, { parallelism: 5 })), atOnce: true },
    { name: 'a Job whose status changed', fire: (h) => h.onUpdate!(job(), statusWritten), atOnce: false },
  ];
  for (const tc of jobEvents) {
    it(`${tc.name}: ${tc.atOnce ? 'synced at once' : 'synced with the batch'}`, async () => {
      const { clock, queue, jobs } = setUp(1000);
      tc.fire(jobs);
      expect(await drain(queue)).to.deep.equal(tc.atOnce ? ['ns/pi'] : []);
      clock.advance(1000);
      expect(await drain(queue)).to.deep.equal(tc.atOnce ? [] : ['ns/pi']);
    });
  }

  it('the period is injectable: 250 ms', async () => {
    const { clock, queue, pods } = setUp(250);
    pods.onAdd!(makePod(), false);
    clock.advance(249);
    expect(queue.len()).to.equal(0);
    clock.advance(1);
    expect(await drain(queue)).to.deep.equal(['ns/pi']);
  });

  it('period 0: every pod event syncs at once (still de-duplicated while queued)', async () => {
    const { queue, pods } = setUp(0);
    const pod = makePod();
    pods.onAdd!(withRv(pod, 1), false);
    pods.onUpdate!(withRv(pod, 1), withRv(pod, 2));
    expect(await drain(queue)).to.deep.equal(['ns/pi']);
  });
});
