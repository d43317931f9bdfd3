import { expect } from 'chai';
import { makePod } from '../../common/testing/builders.js';
import { PodSpecError } from './errors.js';
import { qosClass, type QosClass } from './qos.js';
import { fromV1, testContainer, testPod } from './testPods.js';
import type { Pod } from './types.js';

describe('podspec/qos', () => {
  const cases: { name: string; pod: Pod; want: QosClass }[] = [
    { name: 'no resources anywhere', pod: fromV1(makePod().container().obj()), want: 'BestEffort' },
    { name: 'only zero requests', pod: fromV1(makePod().requests({ cpu: '0', memory: '0' }).obj()), want: 'BestEffort' },
    { name: 'only non-compute resources', pod: fromV1(makePod().requests({ 'ephemeral-storage': '1Gi' }).obj()), want: 'BestEffort' },
    { name: 'requests equal limits for cpu and memory', pod: fromV1(makePod().requests({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }).obj()), want: 'Guaranteed' },
    { name: 'equal in different notation', pod: fromV1(makePod().requests({ cpu: '1', memory: '1024Mi' }, { cpu: '1000m', memory: '1Gi' }).obj()), want: 'Guaranteed' },
    { name: 'limits only: requests default to them', pod: fromV1(makePod().container({ limits: { cpu: '500m', memory: '64Mi' } }).obj()), want: 'Guaranteed' },
    { name: 'request below limit', pod: fromV1(makePod().requests({ cpu: '500m', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }).obj()), want: 'Burstable' },
    { name: 'memory limit missing', pod: fromV1(makePod().requests({ cpu: '1' }, { cpu: '1' }).obj()), want: 'Burstable' },
    { name: 'requests only', pod: fromV1(makePod().requests({ cpu: '100m' }).obj()), want: 'Burstable' },
    {
      name: 'one guaranteed and one best-effort container',
      pod: fromV1(makePod().requests({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }).container().obj()),
      want: 'Burstable',
    },
    {
      name: 'init container without limits spoils Guaranteed',
      pod: fromV1(makePod().requests({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }).initContainer({ cpu: '100m' }).obj()),
      want: 'Burstable',
    },
    {
      name: 'init container with requests makes an otherwise empty pod Burstable',
      pod: fromV1(makePod().container().initContainer({ memory: '10Mi' }).obj()),
      want: 'Burstable',
    },
    {
      name: 'explicit zero request beside a positive limit',
      pod: testPod({ containers: [testContainer('a', { resources: { requests: { cpu: '0', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } })] }),
      want: 'Burstable',
    },
    {
      name: 'two guaranteed containers',
      pod: testPod({
        containers: [
          testContainer('a', { resources: { limits: { cpu: '1', memory: '1Gi' } } }),
          testContainer('b', { resources: { requests: { cpu: 0.5, memory: '100M' }, limits: { cpu: '500m', memory: '100M' } } }),
        ],
      }),
      want: 'Guaranteed',
    },
    {
      name: 'status.qosClass is not trusted over the spec',
      pod: testPod({ status: { qosClass: 'Guaranteed' } }),
      want: 'BestEffort',
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(qosClass(tc.pod)).to.equal(tc.want));

  it('rejects a bad quantity with its field path', () => {
    const pod = testPod({ containers: [testContainer('a'), testContainer('b', { resources: { limits: { cpu: 'lots' } } })] });
    expect(() => qosClass(pod)).to.throw(PodSpecError).with.property('field', 'spec.containers[1].resources.limits.cpu');
  });
});
