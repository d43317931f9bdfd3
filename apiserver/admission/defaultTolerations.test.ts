import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { admitDefaultTolerations } from './defaultTolerations.js';

const pod = (tolerations?: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }], ...(tolerations ? { tolerations } : {}) } });
const notReady = (s: number): object => ({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s });
const unreachable = (s: number): object => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s });

describe('admitDefaultTolerations', () => {
  const cases: { name: string; given?: unknown[]; want: unknown[] }[] = [
    { name: 'no tolerations: both added', want: [notReady(4), unreachable(7)] },
    { name: 'unrelated tolerations are kept, both added', given: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }], want: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, notReady(4), unreachable(7)] },
    { name: 'an own not-ready toleration wins; unreachable added', given: [notReady(600)], want: [notReady(600), unreachable(7)] },
    { name: 'a not-ready toleration for every effect counts', given: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }], want: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }, unreachable(7)] },
    { name: 'a NoSchedule toleration of unreachable does not count', given: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }], want: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, notReady(4), unreachable(7)] },
    { name: 'tolerate everything (key-less Exists): nothing added', given: [{ operator: 'Exists' }], want: [{ operator: 'Exists' }] },
    { name: 'key-less NoExecute toleration: nothing added', given: [{ operator: 'Exists', effect: 'NoExecute' }], want: [{ operator: 'Exists', effect: 'NoExecute' }] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const p = pod(tc.given);
      admitDefaultTolerations(p, { notReady: 4, unreachable: 7 });
      expect((p.spec as { tolerations: unknown[] }).tolerations).to.deep.equal(tc.want);
    });
  }
  it('a pod without a spec gets one', () => {
    const p: KubeObject = { metadata: { name: 'p' } };
    admitDefaultTolerations(p, { notReady: 1, unreachable: 1 });
    expect((p.spec as { tolerations: unknown[] }).tolerations).to.have.length(2);
  });
});
