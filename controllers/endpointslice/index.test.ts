import { expect } from 'chai';
import type { Api } from '../../common/client/api.js';
import { FakeClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import type { ControllerContext } from '../context.js';
import type { ControllerFactory } from '../context.js';
import { endpointsControllerFactory } from '../endpoints/index.js';
import { endpointSliceControllerFactory } from './index.js';

const ctx = (options: Record<string, unknown>): ControllerContext => ({
  api: {} as Api,
  recorder: () => ({ event: () => undefined }),
  logger: silentLogger(),
  clock: new FakeClock(),
  options,
});

describe('the Endpoints and EndpointSlice controller factories', () => {
  const cases: { name: string; factory: ControllerFactory; controller: string; options: Record<string, unknown>; workers?: number; error?: RegExp }[] = [
    { name: 'endpoints: defaults', factory: endpointsControllerFactory, controller: 'endpoints', options: {}, workers: 5 },
    { name: 'endpoints: workers', factory: endpointsControllerFactory, controller: 'endpoints', options: { workers: 2 }, workers: 2 },
    { name: 'endpoints: an unknown option', factory: endpointsControllerFactory, controller: 'endpoints', options: { maxEndpointsPerSlice: 2 }, error: /controllerOptions\.endpoints: unknown setting "maxEndpointsPerSlice"/ },
    { name: 'endpointslice: defaults', factory: endpointSliceControllerFactory, controller: 'endpointslice', options: {}, workers: 5 },
    { name: 'endpointslice: options', factory: endpointSliceControllerFactory, controller: 'endpointslice', options: { workers: 3, maxEndpointsPerSlice: 1000 }, workers: 3 },
    { name: 'endpointslice: too many per slice', factory: endpointSliceControllerFactory, controller: 'endpointslice', options: { maxEndpointsPerSlice: 1001 }, error: /controllerOptions\.endpointslice: maxEndpointsPerSlice must be <= 1000/ },
    { name: 'endpointslice: not a number', factory: endpointSliceControllerFactory, controller: 'endpointslice', options: { maxEndpointsPerSlice: 'lots' }, error: /controllerOptions\.endpointslice: maxEndpointsPerSlice must be integer/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) return void expect(() => tc.factory(ctx(tc.options))).to.throw(tc.error);
      const reg = tc.factory(ctx(tc.options));
      expect(reg.name).to.equal(tc.controller);
      expect(reg.workers).to.equal(tc.workers);
    });
  }
});
