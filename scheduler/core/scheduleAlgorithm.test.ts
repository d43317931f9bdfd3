import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { Snapshot } from '../cache/snapshot.js';
import { makePodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import { buildFramework, resolveProfile } from '../config/profile.js';
import { FitError, emptyDiagnosis } from './fitError.js';
import { numFeasibleNodesToFind, ScheduleAlgorithm } from './scheduleAlgorithm.js';

describe('numFeasibleNodesToFind (percentageOfNodesToScore)', () => {
  const cases = [
    { nodes: 50, pct: 0, want: 50 },
    { nodes: 99, pct: 0, want: 99 },
    { nodes: 100, pct: 0, want: 100 }, // 49.2% of 100 is below the 100-node floor
    { nodes: 1000, pct: 0, want: 420 }, // 50 - 8 = 42%
    { nodes: 5000, pct: 0, want: 500 }, // 50 - 40 = 10%
    { nodes: 6000, pct: 0, want: 300 }, // 50 - 48 = 2% -> 5%
    { nodes: 5000, pct: 30, want: 1500 },
    { nodes: 5000, pct: 100, want: 5000 },
    { nodes: 1000, pct: 1, want: 100 },
  ];
  for (const tc of cases) it(`${tc.nodes} nodes at ${tc.pct || 'adaptive'}% -> ${tc.want}`, () => expect(numFeasibleNodesToFind(tc.pct, tc.nodes)).to.equal(tc.want));
});

describe('FitError message', () => {
  it('counts reasons over nodes, sorted as kube-scheduler sorts them', () => {
    const d = emptyDiagnosis();
    for (const n of ['a', 'b', 'c']) d.nodeToStatus.set(n, Status.unschedulable('Insufficient cpu'));
    for (const n of ['d', 'e']) d.nodeToStatus.set(n, Status.unresolvable('node(s) had untolerated taint {dedicated: gpu}'));
    expect(new FitError('default/p', 5, d).message).to.equal('0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu.');
    d.postFilterMsg = 'preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling';
    expect(new FitError('default/p', 5, d).message).to.match(/cpu\. preemption: 0\/5 nodes are available: 5 Preemption is not helpful for scheduling\.$/);
  });
  it('counts every reason of a node', () => {
    const d = emptyDiagnosis();
    d.nodeToStatus.set('a', Status.unschedulable('Insufficient cpu', 'Insufficient memory'));
    d.nodeToStatus.set('b', Status.unschedulable('Insufficient memory'));
    expect(new FitError('x', 2, d).message).to.equal('0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.');
  });
});

describe('ScheduleAlgorithm', () => {
  const fwk = () => buildFramework('default-scheduler', resolveProfile());
  const nodes = (n: number) => Array.from({ length: n }, (_, i) => makeNode().name(`n${String(i).padStart(4, '0')}`).capacity({ cpu: '4', memory: '8Gi' }).obj());

  it('finds only a sample of feasible nodes on large clusters and rotates where it starts', () => {
    const snap = Snapshot.from(nodes(1000));
    const alg = new ScheduleAlgorithm(fwk(), { random: () => 0 });
    const pod = makePodInfo(makePod().name('p').requests({ cpu: '1' }).obj());
    const a = alg.schedule(pod, snap);
    const b = alg.schedule(pod, snap);
    if (a.kind !== 'scheduled' || b.kind !== 'scheduled') throw new Error('expected both scheduled');
    expect(a.evaluatedNodes).to.equal(420);
    expect(a.feasibleNodes).to.equal(420);
    // All equal: the first window picks among n0000..n0419, the next among n0420..n0839.
    expect(a.nodeName < 'n0420').to.equal(true);
    expect(b.nodeName >= 'n0420' && b.nodeName < 'n0840').to.equal(true);
  });

  it('scores: packs onto the fuller node', () => {
    const ns = nodes(3);
    const placed = [{ pi: makePodInfo(makePod().name('x').requests({ cpu: '2', memory: '4Gi' }).nodeName('n0001').obj()), nodeName: 'n0001' }];
    const out = new ScheduleAlgorithm(fwk()).schedule(makePodInfo(makePod().name('p').requests({ cpu: '1', memory: '2Gi' }).obj()), Snapshot.from(ns, placed));
    expect(out.kind === 'scheduled' && out.nodeName).to.equal('n0001');
  });

  it('reports every node when nothing fits', () => {
    const ns = [...nodes(3), makeNode().name('gpu1').taint('dedicated', 'gpu', 'NoSchedule').obj(), makeNode().name('gpu2').taint('dedicated', 'gpu', 'NoSchedule').obj()];
    const out = new ScheduleAlgorithm(fwk()).schedule(makePodInfo(makePod().name('p').requests({ cpu: '5' }).obj()), Snapshot.from(ns));
    if (out.kind !== 'unschedulable') throw new Error(out.kind);
    expect(out.error.message).to.equal('0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu.');
    expect([...out.error.diagnosis.unschedulablePlugins].sort()).to.deep.equal(['NodeResourcesFit', 'TaintToleration']);
  });

  it('says so when there are no nodes', () => {
    const out = new ScheduleAlgorithm(fwk()).schedule(makePodInfo(makePod().name('p').obj()), new Snapshot());
    if (out.kind !== 'unschedulable') throw new Error(out.kind);
    expect(out.error.message).to.equal('0/0 nodes are available: no nodes available to schedule pods.');
  });
});
