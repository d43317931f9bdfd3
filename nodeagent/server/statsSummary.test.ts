// /stats/summary on the agent's HTTPS server: the same callers as logs and exec (the API
// server's client certificate), 503 until there is something to report, then the summary.

import { expect } from 'chai';
import type { StatsSummary } from '../../common/api/statsSummary.js';
import { get, startTestServer, testPki, type TestServer } from './serverTestKit.js';

const summary: StatsSummary = {
  node: { nodeName: 'n1', cpu: { time: '2026-01-01T00:00:10Z', usageNanoCores: 250_000_000, usageCoreNanoSeconds: 9e9, windowSeconds: 10 }, memory: { time: '2026-01-01T00:00:10Z', usageBytes: 2 << 30, workingSetBytes: 1 << 30 } },
  pods: [],
};

describe('agent server: /stats/summary', () => {
  let current: StatsSummary | undefined;
  let t: TestServer;
  let bare: TestServer;
  before(async () => {
    t = await startTestServer({ stats: { summary: () => current } });
    bare = await startTestServer();
  });
  after(async () => {
    await t.close();
    await bare.close();
  });

  it('answers 503 before the first sample', async () => {
    current = undefined;
    const res = await get(t.port, '/stats/summary');
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.body)).to.include({ kind: 'Status', reason: 'ServiceUnavailable', message: 'resource usage has not been sampled yet' });
  });

  it('answers the latest summary as JSON', async () => {
    current = summary;
    const res = await get(t.port, '/stats/summary?only_cpu_and_memory=true');
    expect(res.status).to.equal(200);
    expect(res.contentType).to.equal('application/json');
    expect(JSON.parse(res.body)).to.deep.equal(summary);
  });

  it('refuses a caller that is not the API server, as for logs and exec', async () => {
    current = summary;
    const res = await get(t.port, '/stats/summary', { identity: testPki().wrongName });
    expect(res.status).to.equal(403);
    expect(res.body).to.not.contain('usageNanoCores');
  });

  it('refuses other methods', async () => {
    const res = await get(t.port, '/stats/summary', { method: 'POST' });
    expect(res.status).to.equal(405);
  });

  it('answers 503 from an agent that does not sample', async () => {
    const res = await get(bare.port, '/stats/summary');
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.body)).to.include({ message: 'this node agent does not sample resource usage' });
  });
});
