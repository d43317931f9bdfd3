// The health endpoints' answers, in kube-apiserver's words, for checks that pass, fail or
// hang; and the etcd check's bound and its one probe in flight.

import { expect } from 'chai';
import { silentLogger } from '../../common/logging.js';
import { EtcdCheck, HealthEndpoints, pingCheck, type HealthCheck } from './health.js';

const failing = (name: string, reason = 'broken'): HealthCheck => ({ name, check: () => Promise.reject(new Error(reason)) });
const passing = (name: string): HealthCheck => ({ name, check: () => Promise.resolve() });

describe('health endpoints', () => {
  const healthy = new HealthEndpoints({ livez: [pingCheck], readyz: [pingCheck, passing('etcd')], healthz: [pingCheck, passing('etcd')] }, silentLogger());
  const sick = new HealthEndpoints({ livez: [pingCheck], readyz: [pingCheck, failing('etcd', 'etcd did not answer within 2s'), passing('other')], healthz: [pingCheck, failing('etcd')] }, silentLogger());
  const cases = [
    { name: '/readyz when all pass', h: healthy, ep: 'readyz', check: undefined, query: '', code: 200, body: 'ok' },
    { name: '/readyz?verbose when all pass', h: healthy, ep: 'readyz', check: undefined, query: 'verbose', code: 200, body: '[+]ping ok\n[+]etcd ok\nreadyz check passed\n' },
    { name: '/readyz?verbose=true&exclude=etcd', h: healthy, ep: 'readyz', check: undefined, query: 'verbose=true&exclude=etcd', code: 200, body: '[+]ping ok\n[+]etcd excluded: ok\nreadyz check passed\n' },
    { name: '/livez?verbose', h: healthy, ep: 'livez', check: undefined, query: 'verbose', code: 200, body: '[+]ping ok\nlivez check passed\n' },
    { name: '/readyz with etcd failing: every check, the failing one named, reason withheld', h: sick, ep: 'readyz', check: undefined, query: '', code: 500, body: '[+]ping ok\n[-]etcd failed: reason withheld\n[+]other ok\nreadyz check failed\n' },
    { name: '/readyz?verbose with etcd failing', h: sick, ep: 'readyz', check: undefined, query: 'verbose', code: 500, body: '[+]ping ok\n[-]etcd failed: reason withheld\n[+]other ok\nreadyz check failed\n' },
    { name: '/readyz?exclude=etcd with etcd failing', h: sick, ep: 'readyz', check: undefined, query: 'exclude=etcd', code: 200, body: 'ok' },
    { name: '/readyz?exclude=nope warns about the unknown check', h: healthy, ep: 'readyz', check: undefined, query: 'verbose&exclude=nope', code: 200, body: '[+]ping ok\n[+]etcd ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n' },
    { name: '/livez with etcd failing: etcd is not a liveness check', h: sick, ep: 'livez', check: undefined, query: '', code: 200, body: 'ok' },
    { name: '/healthz with etcd failing', h: sick, ep: 'healthz', check: undefined, query: '', code: 500, body: '[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n' },
    { name: '/readyz/etcd with etcd failing: the reason', h: sick, ep: 'readyz', check: 'etcd', query: '', code: 500, body: 'internal server error: etcd did not answer within 2s\n' },
    { name: '/readyz/etcd when it passes', h: healthy, ep: 'readyz', check: 'etcd', query: '', code: 200, body: 'ok' },
    { name: '/readyz/ping with etcd failing', h: sick, ep: 'readyz', check: 'ping', query: '', code: 200, body: 'ok' },
  ] as const;
  for (const tc of cases) {
    it(`answers ${tc.name}`, async () => {
      const a = await tc.h.answer(tc.ep, tc.check, new URLSearchParams(tc.query));
      expect(a).to.deep.equal({ code: tc.code, body: tc.body });
    });
  }

  const unknown = [
    { ep: 'readyz', check: 'nope' },
    { ep: 'livez', check: 'etcd' },
  ] as const;
  for (const tc of unknown) {
    it(`has no /${tc.ep}/${tc.check}`, async () => expect(await healthy.answer(tc.ep, tc.check, new URLSearchParams())).to.equal(undefined));
  }
});

describe('the etcd check', () => {
  it('fails within its bound when etcd hangs, and shares one probe among concurrent checks', async () => {
    let probes = 0;
    let answer: (() => void) | undefined;
    const check = new EtcdCheck(() => {
      probes++;
      return new Promise<void>((r) => (answer = r));
    }, 50);
    const started = Date.now();
    const results = await Promise.allSettled([check.check(), check.check(), check.check()]);
    expect(Date.now() - started).to.be.below(1_000);
    for (const r of results) {
      expect(r.status).to.equal('rejected');
      expect(String((r as PromiseRejectedResult).reason)).to.include('etcd did not answer within 0.05s');
    }
    // Still the same probe in flight: a new check does not add one.
    await check.check().catch(() => undefined);
    expect(probes).to.equal(1);
    answer!();
    await check.check();
    // Once it has answered, the next check probes again.
    const again = check.check();
    answer!();
    await again;
    expect(probes, 'a new probe once the first answered').to.equal(2);
  });

  it('passes the failure of the probe on', async () => {
    const check = new EtcdCheck(() => Promise.reject(new Error('etcd request failed: 14 UNAVAILABLE')), 1_000);
    await check.check().then(
      () => expect.fail('passed'),
      (e: unknown) => expect((e as Error).message).to.equal('etcd request failed: 14 UNAVAILABLE'),
    );
  });
});
