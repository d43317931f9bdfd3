import { expect } from 'chai';
import { rfc3339 } from '../../common/clock.js';
import type { Node, Pod } from '../nodelifecycle/types.js';
import { podGcOptions } from './index.js';
import { excessTerminated, judgePod, type PodVerdict } from './decide.js';

const now = Date.parse('2026-01-01T00:01:00Z');
const pod = (over: { node?: string; deleting?: number; phase?: string; created?: string; name?: string } = {}): Pod => ({
  metadata: { name: over.name ?? 'p', namespace: 'ns', uid: 'u', ...(over.deleting !== undefined ? { deletionTimestamp: rfc3339(over.deleting) } : {}), ...(over.created ? { creationTimestamp: over.created } : {}) },
  spec: { ...(over.node ? { nodeName: over.node } : {}) },
  status: { phase: over.phase ?? 'Running' },
});
const node = (taints: { key: string; effect: string }[] = []): Node => ({ metadata: { name: 'n1' }, spec: { taints } });

describe('PodGC decisions', () => {
  const q = { quarantineMs: 5_000 };
  const cases: { name: string; pod: Pod; node?: Node; missingSince?: number; want: PodVerdict['action']; ms?: number }[] = [
    { name: 'a running pod on a live node: keep', pod: pod({ node: 'n1' }), node: node(), want: 'keep' },
    { name: 'an unscheduled pod: keep', pod: pod(), want: 'keep' },
    { name: 'an unscheduled terminating pod: force delete', pod: pod({ deleting: now }), want: 'forceDelete' },
    { name: 'node missing for 2 s: wait out the quarantine', pod: pod({ node: 'n1' }), missingSince: now - 2_000, want: 'wait', ms: 3_000 },
    { name: 'node missing past the quarantine: delete the orphan', pod: pod({ node: 'n1' }), missingSince: now - 5_000, want: 'deleteOrphan' },
    { name: 'terminating on a healthy node: the agent finishes it', pod: pod({ node: 'n1', deleting: now - 60_000 }), node: node(), want: 'keep' },
    { name: 'terminating on an unreachable node, grace not over', pod: pod({ node: 'n1', deleting: now + 10_000 }), node: node([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), want: 'wait', ms: 10_000 },
    { name: 'terminating on an unreachable node past its grace', pod: pod({ node: 'n1', deleting: now - 1_000 }), node: node([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), want: 'forceDelete' },
    { name: 'terminating on an out-of-service node past its grace', pod: pod({ node: 'n1', deleting: now }), node: node([{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }]), want: 'forceDelete' },
    { name: 'a NoSchedule unreachable taint is not enough', pod: pod({ node: 'n1', deleting: now - 1_000 }), node: node([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]), want: 'keep' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const v = judgePod(tc.pod, tc.node, tc.missingSince, now, q);
      expect(v.action).to.equal(tc.want);
      if (tc.ms !== undefined) expect((v as { ms: number }).ms).to.equal(tc.ms);
    });
  }

  it('terminated pods beyond the threshold go oldest first; running and terminating ones are not counted', () => {
    const pods = [
      pod({ name: 'new', phase: 'Succeeded', created: '2026-01-01T00:00:30Z' }),
      pod({ name: 'old', phase: 'Failed', created: '2026-01-01T00:00:10Z' }),
      pod({ name: 'mid', phase: 'Succeeded', created: '2026-01-01T00:00:20Z' }),
      pod({ name: 'running', created: '2026-01-01T00:00:00Z' }),
      pod({ name: 'going', phase: 'Failed', deleting: now, created: '2026-01-01T00:00:00Z' }),
    ];
    expect(excessTerminated(pods, 1).map((p) => p.metadata.name)).to.deep.equal(['old', 'mid']);
    expect(excessTerminated(pods, 3)).to.deep.equal([]);
    expect(excessTerminated(pods, 0), '0 disables').to.deep.equal([]);
  });

  it('options: defaults and a clear error', () => {
    expect(podGcOptions({})).to.deep.equal({ terminatedPodThreshold: 12_500, quarantineMs: 5_000 });
    expect(() => podGcOptions({ threshold: 1 })).to.throw('controllerOptions.podgc: unknown setting "threshold"');
  });
});
