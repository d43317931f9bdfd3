// Figure 5: the API server's CPU per request, by verb, from its own CPU time (/proc/<pid>/stat
// deltas over each verb's run divided by its request count), beside the etcd floor measured
// in the same run: etcd's CPU for a raw put or range read of the same bytes through the same
// client library. Every later change shows its cost here, verb by verb.
//
// Each verb runs as a closed loop of 64 clients over the same pods of a namespace of its own:
// creates, merge-patch status updates (what node agents send), bindings (what the scheduler
// sends), consistent GETs, LISTs of 100 pods, and watch events (the extra CPU of the same
// status updates with 100 watchers open, per event delivered to one watcher).

import { clients, podsPath, type BenchContext } from '../lib/context.js';
import { ApiHttp, expectStatus } from '../lib/apiHttp.js';
import { closedLoop, type LoadResult } from '../lib/load.js';
import { benchPodBody } from '../lib/podFixture.js';
import { apiServerCpuMs } from '../lib/cluster.js';
import type { PhaseTimer } from '../lib/phaseMarks.js';
import { cpuMs, selfCpuMs } from '../lib/procStat.js';
import type { FigureRow } from '../lib/report.js';
import { fmtMs, fmtRate, round3 } from '../lib/stats.js';

export const verbNamespace = 'bench-verbs';
const pods = 2_000;
const lists = 300;
/** Requests of each verb before its measured run, on pods of their own. */
const warmup = 500;
const listLimit = 100;
const watchers = 100;
const durationMs = 30_000;

interface VerbRun {
  ops: number;
  failures: number;
  opsPerSec: number;
  serverCpuMs: number;
  etcdCpuMs: number;
  firstError?: string;
}

const podName = (i: number): string => `v-${i}`;

/** A status like a node agent's once the pod runs; `round` changes the values, so every write changes the object. */
function statusPatch(i: number, round: number): string {
  return JSON.stringify({
    status: {
      phase: 'Running',
      podIP: `10.${round}.${(i >> 8) & 255}.${i & 255}`,
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: `2026-01-0${round + 1}T00:00:00Z` },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: `2026-01-0${round + 1}T00:00:00Z` },
      ],
    },
  });
}

const ok = (want: number, what: string) => (r: { status: number; body: Buffer }): boolean => {
  if (r.status !== want) throw new Error(`${what}: HTTP ${r.status}: ${r.body.toString().slice(0, 200)}`);
  return true;
};

export async function verbCpu(ctx: BenchContext, time: PhaseTimer): Promise<FigureRow[]> {
  const api = ctx.api;
  const base = podsPath(verbNamespace);
  const serverCpu = (): number => apiServerCpuMs(ctx.cluster);
  const etcdPid = ctx.cluster.apiEtcd.pid;
  const etcdCpu = (): number => cpuMs(etcdPid);
  expectStatus(await api.post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: verbNamespace } })), 201, `create namespace ${verbNamespace}`);

  const run = async (label: string, count: number, op: (i: number) => Promise<boolean>, first = serverCpu, second = etcdCpu): Promise<VerbRun> => {
    ctx.progress(`verbs: ${count} x ${label}, ${clients} clients (after ${warmup} to warm up)`);
    // Warm-up on objects of their own (indices past `pods`), so V8 has optimised the verb's path.
    await closedLoop({ concurrency: clients, maxOps: warmup, durationMs, op: (i) => op(pods + i) });
    return time(`verbs.${label}`, async () => {
      const before = [first(), second()];
      const r: LoadResult = await closedLoop({ concurrency: clients, maxOps: count, durationMs, op });
      const [server, etcd] = [first(), second()].map((x, k) => (x - before[k]!) / Math.max(1, r.ops));
      const out: VerbRun = { ops: r.ops, failures: r.failures, opsPerSec: ((r.ops - r.failures) * 1000) / r.elapsedMs, serverCpuMs: server!, etcdCpuMs: etcd! };
      if (r.firstError) out.firstError = r.firstError;
      return out;
    });
  };

  const create = await run('create', pods, (i) => api.post(base, benchPodBody(podName(i))).then(ok(201, 'create')));
  const patch = (round: number) => (i: number) =>
    api.request('PATCH', `${base}/${podName(i)}/status`, { body: statusPatch(i, round), contentType: 'application/merge-patch+json' }).then(ok(200, 'status patch'));
  const status = await run('statusPatch', pods, patch(0));
  const binding = await run('binding', pods, (i) =>
    api.post(`${base}/${podName(i)}/binding`, JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: podName(i) }, target: { apiVersion: 'v1', kind: 'Node', name: `node-${i % 50}` } })).then(ok(201, 'binding')),
  );
  const get = await run('get', pods, (i) => api.get(`${base}/${podName(i)}`).then(ok(200, 'get')));
  const list = await run('list', lists, () => api.get(`${base}?limit=${listLimit}`).then(ok(200, 'list')));

  // Watch events: the same status updates again with watchers open; the extra CPU is the fan-out.
  let delivered = 0;
  // From the current revision: no initial ADDED events for the pods already there.
  const listed = await api.get(`${base}?limit=1`);
  expectStatus(listed, 200, 'list for the watch revision');
  const rv = (JSON.parse(listed.body.toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const watchClient = new ApiHttp(ctx.cluster.access, watchers + 8);
  const streams = Array.from({ length: watchers }, () =>
    watchClient.watch(`${base}?watch=true&resourceVersion=${rv}`, (line) => {
      if (line.startsWith('{"type":"MODIFIED"')) delivered++;
    }),
  );
  let watched: VerbRun;
  try {
    await Promise.all(streams.map((s) => s.opened));
    watched = await run('statusPatchWatched', pods, patch(1));
    const deadline = Date.now() + 10_000;
    while (delivered < (watched.ops - watched.failures) * watchers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  } finally {
    for (const s of streams) s.stop();
    watchClient.close();
  }
  const watchEventCpu = Math.max(0, (watched.serverCpuMs - status.serverCpuMs) * watched.ops) / Math.max(1, delivered);

  // The floors: raw etcd writes and reads of the stored pod's bytes, same client library, same concurrency.
  const floorPid = ctx.cluster.floorEtcd.pid;
  const floorCpu = (): number => cpuMs(floorPid);
  const value = ctx.storedPod;
  const put = await run('floorPut', pods, (i) => ctx.floor.put(`/bench-floor/verbs/${i}`, value), floorCpu, selfCpuMs);
  const range = await run('floorGet', pods, (i) => ctx.floor.get(`/bench-floor/verbs/${i}`).then((v) => v !== null), floorCpu, selfCpuMs);

  // `run` measured the floor etcd as its first process there.
  const putCpu = put.serverCpuMs;
  const getCpu = range.serverCpuMs;
  const row = (id: string, figure: string, v: VerbRun, floorMs: number, floorWhat: string, extra: Record<string, number> = {}): FigureRow => ({
    id,
    figure,
    value: `${fmtMs(v.serverCpuMs)} CPU` + (v.failures ? ` (${v.failures} failed: ${v.firstError ?? '?'})` : ''),
    floor: `${fmtMs(floorMs)} etcd CPU per ${floorWhat}`,
    ratio: `${(v.serverCpuMs / floorMs).toFixed(1)}x`,
    goal: '-',
    met: undefined,
    data: { apiServerCpuMs: round3(v.serverCpuMs), etcdCpuMsSameRequests: round3(v.etcdCpuMs), floorEtcdCpuMs: round3(floorMs), opsPerSec: round3(v.opsPerSec), ops: v.ops, failures: v.failures, ...extra },
  });
  const rateNote = (v: VerbRun): string => ` @${fmtRate(v.opsPerSec)}`;
  return [
    row('cpuCreate', `API-server CPU per create${rateNote(create)}`, create, putCpu, 'raw put'),
    row('cpuStatusPatch', `API-server CPU per status merge-patch${rateNote(status)}`, status, putCpu, 'raw put'),
    row('cpuBinding', `API-server CPU per binding${rateNote(binding)}`, binding, putCpu, 'raw put'),
    row('cpuGet', `API-server CPU per GET (consistent)${rateNote(get)}`, get, getCpu, 'raw get'),
    row('cpuList', `API-server CPU per LIST limit=${listLimit}${rateNote(list)}`, list, getCpu, 'raw get'),
    {
      ...row('cpuWatchEvent', `API-server CPU per watch event (${watchers} watchers)`, { ...watched, serverCpuMs: watchEventCpu }, getCpu, 'raw get', { delivered }),
      value: `${fmtMs(watchEventCpu)} CPU`,
    },
  ];
}
