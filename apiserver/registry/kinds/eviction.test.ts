import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { ApiError } from '../../../common/errors.js';
import { decideEviction, spendDisruption, violatesBudgetMessage } from './eviction.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');

function pod(opts: { phase?: string; ready?: boolean; labels?: Record<string, string>; deleting?: boolean } = {}): KubeObject {
  return {
    metadata: { name: 'web-1', namespace: 'default', labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-12-07T09:00:00Z' } : {}) },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function pdb(name: string, opts: { selector?: unknown; allowed?: number; current?: number; desired?: number; policy?: string; generation?: number; observed?: number } = {}): KubeObject {
  return {
    metadata: { name, namespace: 'default', generation: opts.generation ?? 1, resourceVersion: '7' },
    spec: { selector: 'selector' in opts ? opts.selector : { matchLabels: { app: 'web' } }, ...(opts.policy ? { unhealthyPodEvictionPolicy: opts.policy } : {}) },
    status: { observedGeneration: opts.observed ?? 1, disruptionsAllowed: opts.allowed ?? 1, currentHealthy: opts.current ?? 3, desiredHealthy: opts.desired ?? 2, expectedPods: 3 },
  };
}

describe('decideEviction', () => {
  const cases: { name: string; pod: KubeObject; pdbs: KubeObject[]; want: 'delete' | 'spend' | RegExp }[] = [
    { name: 'no budget: delete', pod: pod(), pdbs: [], want: 'delete' },
    { name: 'a budget selecting other pods: delete', pod: pod(), pdbs: [pdb('db', { selector: { matchLabels: { app: 'db' } } })], want: 'delete' },
    { name: 'a budget without a selector selects nothing', pod: pod(), pdbs: [pdb('none', { selector: undefined })], want: 'delete' },
    { name: 'an empty selector selects every pod (policy/v1)', pod: pod(), pdbs: [pdb('all', { selector: {} })], want: 'spend' },
    { name: 'a ready pod under a budget: spend', pod: pod(), pdbs: [pdb('web')], want: 'spend' },
    { name: 'a pending pod takes nothing from the budget', pod: pod({ phase: 'Pending' }), pdbs: [pdb('web', { allowed: 0 })], want: 'delete' },
    { name: 'a succeeded pod takes nothing', pod: pod({ phase: 'Succeeded' }), pdbs: [pdb('web', { allowed: 0 })], want: 'delete' },
    { name: 'a pod already being deleted', pod: pod({ deleting: true }), pdbs: [pdb('web', { allowed: 0 })], want: 'delete' },
    { name: 'two budgets: 500', pod: pod(), pdbs: [pdb('a'), pdb('b')], want: /more than one PodDisruptionBudget/ },
    { name: 'unhealthy, IfHealthyBudget, budget met: delete', pod: pod({ ready: false }), pdbs: [pdb('web', { allowed: 0, current: 2, desired: 2 })], want: 'delete' },
    { name: 'unhealthy, IfHealthyBudget, budget not met: spend (and be refused)', pod: pod({ ready: false }), pdbs: [pdb('web', { allowed: 0, current: 1, desired: 2 })], want: 'spend' },
    { name: 'unhealthy, IfHealthyBudget, desiredHealthy 0: spend', pod: pod({ ready: false }), pdbs: [pdb('web', { allowed: 0, current: 0, desired: 0 })], want: 'spend' },
    { name: 'unhealthy, AlwaysAllow: delete', pod: pod({ ready: false }), pdbs: [pdb('web', { allowed: 0, current: 1, desired: 2, policy: 'AlwaysAllow' })], want: 'delete' },
    { name: 'healthy, AlwaysAllow: spend', pod: pod(), pdbs: [pdb('web', { policy: 'AlwaysAllow' })], want: 'spend' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.want instanceof RegExp) {
        try {
          decideEviction(tc.pod, tc.pdbs);
          expect.fail('no error');
        } catch (e) {
          expect(e).to.be.instanceOf(ApiError);
          expect((e as ApiError).code).to.equal(500);
          expect((e as ApiError).message).to.match(tc.want);
        }
        return;
      }
      expect(decideEviction(tc.pod, tc.pdbs).action).to.equal(tc.want);
    });
  }
});

describe('spendDisruption', () => {
  const cases: { name: string; pdb: KubeObject; code?: number; cause?: string; allowedAfter?: number; condition?: string }[] = [
    { name: 'one of two spent', pdb: pdb('web', { allowed: 2 }), allowedAfter: 1 },
    { name: 'the last one spent: condition InsufficientPods', pdb: pdb('web', { allowed: 1 }), allowedAfter: 0, condition: 'InsufficientPods' },
    { name: 'none left: 429 with the numbers', pdb: pdb('web', { allowed: 0, current: 2, desired: 2 }), code: 429, cause: 'The disruption budget web needs 2 healthy pods and has 2 currently' },
    { name: 'the controller has not seen the latest spec: 429', pdb: pdb('web', { generation: 2, observed: 1 }), code: 429, cause: 'The disruption budget web is still being processed by the server.' },
    { name: 'a negative allowance: 403', pdb: pdb('web', { allowed: -1 }), code: 403 },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.code) {
        try {
          spendDisruption(tc.pdb, 'web-1', NOW);
          expect.fail('no error');
        } catch (e) {
          const err = e as ApiError;
          expect(err.code).to.equal(tc.code);
          if (tc.code === 429) {
            expect(err.message).to.equal(violatesBudgetMessage);
            expect(err.details.causes).to.deep.equal([{ reason: 'DisruptionBudget', message: tc.cause }]);
          }
        }
        return;
      }
      const out = spendDisruption(tc.pdb, 'web-1', NOW);
      const status = out.status as Record<string, unknown>;
      expect(status.disruptionsAllowed).to.equal(tc.allowedAfter);
      expect(status.disruptedPods).to.deep.equal({ 'web-1': '2026-12-07T10:00:00Z' });
      expect(out.metadata.resourceVersion, 'kept as the write precondition').to.equal('7');
      expect(tc.pdb.status, 'input untouched').to.not.have.property('disruptedPods');
      const cond = (status.conditions as Record<string, unknown>[] | undefined)?.find((c) => c.type === 'DisruptionAllowed');
      expect(cond?.reason).to.equal(tc.condition);
    });
  }
});
