// Preemption with PodDisruptionBudgets, as Kubernetes' DefaultPreemption: on a node, pods
// whose eviction would break a budget are offered back first; among nodes, the fewest
// budget violations first, then the lowest highest-priority victim, the smallest sum of
// priorities, the fewest victims and the latest start. The whole default profile filters.

import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { buildFramework, resolveProfile } from '../config/profile.js';
import { staticBudgets } from '../framework/listers.js';
import { makePodInfo } from '../framework/podInfo.js';
import type { Node, Pod, PodDisruptionBudget } from '../framework/types.js';
import { Nominator } from '../queue/nominator.js';
import { snapshotOf, type Placed } from '../testing/pluginHarness.js';
import { makeBudget } from '../testing/budgets.js';
import { Preemptor } from './preemption.js';
import { ScheduleAlgorithm } from './scheduleAlgorithm.js';

const node = (name: string, cpu = '4'): Node => makeNode().name(name).capacity({ cpu, memory: '16Gi', pods: '110' }).obj();

interface Victim {
  name: string;
  node: string;
  priority: number;
  cpu?: string;
  app?: string;
  startTime?: string;
}

const placed = (vs: Victim[]): Placed[] =>
  vs.map((v) => {
    const b = makePod().name(v.name).priority(v.priority).requests({ cpu: v.cpu ?? '2' }).startTime(v.startTime ?? '2026-01-01T10:00:00Z');
    if (v.app) b.labels({ app: v.app });
    return { pod: b.obj(), node: v.node };
  });

const urgent = (cpu = '4'): Pod => makePod().name('urgent').priority(1000).requests({ cpu }).obj();

function setup(nodes: Node[], victims: Victim[], pdbs: PodDisruptionBudget[], preemptor: Pod) {
  const fwk = buildFramework('default-scheduler', resolveProfile());
  fwk.setNominator(new Nominator());
  const snap = snapshotOf(nodes, placed(victims));
  const pi = makePodInfo(preemptor);
  const out = new ScheduleAlgorithm(fwk, { random: () => 0 }).schedule(pi, snap);
  if (out.kind !== 'unschedulable') throw new Error(`the preemptor should fit nowhere, got ${out.kind}`);
  const p = new Preemptor(fwk, { random: () => 0, budgets: staticBudgets(pdbs) });
  return { p, pi, snap, out };
}

const guarded = (allowed: number, app = 'guarded') => makeBudget(`${app}-pdb`).matchLabels({ app }).allowed(allowed).obj();

describe('Preemptor: node choice with PodDisruptionBudgets (pickOneNodeForPreemption)', () => {
  const cases: { name: string; nodes?: Node[]; victims: Victim[]; pdbs: PodDisruptionBudget[]; wantNode: string; wantVictims: string[]; wantViolations: number }[] = [
    {
      name: 'a node whose victim the budget lets go beats an otherwise equal node whose victim would break it',
      victims: [
        { name: 'g', node: 'n1', priority: 5, cpu: '4', app: 'guarded' },
        { name: 'f', node: 'n2', priority: 5, cpu: '4', app: 'free' },
      ],
      pdbs: [guarded(0)],
      wantNode: 'n2',
      wantVictims: ['f'],
      wantViolations: 0,
    },
    {
      name: 'the same with the nodes the other way round (no bias from the order examined)',
      victims: [
        { name: 'f', node: 'n1', priority: 5, cpu: '4', app: 'free' },
        { name: 'g', node: 'n2', priority: 5, cpu: '4', app: 'guarded' },
      ],
      pdbs: [guarded(0)],
      wantNode: 'n1',
      wantVictims: ['f'],
      wantViolations: 0,
    },
    {
      name: 'a budget that allows the disruption counts for nothing: equal nodes fall to the next rule (latest start)',
      victims: [
        { name: 'g', node: 'n1', priority: 5, cpu: '4', app: 'guarded', startTime: '2026-01-01T11:00:00Z' },
        { name: 'f', node: 'n2', priority: 5, cpu: '4', app: 'free', startTime: '2026-01-01T10:00:00Z' },
      ],
      pdbs: [guarded(1)],
      wantNode: 'n1',
      wantVictims: ['g'],
      wantViolations: 0,
    },
    {
      name: 'fewer violations come before a lower highest-priority victim',
      victims: [
        { name: 'g', node: 'n1', priority: 1, cpu: '4', app: 'guarded' },
        { name: 'f', node: 'n2', priority: 50, cpu: '4', app: 'free' },
      ],
      pdbs: [guarded(0)],
      wantNode: 'n2',
      wantVictims: ['f'],
      wantViolations: 0,
    },
    {
      name: 'the allowance is spent per plan: two guarded victims on one node break a budget of 1, one on another does not',
      victims: [
        { name: 'g1', node: 'n1', priority: 1, app: 'guarded' },
        { name: 'g2', node: 'n1', priority: 1, app: 'guarded' },
        { name: 'g3', node: 'n2', priority: 5, cpu: '4', app: 'guarded' },
      ],
      pdbs: [guarded(1)],
      wantNode: 'n2',
      wantVictims: ['g3'],
      wantViolations: 0,
    },
    {
      name: 'when every node breaks a budget, preemption still happens: lowest highest-priority victim',
      victims: [
        { name: 'g1', node: 'n1', priority: 10, cpu: '4', app: 'guarded' },
        { name: 'g2', node: 'n2', priority: 5, cpu: '4', app: 'guarded' },
      ],
      pdbs: [guarded(0)],
      wantNode: 'n2',
      wantVictims: ['g2'],
      wantViolations: 1,
    },
    {
      name: 'equal violations and highest priority: the smaller sum of priorities',
      victims: [
        { name: 'a1', node: 'n1', priority: 5 },
        { name: 'a2', node: 'n1', priority: 3 },
        { name: 'b1', node: 'n2', priority: 5 },
        { name: 'b2', node: 'n2', priority: 1 },
      ],
      pdbs: [],
      wantNode: 'n2',
      wantVictims: ['b1', 'b2'],
      wantViolations: 0,
    },
    {
      name: 'equal up to the start: the node whose highest-priority victims started last',
      victims: [
        { name: 'old', node: 'n1', priority: 5, cpu: '4', startTime: '2026-01-01T09:00:00Z' },
        { name: 'new', node: 'n2', priority: 5, cpu: '4', startTime: '2026-01-01T12:00:00Z' },
      ],
      pdbs: [],
      wantNode: 'n2',
      wantVictims: ['new'],
      wantViolations: 0,
    },
    {
      name: 'a budget of another namespace does not protect a victim',
      victims: [
        { name: 'g', node: 'n1', priority: 1, cpu: '4', app: 'guarded' },
        { name: 'f', node: 'n2', priority: 5, cpu: '4', app: 'free' },
      ],
      pdbs: [makeBudget('elsewhere').namespace('prod').matchLabels({ app: 'guarded' }).allowed(0).obj()],
      wantNode: 'n1',
      wantVictims: ['g'],
      wantViolations: 0,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { p, pi, snap, out } = setup(tc.nodes ?? [node('n1'), node('n2')], tc.victims, tc.pdbs, urgent());
      const r = p.preempt(pi, snap, out.error.diagnosis, out.state);
      expect(r.candidate, r.message).to.not.equal(undefined);
      expect(r.candidate!.nodeName).to.equal(tc.wantNode);
      expect(r.candidate!.victims.map((v) => v.name)).to.deep.equal(tc.wantVictims);
      expect(r.candidate!.numPDBViolations).to.equal(tc.wantViolations);
    });
  }

  it('looks past the share of nodes it examines while every candidate found breaks a budget', () => {
    // One candidate is enough (absolute minimum 1), but the first examined breaks a budget.
    const fwk = buildFramework('default-scheduler', resolveProfile());
    fwk.setNominator(new Nominator());
    const snap = snapshotOf([node('n1'), node('n2'), node('n3')], placed([
      { name: 'g1', node: 'n1', priority: 1, cpu: '4', app: 'guarded' },
      { name: 'g2', node: 'n2', priority: 1, cpu: '4', app: 'guarded' },
      { name: 'f', node: 'n3', priority: 50, cpu: '4', app: 'free' },
    ]));
    const pi = makePodInfo(urgent());
    const out = new ScheduleAlgorithm(fwk).schedule(pi, snap);
    if (out.kind !== 'unschedulable') throw new Error(out.kind);
    const narrow = new Preemptor(fwk, { random: () => 0, minCandidateNodesAbsolute: 1, minCandidateNodesPercentage: 0, budgets: staticBudgets([guarded(0)]) });
    const r = narrow.preempt(pi, snap, out.error.diagnosis, out.state);
    expect(r.candidate?.nodeName).to.equal('n3');
    // Without budgets the first node examined is enough.
    const plain = new Preemptor(fwk, { random: () => 0, minCandidateNodesAbsolute: 1, minCandidateNodesPercentage: 0 });
    expect(plain.preempt(pi, snap, out.error.diagnosis, out.state).candidate?.nodeName).to.equal('n1');
  });
});

describe('Preemptor: victims on one node with PodDisruptionBudgets (SelectVictimsOnNode)', () => {
  const cases: { name: string; cpu: string; preemptorCpu: string; victims: Omit<Victim, 'node'>[]; pdbs: PodDisruptionBudget[]; wantVictims: string[]; wantViolations: number }[] = [
    {
      name: 'without budgets the more important pod is offered back first and stays',
      cpu: '4',
      preemptorCpu: '2',
      victims: [
        { name: 'important', priority: 5, app: 'free' },
        { name: 'guarded', priority: 1, app: 'guarded' },
      ],
      pdbs: [],
      wantVictims: ['guarded'],
      wantViolations: 0,
    },
    {
      name: 'the pod whose eviction would break a budget is offered back before a more important one',
      cpu: '4',
      preemptorCpu: '2',
      victims: [
        { name: 'important', priority: 5, app: 'free' },
        { name: 'guarded', priority: 1, app: 'guarded' },
      ],
      pdbs: [guarded(0)],
      wantVictims: ['important'],
      wantViolations: 0,
    },
    {
      name: 'an allowance of 1: the more important guarded pod spends it and goes; the other guarded pod stays',
      cpu: '6',
      preemptorCpu: '4',
      victims: [
        { name: 'g-high', priority: 5, app: 'guarded' },
        { name: 'g-low', priority: 3, app: 'guarded' },
        { name: 'free', priority: 1, app: 'free' },
      ],
      pdbs: [guarded(1)],
      wantVictims: ['g-high', 'free'],
      wantViolations: 0,
    },
    {
      name: 'guarded pods that must go all the same are counted, and the victims are most important first',
      cpu: '4',
      preemptorCpu: '4',
      victims: [
        { name: 'g-low', priority: 1, app: 'guarded' },
        { name: 'g-high', priority: 7, app: 'guarded' },
      ],
      pdbs: [guarded(0)],
      wantVictims: ['g-high', 'g-low'],
      wantViolations: 2,
    },
    {
      name: 'a pod the budget already counts as disrupted does not violate it',
      cpu: '4',
      preemptorCpu: '4',
      victims: [
        { name: 'g1', priority: 1, app: 'guarded' },
        { name: 'g2', priority: 1, app: 'guarded' },
      ],
      pdbs: [makeBudget('guarded-pdb').matchLabels({ app: 'guarded' }).allowed(1).disrupted('g2').obj()],
      wantVictims: ['g1', 'g2'],
      wantViolations: 0,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { p, pi, snap, out } = setup([node('n1', tc.cpu)], tc.victims.map((v) => ({ ...v, node: 'n1' })), tc.pdbs, urgent(tc.preemptorCpu));
      const got = p.selectVictims(pi, snap.get('n1')!, out.state);
      expect(got).to.not.equal(undefined);
      expect(got!.victims.map((v) => v.name)).to.deep.equal(tc.wantVictims);
      expect(got!.numPDBViolations).to.equal(tc.wantViolations);
      // The snapshot's node is untouched: the plan works on a copy.
      expect(snap.get('n1')!.pods.map((x) => x.name).sort()).to.deep.equal(tc.victims.map((v) => v.name).sort());
    });
  }
});
