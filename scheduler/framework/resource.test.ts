import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { nodeAllocatable, podRequests } from './resource.js';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;

describe('pod requests (as Kubernetes counts them)', () => {
  const cases = [
    { name: 'no containers with requests', pod: makePod().name('a').obj(), cpu: 0, mem: 0 },
    { name: 'containers add up', pod: makePod().requests({ cpu: '500m', memory: '1Gi' }).requests({ cpu: '250m', memory: '512Mi' }).obj(), cpu: 750, mem: 1.5 * Gi },
    {
      name: 'an init container larger than the containers sets the peak',
      pod: makePod().requests({ cpu: '500m' }).initContainer({ cpu: '2' }).initContainer({ cpu: '1' }).obj(),
      cpu: 2000,
      mem: 0,
    },
    {
      name: 'init containers smaller than the containers do not count',
      pod: makePod().requests({ cpu: '1', memory: '1Gi' }).initContainer({ cpu: '500m', memory: '2Gi' }).obj(),
      cpu: 1000,
      mem: 2 * Gi,
    },
    {
      name: 'sidecar init containers add to the containers and to later init containers',
      pod: makePod().requests({ cpu: '1' }).initContainer({ cpu: '200m' }, true).initContainer({ cpu: '1900m' }).obj(),
      // containers + sidecar = 1200m; init peak = 1900m + 200m sidecar = 2100m
      cpu: 2100,
      mem: 0,
    },
    { name: 'overhead is added', pod: makePod().requests({ cpu: '100m', memory: '64Mi' }).overhead({ cpu: '50m', memory: '16Mi' }).obj(), cpu: 150, mem: 80 * Mi },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const r = podRequests(tc.pod);
      expect(r.milliCPU).to.equal(tc.cpu);
      expect(r.memory).to.equal(tc.mem);
    });
  }
  it('counts ephemeral-storage and extended resources', () => {
    const r = podRequests(makePod().requests({ 'ephemeral-storage': '1G', 'example.com/gpu': '2', 'hugepages-2Mi': '4Mi' }).obj());
    expect(r.ephemeralStorage).to.equal(1e9);
    expect(r.scalar?.get('example.com/gpu')).to.equal(2);
    expect(r.scalar?.get('hugepages-2Mi')).to.equal(4 * Mi);
  });
  it('reads node allocatable, including pods', () => {
    const a = nodeAllocatable(makeNode().name('n').capacity({ cpu: '4', memory: '8Gi', pods: '10' }).obj());
    expect(a).to.deep.include({ milliCPU: 4000, memory: 8 * Gi, allowedPodNumber: 10 });
  });
});
