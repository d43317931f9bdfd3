import { expect } from 'chai';
import { formatAmount, nodeUsage, podAmounts, type PodLike } from './podAmounts.js';

const c = (requests: Record<string, string>, extra: object = {}): object => ({ name: 'x', resources: { requests }, ...extra });

describe('podAmounts (the bin-packer rules, from API objects)', () => {
  const cases: { name: string; spec: object; cpu: number; memory?: number }[] = [
    { name: 'containers add up', spec: { containers: [c({ cpu: '250m' }), c({ cpu: '0.5' })] }, cpu: 750 },
    { name: 'an init container larger than the containers wins', spec: { initContainers: [c({ cpu: '2' })], containers: [c({ cpu: '500m' })] }, cpu: 2000 },
    { name: 'init containers run one at a time: the largest counts', spec: { initContainers: [c({ cpu: '300m' }), c({ cpu: '400m' })], containers: [c({ cpu: '100m' })] }, cpu: 400 },
    { name: 'a sidecar adds to the containers', spec: { initContainers: [c({ cpu: '300m' }, { restartPolicy: 'Always' })], containers: [c({ cpu: '500m' })] }, cpu: 800 },
    { name: 'an init container after a sidecar runs beside it', spec: { initContainers: [c({ cpu: '300m' }, { restartPolicy: 'Always' }), c({ cpu: '1' })], containers: [c({ cpu: '100m' })] }, cpu: 1300 },
    { name: 'overhead on top', spec: { containers: [c({ cpu: '100m', memory: '1Mi' })], overhead: { cpu: '50m', memory: '1Mi' } }, cpu: 150, memory: 2 * 1024 * 1024 },
    { name: 'no requests: nothing', spec: { containers: [{ name: 'x' }] }, cpu: 0 },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const a = podAmounts({ spec: t.spec } as PodLike, 'requests');
      expect(a.get('cpu') ?? 0).to.equal(t.cpu);
      if (t.memory !== undefined) expect(a.get('memory')).to.equal(t.memory);
    });
  }

  it('a node carries the bound pods that have not finished', () => {
    const pod = (nodeName: string, phase: string): PodLike => ({ spec: { nodeName, containers: [c({ cpu: '1' })] }, status: { phase } });
    const u = nodeUsage([{ metadata: { name: 'n1' }, status: { allocatable: { cpu: '4', pods: '10' } } }], [pod('n1', 'Running'), pod('n1', 'Pending'), pod('n1', 'Succeeded'), pod('n1', 'Failed'), pod('n2', 'Running'), pod('', 'Pending')]);
    expect(u.get('n1')).to.deep.include({ pods: 2 });
    expect(u.get('n1')!.requests.get('cpu')).to.equal(2000);
    expect(u.get('n1')!.allocatable.get('pods')).to.equal(10);
  });

  const formats: [string, number, string][] = [
    ['cpu', 1500, '1500m'],
    ['memory', 0, '0'],
    ['memory', 4 * 1024 ** 3, '4Gi'],
    ['memory', 384 * 1024 ** 2, '384Mi'],
    ['memory', 1536, '1536'],
    ['memory', 2048, '2Ki'],
    ['pods', 110, '110'],
  ];
  for (const [name, v, want] of formats) it(`formats ${name} ${v} as ${want}`, () => expect(formatAmount(name, v)).to.equal(want));
});
