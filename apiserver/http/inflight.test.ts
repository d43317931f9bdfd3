import { expect } from 'chai';
import { InflightLimiter, requestClass, type RequestClass } from './inflight.js';
import { isLongRunning, isMutating } from './longRunning.js';
import { resolveRequest } from './requestInfo.js';
import { servingLimits } from './servingLimits.js';

describe('in-flight classes and long-running requests', () => {
  const classes = [
    { name: 'a cluster admin', user: { name: 'admin', uid: '1', groups: ['system:masters'] }, want: 'system' },
    { name: 'a node agent', user: { name: 'system:node:n1', uid: '', groups: ['system:nodes', 'system:authenticated'] }, want: 'system' },
    { name: 'the scheduler', user: { name: 'system:kube-scheduler', uid: '', groups: [] }, want: 'system' },
    { name: 'the controller manager', user: { name: 'system:kube-controller-manager', uid: '', groups: [] }, want: 'system' },
    { name: 'a user', user: { name: 'alice', uid: '3', groups: ['system:authenticated'] }, want: 'workload' },
    { name: 'someone naming themselves like a node without the group', user: { name: 'system:node:n1', uid: '', groups: [] }, want: 'workload' },
    { name: 'anonymous', user: { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] }, want: 'workload' },
  ];
  for (const tc of classes) {
    it(`classes ${tc.name} as ${tc.want}`, () => expect(requestClass(tc.user)).to.equal(tc.want));
  }

  const requests = [
    { method: 'GET', path: '/api/v1/pods', query: '', longRunning: false, mutating: false },
    { method: 'GET', path: '/api/v1/pods', query: 'watch=true', longRunning: true, mutating: false },
    { method: 'GET', path: '/api/v1/namespaces/a/pods/p', query: 'watch=1', longRunning: true, mutating: false },
    { method: 'GET', path: '/api/v1/namespaces/a/pods/p/log', query: 'follow=true', longRunning: true, mutating: false },
    { method: 'POST', path: '/api/v1/namespaces/a/pods/p/exec', query: 'command=sh', longRunning: true, mutating: false },
    { method: 'GET', path: '/api/v1/namespaces/a/pods/p/portforward', query: '', longRunning: true, mutating: false },
    { method: 'GET', path: '/api/v1/nodes/n1/proxy', query: '', longRunning: true, mutating: false },
    { method: 'POST', path: '/api/v1/namespaces/a/pods', query: '', longRunning: false, mutating: true },
    { method: 'PUT', path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', query: '', longRunning: false, mutating: true },
    { method: 'PATCH', path: '/api/v1/nodes/n1/status', query: '', longRunning: false, mutating: true },
    { method: 'DELETE', path: '/api/v1/namespaces/a/pods', query: '', longRunning: false, mutating: true },
    { method: 'GET', path: '/healthz', query: '', longRunning: false, mutating: false },
  ];
  for (const tc of requests) {
    it(`${tc.method} ${tc.path}${tc.query ? '?' + tc.query : ''}: long-running ${tc.longRunning}, mutating ${tc.mutating}`, () => {
      const info = resolveRequest(tc.method, tc.path, new URLSearchParams(tc.query));
      expect(isLongRunning(info)).to.equal(tc.longRunning);
      if (!tc.longRunning) expect(isMutating(info)).to.equal(tc.mutating);
    });
  }

  /** No waiting and no per-user cap: the budgets alone. */
  const budgetsOnly = { maxSeatsPerUserPercent: 100, queueLengthPerUser: 0, queueWaitMs: 1_000 };
  /** A seat at once (its release), or undefined when refused. */
  const take = (l: InflightLimiter, cls: RequestClass, mutating: boolean, user = 'u'): (() => void) | undefined => {
    let release: (() => void) | undefined;
    l.acquire(cls, mutating, user, (r) => (release = r), () => undefined);
    return release;
  };

  it('keeps each class and kind to its own budget and gives slots back once', () => {
    const l = new InflightLimiter({ workload: { readonly: 2, mutating: 1 }, system: { readonly: 1, mutating: 1 } }, budgetsOnly);
    const r1 = take(l, 'workload', false);
    const r2 = take(l, 'workload', false);
    expect(r1).to.be.a('function');
    expect(r2).to.be.a('function');
    expect(take(l, 'workload', false), 'third read of the workload class').to.equal(undefined);
    // The workload class being full takes nothing from the system's budget or from the mutating one.
    expect(take(l, 'system', false)).to.be.a('function');
    const w = take(l, 'workload', true);
    expect(w).to.be.a('function');
    expect(take(l, 'workload', true)).to.equal(undefined);
    r1!();
    r1!();
    expect(l.inflight('workload', false)).to.equal(1);
    expect(take(l, 'workload', false)).to.be.a('function');
    expect(take(l, 'workload', false)).to.equal(undefined);
  });

  it('treats a limit of 0 as unlimited', () => {
    const l = new InflightLimiter({ workload: { readonly: 0, mutating: 0 }, system: { readonly: 0, mutating: 0 } }, { ...budgetsOnly, maxSeatsPerUserPercent: 50 });
    for (let i = 0; i < 1000; i++) expect(take(l, 'workload', true)).to.be.a('function');
    expect(l.inflight('workload', true)).to.equal(1000);
  });

  it('caps one user at its share of each budget (half by default, at least one seat)', () => {
    const l = new InflightLimiter({ workload: { readonly: 5, mutating: 1 }, system: { readonly: 400, mutating: 200 } }, servingLimits().fairness);
    const held = Array.from({ length: 5 }, () => take(l, 'workload', false, 'flooder'));
    expect(held.filter(Boolean)).to.have.length(3);
    expect(l.queued('workload', false, 'flooder')).to.equal(2);
    expect(take(l, 'workload', false, 'alice'), 'another user still finds a seat').to.be.a('function');
    expect(take(l, 'workload', true, 'flooder'), 'a budget of one seat: the one user may hold it').to.be.a('function');
  });

  const bad = [
    { name: 'a negative timeout', limits: { requestTimeoutMs: -1 } },
    { name: 'a fractional connection cap', limits: { maxConnectionsPerSource: 1.5 } },
    { name: 'a zero request timeout', limits: { requestTimeoutMs: 0 } },
    { name: 'a negative queue length', limits: { fairness: { queueLengthPerUser: -1 } } },
    { name: 'a per-user share of 0%', limits: { fairness: { maxSeatsPerUserPercent: 0 } } },
    { name: 'a per-user share over 100%', limits: { fairness: { maxSeatsPerUserPercent: 150 } } },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => expect(() => servingLimits(tc.limits)).to.throw(/must be/));
  }

  it('keeps the header timeout within the request timeout (Node refuses otherwise) and fills in defaults', () => {
    const l = servingLimits({ requestTimeoutMs: 5_000, inflight: { workload: { readonly: 1, mutating: 1 } } });
    expect(l.headersTimeoutMs).to.equal(5_000);
    expect(l.inflight.system).to.deep.equal({ readonly: 400, mutating: 200 });
    expect(servingLimits().requestTimeoutMs).to.equal(60_000);
    expect(l.fairness.queueWaitMs, 'a quarter of the request timeout').to.equal(1_250);
    expect(servingLimits().fairness).to.deep.equal({ maxSeatsPerUserPercent: 50, queueLengthPerUser: 50, queueWaitMs: 15_000 });
  });
});
