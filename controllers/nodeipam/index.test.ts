import { expect } from 'chai';
import type { Api } from '../../common/client/api.js';
import { FakeClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import type { ControllerContext, ControllerFactory } from '../context.js';
import { nodeLifecycleControllerFactory } from '../nodelifecycle/index.js';
import { podGcControllerFactory } from '../podgc/index.js';
import { nodeIpamControllerFactory } from './index.js';

const ctx = (options: Record<string, unknown>): ControllerContext => ({ api: {} as Api, recorder: () => ({ event: () => undefined }), logger: silentLogger(), clock: new FakeClock(), options });

describe('node controller factories', () => {
  const cases: { name: string; factory: ControllerFactory; options: Record<string, unknown>; error?: string; controller?: string }[] = [
    { name: 'nodeipam defaults', factory: nodeIpamControllerFactory, options: {}, controller: 'nodeipam' },
    { name: 'nodeipam with a cluster CIDR', factory: nodeIpamControllerFactory, options: { clusterCIDR: '10.200.0.0/16', nodeCIDRMaskSize: 26 }, controller: 'nodeipam' },
    { name: 'nodeipam: a bad CIDR', factory: nodeIpamControllerFactory, options: { clusterCIDR: '10.200.0.0/33' }, error: 'controllerOptions.nodeipam: clusterCIDR "10.200.0.0/33" is not a CIDR' },
    { name: 'nodeipam: a mask wider than the range', factory: nodeIpamControllerFactory, options: { nodeCIDRMaskSize: 12 }, error: 'controllerOptions.nodeipam: nodeCIDRMaskSize 12 must be between the cluster prefix (16) and 30' },
    { name: 'nodeipam: an unknown setting', factory: nodeIpamControllerFactory, options: { cidr: 'x' }, error: 'controllerOptions.nodeipam: unknown setting "cidr"' },
    { name: 'nodelifecycle defaults', factory: nodeLifecycleControllerFactory, options: {}, controller: 'nodelifecycle' },
    { name: 'nodelifecycle: a negative rate', factory: nodeLifecycleControllerFactory, options: { nodeEvictionRate: -1 }, error: 'controllerOptions.nodelifecycle: nodeEvictionRate must be >= 0' },
    { name: 'podgc defaults', factory: podGcControllerFactory, options: {}, controller: 'podgc' },
    { name: 'podgc: a fractional threshold', factory: podGcControllerFactory, options: { terminatedPodThreshold: 1.5 }, error: 'controllerOptions.podgc: terminatedPodThreshold must be integer' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) return expect(() => tc.factory(ctx(tc.options))).to.throw(tc.error);
      expect(tc.factory(ctx(tc.options)).name).to.equal(tc.controller);
    });
  }
});
