// The three factories refuse bad options with every problem named (the process then fails at
// start-up) and accept good ones.

import { expect } from 'chai';
import type { Api } from '../../common/client/api.js';
import { realClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import type { ControllerContext, ControllerFactory } from '../context.js';
import { garbageCollectorControllerFactory } from '../garbagecollector/index.js';
import { serviceAccountControllerFactory } from '../serviceaccount/index.js';
import { namespaceControllerFactory } from './index.js';

const ctx = (options: Record<string, unknown>): ControllerContext => ({ api: {} as Api, recorder: () => ({ event: () => undefined }), logger: silentLogger(), clock: realClock, options });

describe('GC, namespace and ServiceAccount controller factories: options', () => {
  const cases: { name: string; factory: ControllerFactory; options: Record<string, unknown>; error?: RegExp; workers?: number }[] = [
    { name: 'garbagecollector defaults', factory: garbageCollectorControllerFactory, options: {}, workers: 4 },
    { name: 'garbagecollector workers', factory: garbageCollectorControllerFactory, options: { workers: 8 }, workers: 8 },
    { name: 'garbagecollector: a typo', factory: garbageCollectorControllerFactory, options: { worker: 8 }, error: /controllerOptions.garbagecollector: unknown setting "worker"/ },
    { name: 'namespace: workers 0', factory: namespaceControllerFactory, options: { workers: 0 }, error: /controllerOptions.namespace: workers must be >= 1/ },
    { name: 'namespace: recheckMs a string', factory: namespaceControllerFactory, options: { recheckMs: 'soon' }, error: /recheckMs must be integer/ },
    { name: 'namespace settings', factory: namespaceControllerFactory, options: { workers: 3, recheckMs: 200, maxRecheckMs: 5_000 }, workers: 3 },
    { name: 'serviceaccount names', factory: serviceAccountControllerFactory, options: { names: ['default', 'builder'] }, workers: 1 },
    { name: 'serviceaccount: an empty name', factory: serviceAccountControllerFactory, options: { names: [''] }, error: /controllerOptions.serviceaccount: names\/0 must NOT have fewer than 1 characters/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) {
        expect(() => tc.factory(ctx(tc.options))).to.throw(tc.error);
        return;
      }
      expect(tc.factory(ctx(tc.options)).workers).to.equal(tc.workers);
    });
  }
});
