// Every controller factory checks its `controllerOptions.<name>` the one way (options.ts):
// bad settings fail with every problem named (the process then fails at start-up), good ones
// reach the controller, empty ones keep the default.

import { expect } from 'chai';
import type { Api } from '../common/client/api.js';
import { FakeClock } from '../common/clock.js';
import { silentLogger } from '../common/logging.js';
import type { ControllerContext } from './context.js';
import { controllerOptions, workersSetting } from './options.js';
import { controllerRegistry } from './registry.js';

const ctx = (options: Record<string, unknown>): ControllerContext => ({ api: {} as Api, recorder: () => ({ event: () => undefined }), logger: silentLogger(), clock: new FakeClock(), options });

function build(controller: string, options: Record<string, unknown>) {
  const factory = controllerRegistry[controller];
  if (!factory) throw new Error(`no controller ${controller} in the registry`);
  return factory(ctx(options));
}

describe('controller factories: options', () => {
  const cases: { name: string; controller: string; options: Record<string, unknown>; workers?: number; error?: RegExp | string }[] = [
    { name: 'replicaset defaults', controller: 'replicaset', options: {}, workers: 5 },
    { name: 'replicaset workers from the options', controller: 'replicaset', options: { workers: 2, burstReplicas: 50 }, workers: 2 },
    { name: 'replicaset: an empty (null) setting keeps the default', controller: 'replicaset', options: { workers: null }, workers: 5 },
    { name: 'replicaset: an unknown option', controller: 'replicaset', options: { worker: 2 }, error: /controllerOptions\.replicaset: unknown setting "worker"/ },
    { name: 'replicaset: a bad value', controller: 'replicaset', options: { burstReplicas: 0 }, error: /controllerOptions\.replicaset: burstReplicas must be >= 1/ },
    { name: 'replicaset: every problem named', controller: 'replicaset', options: { worker: 2, burstReplicas: 0 }, error: 'controllerOptions.replicaset: unknown setting "worker"; burstReplicas must be >= 1' },
    { name: 'deployment defaults', controller: 'deployment', options: {}, workers: 5 },
    { name: 'deployment workers', controller: 'deployment', options: { workers: 7 }, workers: 7 },
    { name: 'deployment: workers 101', controller: 'deployment', options: { workers: 101 }, error: 'controllerOptions.deployment: workers must be <= 100' },
    { name: 'garbagecollector defaults', controller: 'garbagecollector', options: {}, workers: 4 },
    { name: 'garbagecollector workers', controller: 'garbagecollector', options: { workers: 8 }, workers: 8 },
    { name: 'garbagecollector: a typo', controller: 'garbagecollector', options: { worker: 8 }, error: /controllerOptions.garbagecollector: unknown setting "worker"/ },
    { name: 'namespace: workers 0', controller: 'namespace', options: { workers: 0 }, error: /controllerOptions.namespace: workers must be >= 1/ },
    { name: 'namespace: recheckMs a string', controller: 'namespace', options: { recheckMs: 'soon' }, error: /recheckMs must be integer/ },
    { name: 'namespace settings', controller: 'namespace', options: { workers: 3, recheckMs: 200, maxRecheckMs: 5_000 }, workers: 3 },
    { name: 'serviceaccount names', controller: 'serviceaccount', options: { names: ['default', 'builder'] }, workers: 1 },
    { name: 'serviceaccount: an empty name', controller: 'serviceaccount', options: { names: [''] }, error: /controllerOptions.serviceaccount: names\/0 must NOT have fewer than 1 characters/ },
    { name: 'endpoints defaults', controller: 'endpoints', options: {}, workers: 5 },
    { name: 'endpoints workers', controller: 'endpoints', options: { workers: 2 }, workers: 2 },
    { name: 'endpoints: an unknown option', controller: 'endpoints', options: { maxEndpointsPerSlice: 2 }, error: /controllerOptions\.endpoints: unknown setting "maxEndpointsPerSlice"/ },
    { name: 'endpointslice defaults', controller: 'endpointslice', options: {}, workers: 5 },
    { name: 'endpointslice options', controller: 'endpointslice', options: { workers: 3, maxEndpointsPerSlice: 1000 }, workers: 3 },
    { name: 'endpointslice: too many per slice', controller: 'endpointslice', options: { maxEndpointsPerSlice: 1001 }, error: /controllerOptions\.endpointslice: maxEndpointsPerSlice must be <= 1000/ },
    { name: 'endpointslice: not a number', controller: 'endpointslice', options: { maxEndpointsPerSlice: 'lots' }, error: /controllerOptions\.endpointslice: maxEndpointsPerSlice must be integer/ },
    { name: 'nodeipam defaults', controller: 'nodeipam', options: {} },
    { name: 'nodeipam with a cluster CIDR', controller: 'nodeipam', options: { clusterCIDR: '10.200.0.0/16', nodeCIDRMaskSize: 26 } },
    { name: 'nodeipam: a bad CIDR', controller: 'nodeipam', options: { clusterCIDR: '10.200.0.0/33' }, error: 'controllerOptions.nodeipam: clusterCIDR "10.200.0.0/33" is not a CIDR' },
    { name: 'nodeipam: a mask wider than the range', controller: 'nodeipam', options: { nodeCIDRMaskSize: 12 }, error: 'controllerOptions.nodeipam: nodeCIDRMaskSize 12 must be between the cluster prefix (16) and 30' },
    { name: 'nodeipam: an unknown setting', controller: 'nodeipam', options: { cidr: 'x' }, error: 'controllerOptions.nodeipam: unknown setting "cidr"' },
    { name: 'nodelifecycle defaults', controller: 'nodelifecycle', options: {} },
    { name: 'nodelifecycle: a negative rate', controller: 'nodelifecycle', options: { nodeEvictionRate: -1 }, error: 'controllerOptions.nodelifecycle: nodeEvictionRate must be >= 0' },
    { name: 'job: a batch period', controller: 'job', options: { syncBatchPeriodMs: 250 }, workers: 5 },
    { name: 'job: batching off', controller: 'job', options: { syncBatchPeriodMs: 0 }, workers: 5 },
    { name: 'job: a negative batch period', controller: 'job', options: { syncBatchPeriodMs: -1 }, error: 'controllerOptions.job: syncBatchPeriodMs must be >= 0' },
    { name: 'job: a batch period over a minute', controller: 'job', options: { syncBatchPeriodMs: 60_001 }, error: 'controllerOptions.job: syncBatchPeriodMs must be <= 60000' },
    { name: 'podgc defaults', controller: 'podgc', options: {} },
    { name: 'podgc: a fractional threshold', controller: 'podgc', options: { terminatedPodThreshold: 1.5 }, error: 'controllerOptions.podgc: terminatedPodThreshold must be integer' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) return void expect(() => build(tc.controller, tc.options)).to.throw(tc.error);
      const reg = build(tc.controller, tc.options);
      expect(reg.name).to.equal(tc.controller);
      if (tc.workers !== undefined) expect(reg.workers).to.equal(tc.workers);
    });
  }

  // A factory that forgot the shared check would build a controller from a typo.
  for (const controller of Object.keys(controllerRegistry)) {
    it(`${controller} refuses an unknown setting`, () => expect(() => build(controller, { noSuchSetting: 1 })).to.throw(`controllerOptions.${controller}: unknown setting "noSuchSetting"`));
  }
});

describe('controllerOptions', () => {
  const parse = controllerOptions<{ workers: number; names: string[] }>('example', { workers: workersSetting, names: { type: 'array', items: { type: 'string', minLength: 1 } } }, { workers: 1, names: ['default'] });
  const partial = controllerOptions<{ workers: number; rate: number }>('example', { workers: workersSetting, rate: { type: 'number', exclusiveMinimum: 0 } });
  const cases: { name: string; got: () => unknown; want?: unknown; error?: string }[] = [
    { name: 'defaults fill what is not given', got: () => parse({ workers: 3 }), want: { workers: 3, names: ['default'] } },
    { name: 'null counts as not given', got: () => parse({ workers: null, names: ['a'] }), want: { workers: 1, names: ['a'] } },
    { name: 'without defaults only the given settings', got: () => partial({ rate: 0.5, workers: null }), want: { rate: 0.5 } },
    { name: 'not an object', got: () => partial('workers=2'), error: 'controllerOptions.example: options must be object' },
    { name: 'every problem, in one message', got: () => partial({ rate: 0, workers: 1.5, extra: true }), error: 'controllerOptions.example: unknown setting "extra"; workers must be integer; rate must be > 0' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) return void expect(tc.got).to.throw(tc.error);
      expect(tc.got()).to.deep.equal(tc.want);
    });
  }
});
