import { expect } from 'chai';
import { makePod } from '../../common/testing/builders.js';
import { makePodInfo } from '../framework/podInfo.js';
import type { PodDisruptionBudget } from '../framework/types.js';
import { makeBudget } from '../testing/budgets.js';
import { splitByBudgetViolation } from './budgetViolations.js';

const pod = (name: string, labels: Record<string, string> = { app: 'web' }, ns = 'default') => makePodInfo(makePod().name(name).namespace(ns).labels(labels).obj());

describe('splitByBudgetViolation (filterPodsWithPDBViolation)', () => {
  const cases: { name: string; victims: ReturnType<typeof pod>[]; pdbs: PodDisruptionBudget[]; violating: string[] }[] = [
    { name: 'no budgets: nothing violates', victims: [pod('a'), pod('b')], pdbs: [], violating: [] },
    { name: 'allowance 1: the first victim spends it, the second violates', victims: [pod('a'), pod('b')], pdbs: [makeBudget('web').matchLabels({ app: 'web' }).allowed(1).obj()], violating: ['b'] },
    { name: 'allowance 0: every selected victim violates', victims: [pod('a'), pod('b'), pod('other', { app: 'db' })], pdbs: [makeBudget('web').matchLabels({ app: 'web' }).allowed(0).obj()], violating: ['a', 'b'] },
    { name: 'allowance 2 covers two victims', victims: [pod('a'), pod('b')], pdbs: [makeBudget('web').matchLabels({ app: 'web' }).allowed(2).obj()], violating: [] },
    {
      name: 'a pod already in disruptedPods spends nothing again',
      victims: [pod('a'), pod('b')],
      pdbs: [makeBudget('web').matchLabels({ app: 'web' }).allowed(1).disrupted('a').obj()],
      violating: [],
    },
    { name: 'a budget of another namespace does not apply', victims: [pod('a'), pod('b', { app: 'web' }, 'prod')], pdbs: [makeBudget('web').namespace('prod').matchLabels({ app: 'web' }).allowed(0).obj()], violating: ['b'] },
    { name: 'an empty selector selects nothing here', victims: [pod('a')], pdbs: [makeBudget('all').selector({}).allowed(0).obj()], violating: [] },
    { name: 'a missing selector selects nothing', victims: [pod('a')], pdbs: [makeBudget('none').selector(undefined).allowed(0).obj()], violating: [] },
    { name: 'an invalid selector selects nothing', victims: [pod('a')], pdbs: [makeBudget('bad').selector({ matchExpressions: [{ key: 'app', operator: 'Sometimes', values: ['web'] }] }).allowed(0).obj()], violating: [] },
    { name: 'a pod without labels matches no budget', victims: [pod('bare', {})], pdbs: [makeBudget('x').selector({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }).allowed(0).obj()], violating: [] },
    {
      name: 'matchExpressions select; each of two budgets is spent separately',
      victims: [pod('a', { app: 'web', tier: 'front' }), pod('b', { app: 'web', tier: 'back' }), pod('c', { app: 'web', tier: 'front' })],
      pdbs: [makeBudget('front').selector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }).allowed(1).obj(), makeBudget('web').matchLabels({ app: 'web' }).allowed(3).obj()],
      violating: ['c'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { violating, nonViolating } = splitByBudgetViolation(tc.victims, tc.pdbs);
      expect(violating.map((p) => p.name)).to.deep.equal(tc.violating);
      // Every victim lands in exactly one list, order kept.
      expect(nonViolating.map((p) => p.name)).to.deep.equal(tc.victims.map((p) => p.name).filter((n) => !tc.violating.includes(n)));
    });
  }

  it('does not change the budgets it reads', () => {
    const pdb = makeBudget('web').matchLabels({ app: 'web' }).allowed(1).obj();
    splitByBudgetViolation([pod('a'), pod('b')], [pdb]);
    expect(pdb.status?.disruptionsAllowed).to.equal(1);
  });
});
