// Figure 6: a busy cluster's write mix at a fixed offered rate (open loop): pod creates (a
// ReplicaSet), merge-patch status updates (node agents), bindings (the scheduler) and Lease
// renewals (every node), a quarter each, stepping the rate up until p99 passes 50 ms. The
// figure is the highest rate whose p99 stayed within it; the floor is raw etcd puts of the
// same bytes at that rate and the next, open loop, same client library.

import { clients, podsPath, type BenchContext } from '../lib/context.js';
import { expectStatus } from '../lib/apiHttp.js';
import { closedLoop, openLoop } from '../lib/load.js';
import { benchPodBody } from '../lib/podFixture.js';
import { apiServerCpuMs } from '../lib/cluster.js';
import type { PhaseTimer } from '../lib/phaseMarks.js';
import type { FigureRow } from '../lib/report.js';
import { fmtMs, round3, summarize } from '../lib/stats.js';

export const mixedNamespace = 'bench-mixed';
const rates = [200, 400, 600, 800, 1000, 1200, 1500, 2000];
const stepMs = 5_000;
const goalP99Ms = 50;
const leases = 100;

interface Step {
  rate: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** API-server CPU per request over the step. */
  cpuMs: number;
  firstError?: string;
}

const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${mixedNamespace}/leases`;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const micro = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

function lease(name: string, renewMs: number): string {
  return JSON.stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: mixedNamespace },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(renewMs) },
  });
}

const expect = (want: number, what: string) => (r: { status: number; body: Buffer }): boolean => {
  if (r.status !== want) throw new Error(`${what}: HTTP ${r.status}: ${r.body.toString().slice(0, 200)}`);
  return true;
};

export async function mixedLoad(ctx: BenchContext, time: PhaseTimer): Promise<FigureRow> {
  const api = ctx.api;
  const pods = podsPath(mixedNamespace);
  expectStatus(await api.post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: mixedNamespace } })), 201, `create namespace ${mixedNamespace}`);
  for (let l = 0; l < leases; l++) expectStatus(await api.post(leasePath, lease(`node-${l}`, t0)), 201, 'create lease');

  const steps: Step[] = [];
  let best = 0;
  for (const [s, rate] of rates.entries()) {
    const count = Math.round((rate * stepMs) / 1000);
    // Pods the patches and bindings of this step act on, made beforehand (not timed).
    const targets = Math.ceil(count / 4);
    ctx.progress(`mixed: ${targets} pods for ${rate}/s, then ${stepMs / 1000} s of creates, status patches, bindings and lease renewals`);
    const filled = await closedLoop({ concurrency: clients, maxOps: targets, durationMs: 60_000, op: (j) => api.post(pods, benchPodBody(`m${s}-p${j}`)).then(expect(201, 'create')) });
    if (filled.failures) throw new Error(`mixed: could not make the target pods: ${filled.firstError ?? '?'}`);
    const op = (i: number): Promise<boolean> => {
      const j = Math.floor(i / 4);
      switch (i % 4) {
        case 0:
          return api.post(pods, benchPodBody(`m${s}-c${j}`)).then(expect(201, 'create'));
        case 1:
          return api
            .request('PATCH', `${pods}/m${s}-p${j}/status`, { body: JSON.stringify({ status: { phase: 'Running', podIP: `10.${s}.${(j >> 8) & 255}.${j & 255}` } }), contentType: 'application/merge-patch+json' })
            .then(expect(200, 'status patch'));
        case 2:
          return api.post(`${pods}/m${s}-p${j}/binding`, JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: `m${s}-p${j}` }, target: { kind: 'Node', name: `node-${j % leases}` } })).then(expect(201, 'binding'));
        default: {
          const name = `node-${j % leases}`;
          return api.request('PUT', `${leasePath}/${name}`, { body: lease(name, t0 + (s * 1_000_000 + i) * 1000) }).then(expect(200, 'lease renewal'));
        }
      }
    };
    const step = await time(`mixed.${rate}`, async () => {
      const cpu0 = apiServerCpuMs(ctx.cluster);
      const r = await openLoop({ ratePerSec: rate, count, op });
      const lat = summarize(r.latencies);
      const out: Step = { rate, p50Ms: lat.p50, p99Ms: lat.p99, failures: r.failures, cpuMs: (apiServerCpuMs(ctx.cluster) - cpu0) / Math.max(1, r.ops) };
      if (r.firstError) out.firstError = r.firstError;
      return out;
    });
    steps.push(step);
    ctx.progress(`mixed: ${rate}/s -> p50 ${fmtMs(step.p50Ms)}, p99 ${fmtMs(step.p99Ms)}, ${step.failures} failed`);
    if (step.failures || step.p99Ms > goalP99Ms) break;
    best = rate;
  }

  // The floor: raw etcd puts of the stored pod's bytes at the best rate and the one above it.
  const floorRates = rates.filter((r) => r >= best).slice(0, 2);
  const floors: { rate: number; p99Ms: number }[] = [];
  for (const rate of floorRates) {
    const count = Math.round((rate * stepMs) / 1000);
    ctx.progress(`mixed: raw etcd puts at ${rate}/s`);
    const r = await openLoop({ ratePerSec: rate, count, op: (i) => ctx.floor.put(`/bench-floor/mixed/${rate}/${i}`, ctx.storedPod) });
    floors.push({ rate, p99Ms: summarize(r.latencies).p99 });
  }
  const last = steps[steps.length - 1]!;
  const data: Record<string, number | string> = { highestRateWithinGoal: best, goalP99Ms };
  for (const st of steps) {
    data[`p99MsAt${st.rate}`] = round3(st.p99Ms);
    data[`apiServerCpuMsAt${st.rate}`] = round3(st.cpuMs);
    if (st.failures) data[`failuresAt${st.rate}`] = st.failures;
  }
  for (const f of floors) data[`etcdPutP99MsAt${f.rate}`] = round3(f.p99Ms);
  return {
    id: 'mixedLoad',
    figure: 'mixed writes (create, status patch, binding, lease), highest rate with p99 <= 50 ms',
    value: `${best} ops/s` + (last.rate !== best ? ` (at ${last.rate}/s: p99 ${fmtMs(last.p99Ms)}${last.failures ? `, ${last.failures} failed: ${last.firstError ?? '?'}` : ''})` : ' (the highest rate tried)'),
    floor: floors.map((f) => `etcd put p99 ${fmtMs(f.p99Ms)} at ${f.rate}/s`).join(', '),
    ratio: '-',
    goal: '-',
    met: undefined,
    data,
  };
}
