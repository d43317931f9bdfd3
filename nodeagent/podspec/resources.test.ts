import { expect } from 'chai';
import type { LinuxContainerResources } from '../cri/types.js';
import { PodSpecError } from './errors.js';
import { containerResources, milliCpuToQuota, milliCpuToShares, oomScoreAdj, podCgroupParent } from './resources.js';
import { testContainer, testPod } from './testPods.js';
import type { Pod, ResourceRequirements } from './types.js';

const gi = 1024n ** 3n;
const capacity = 10n * gi;

function onePod(resources: ResourceRequirements, extra: Partial<Parameters<typeof testPod>[0]> = {}): Pod {
  return testPod({ containers: [testContainer('app', { resources })], ...extra });
}

describe('podspec/resources', () => {
  describe('conversions', () => {
    const shares: [bigint, number][] = [[0n, 2], [1n, 2], [2n, 2], [10n, 10], [100n, 102], [250n, 256], [1000n, 1024], [300000n, 262144]];
    for (const [milli, want] of shares) it(`${milli}m cpu is ${want} shares`, () => expect(milliCpuToShares(milli)).to.equal(want));
    const quotas: [bigint, number][] = [[0n, 0], [1n, 1000], [5n, 1000], [10n, 1000], [250n, 25000], [1500n, 150000]];
    for (const [milli, want] of quotas) it(`${milli}m cpu limit is quota ${want}`, () => expect(milliCpuToQuota(milli, 100000)).to.equal(want));
  });

  describe('containerResources', () => {
    const cases: { name: string; resources: ResourceRequirements; want: LinuxContainerResources }[] = [
      { name: 'best effort', resources: {}, want: { cpuShares: 2, oomScoreAdj: 1000 } },
      {
        name: 'guaranteed',
        resources: { limits: { cpu: '500m', memory: '256Mi' } },
        want: { cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 256 * 1024 * 1024, oomScoreAdj: -997 },
      },
      {
        name: 'burstable with a memory request of 10% of the node',
        resources: { requests: { cpu: '100m', memory: '1Gi' } },
        want: { cpuShares: 102, oomScoreAdj: 900 },
      },
      {
        name: 'burstable requesting the whole node stays above guaranteed',
        resources: { requests: { memory: '10Gi' }, limits: { memory: '20Gi' } },
        want: { cpuShares: 2, memoryLimitInBytes: 20 * 1024 ** 3, oomScoreAdj: 3 },
      },
      {
        name: 'burstable with a tiny request stays below best effort',
        resources: { requests: { memory: '1' } },
        want: { cpuShares: 2, oomScoreAdj: 999 },
      },
      {
        name: 'cpu limit below the minimum quota',
        resources: { requests: { cpu: '1m' }, limits: { cpu: '2m' } },
        want: { cpuShares: 2, cpuPeriod: 100000, cpuQuota: 1000, oomScoreAdj: 999 },
      },
      {
        name: 'explicit zero cpu request takes shares from the limit',
        resources: { requests: { cpu: '0' }, limits: { cpu: '2' } },
        want: { cpuShares: 2048, cpuPeriod: 100000, cpuQuota: 200000, oomScoreAdj: 999 },
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const pod = onePod(tc.resources);
        expect(containerResources(pod, pod.spec.containers[0]!, { nodeMemoryCapacity: capacity })).to.deep.equal(tc.want);
      });
    }

    it('adds a pids limit when given', () => {
      const pod = onePod({});
      expect(containerResources(pod, pod.spec.containers[0]!, { nodeMemoryCapacity: capacity, pidsLimit: 100 }).pidsLimit).to.equal(100);
    });

    it('rejects a bad quantity with the field path', () => {
      const pod = onePod({ limits: { memory: '12 Gi' } });
      expect(() => containerResources(pod, pod.spec.containers[0]!, { nodeMemoryCapacity: capacity }))
        .to.throw(PodSpecError)
        .with.property('field', 'spec.containers[0].resources.limits.memory');
    });
  });

  describe('oomScoreAdj', () => {
    it('gives node-critical pods the guaranteed score', () => {
      const pod = onePod({ requests: { memory: '1Gi' } }, { priorityClassName: 'system-node-critical' });
      expect(oomScoreAdj(pod, pod.spec.containers[0]!, capacity)).to.equal(-997);
    });

    it('keeps a sidecar at or below the regular containers', () => {
      const sidecar = testContainer('proxy', { restartPolicy: 'Always', resources: { requests: { memory: '100Mi' } } });
      const pod = testPod({
        initContainers: [sidecar],
        containers: [testContainer('a', { resources: { requests: { memory: '2Gi' } } }), testContainer('b', { resources: { requests: { memory: '1Gi' } } })],
      });
      expect(oomScoreAdj(pod, pod.spec.containers[1]!, capacity)).to.equal(900);
      expect(oomScoreAdj(pod, pod.spec.initContainers![0]!, capacity)).to.equal(900);
    });
  });

  describe('podCgroupParent', () => {
    const cases: { name: string; pod: Pod; want: string }[] = [
      { name: 'guaranteed pods sit directly under the root', pod: onePod({ limits: { cpu: '1', memory: '1Gi' } }, { uid: 'abc-1' }), want: 'podabc-1' },
      { name: 'burstable', pod: onePod({ requests: { cpu: '1' } }, { uid: 'abc-2' }), want: 'burstable/podabc-2' },
      { name: 'best effort', pod: onePod({}, { uid: 'abc-3' }), want: 'besteffort/podabc-3' },
    ];
    for (const tc of cases) it(tc.name, () => expect(podCgroupParent(tc.pod)).to.equal(tc.want));

    it('refuses a uid that would escape the cgroup tree', () => {
      expect(() => podCgroupParent(testPod({ uid: '../x' }))).to.throw(PodSpecError).with.property('field', 'metadata.uid');
    });
  });
});
