import { expect } from 'chai';
import type { Api } from '../../common/client/api.js';
import { FakeClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import type { ControllerContext } from '../context.js';
import { replicaSetControllerFactory } from './index.js';

const ctx = (options: Record<string, unknown>): ControllerContext => ({
  api: {} as Api,
  recorder: () => ({ event: () => undefined }),
  logger: silentLogger(),
  clock: new FakeClock(),
  options,
});

describe('the ReplicaSet controller factory', () => {
  const cases: { name: string; options: Record<string, unknown>; workers?: number; error?: RegExp }[] = [
    { name: 'defaults', options: {}, workers: 5 },
    { name: 'workers from the options', options: { workers: 2, burstReplicas: 50 }, workers: 2 },
    { name: 'an unknown option', options: { worker: 2 }, error: /controllerOptions\.replicaset: unknown setting "worker"/ },
    { name: 'a bad value', options: { burstReplicas: 0 }, error: /controllerOptions\.replicaset: burstReplicas must be >= 1/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) return void expect(() => replicaSetControllerFactory(ctx(tc.options))).to.throw(tc.error);
      const reg = replicaSetControllerFactory(ctx(tc.options));
      expect(reg.name).to.equal('replicaset');
      expect(reg.workers).to.equal(tc.workers);
    });
  }
});
