import { expect } from 'chai';
import type { Api } from '../../common/client/api.js';
import { FakeClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import type { ControllerContext } from '../context.js';
import { controllerRegistry } from '../registry.js';
import { cronJobControllerFactory } from './index.js';

const ctx = (options: Record<string, unknown>): ControllerContext => ({ api: {} as Api, recorder: () => ({ event: () => undefined }), logger: silentLogger(), clock: new FakeClock(), options });

describe('the CronJob controller factory', () => {
  it('is registered as cronjob', () => expect(controllerRegistry.cronjob).to.equal(cronJobControllerFactory));
  const cases: { name: string; options: Record<string, unknown>; workers?: number; error?: RegExp }[] = [
    { name: 'default workers', options: {}, workers: 5 },
    { name: 'workers from the options', options: { workers: 2 }, workers: 2 },
    { name: 'an unknown setting', options: { worker: 2 }, error: /controllerOptions\.cronjob: unknown setting "worker"/ },
    { name: 'workers out of range', options: { workers: 0 }, error: /controllerOptions\.cronjob: workers must be >= 1/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) expect(() => cronJobControllerFactory(ctx(tc.options))).to.throw(tc.error);
      else expect(cronJobControllerFactory(ctx(tc.options))).to.include({ name: 'cronjob', workers: tc.workers });
    });
  }
});
