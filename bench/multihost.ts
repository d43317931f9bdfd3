// The multi-host benchmark (issue 11), on a cluster brought up by the real CLI:
//   npx tsc -p tsconfig.json && npm run bench:multihost         (compiled: the figures to record)
//   npx tsx bench/multihost.ts [--replicas 10] [--changes 60] [--requests 200]
// `gantry up --hosts 3` in a temp GANTRY_HOME with its own bridge, cgroup root, API and
// registry ports (so it stays apart from every other cluster on the machine), then, in order:
// 1. `up` wall time (cold: a new home, so the example images are built), its phases from the
//    times its output lines arrived, and a second `up` (reports the running cluster). Floor:
//    starting etcd alone plus creating the host namespaces alone (upFloor.ts).
// 2. kubectl apply of manifests/examples/web.yaml with --replicas, to every pod Ready. Floor:
//    one pod of the same template, POST to Ready, just before (its image pulled cold too).
// 3. Service latency from a client pod: new-connection HTTP requests to the `web` ClusterIP
//    vs straight to the same pods (the floor), alternating, from the client pod's netns.
// 4. EndpointSlice change -> rules on every host, p50/p99 (syncPhase.ts).
// 5. Rolling upgrade v1 -> v2 (kubectl set image) while the client pod requests the Service
//    without pause: duration, failed requests, v1 answers after the rollout completed.
//    Floor: one v2 pod, POST to Ready (image pulled cold).
// 6. The other examples (redis, batch) applied; the control plane's RSS then and when idle.
// 7. A host dies (hostKill.ts), the client still requesting: until every replica the host
//    ran is Ready elsewhere, and what the clients saw.
// `gantry down` runs at the end, on failure and on Ctrl-C. Prints a table, then one JSON line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { RestClient } from '../common/client/restClient.js';
import { parseFlags } from '../common/config.js';
import { readKubeconfig } from '../common/kubeconfig.js';
import { makeTempDir } from '../common/proc/etcdProcess.js';
import { mountsUnder } from '../common/proc/leftovers.js';
import { freePort } from '../common/proc/ports.js';
import { Cleanup } from './lib/cleanup.js';
import { ClusterView, rolledOut, type PodLite } from './lib/clusterView.js';
import { rssBytes } from './lib/procStat.js';
import { summarize } from './lib/stats.js';
import { readRecordedState, recordedNode, recordedProcess, type RecordedState } from '../common/testing/gantryState.js';
import { gantry, type StampedLine } from '../common/testing/gantryCli.js';
import { kubectlOk } from '../common/testing/kubectl.js';
import { killHost } from '../common/testing/hostFailure.js';
import { podNetnsPath } from './multihost/podNetns.js';
import { runPairs, startLoop, type LoopClient, type LoopRequest } from './multihost/podClientProc.js';
import { supervisedChild } from '../common/testing/procs.js';
import { HostRuleMonitor } from './multihost/ruleMonitor.js';
import { syncPhase } from './multihost/syncPhase.js';
import { measureUpFloor } from './multihost/upFloor.js';
import { figureTable as table, type FigureRow as Row } from './lib/figureTable.js';

const started = performance.now();
const progress = (line: string): void => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const secs = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const msf = (ms: number): string => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);
const MiB = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
/** performance.now() as epoch ms, to compare with the pod client's Date.now() stamps. */
const epoch = (t: number): number => performance.timeOrigin + t;

const ns = 'default';
const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository: this file runs from bench/ (tsx) or dist/bench/ (compiled). */
const repoRoot = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
const examples = path.join(repoRoot, 'manifests', 'examples');


/** The web app's pods (app=web), not being deleted. */
const webPods = (view: ClusterView): PodLite[] => view.podsWith({ app: 'web' }).filter((p) => !p.deleting);
const readyOn = (pods: PodLite[], pred: (node: string) => boolean): PodLite[] => pods.filter((p) => p.node && pred(p.node) && p.phase === 'Running' && p.ready);

interface PodWire {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { podIP?: string };
}

async function getPod(client: RestClient, name: string): Promise<PodWire> {
  const r = await client.get<PodWire>(`/api/v1/namespaces/${ns}/pods/${name}`);
  if (r.status !== 200) throw new Error(`GET pod ${name}: HTTP ${r.status}`);
  return r.body;
}

async function listWebPods(client: RestClient): Promise<PodWire[]> {
  const r = await client.get<{ items: PodWire[] }>(`/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: 'app=web' } });
  if (r.status !== 200) throw new Error(`GET pods: HTTP ${r.status}`);
  return r.body.items;
}

/** A pod like the web app's (same image, probe, requests), not behind its Service. */
function benchPod(name: string, image: string, nodeName?: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'web',
          image,
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 2 },
          resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { memory: '64Mi' } },
        },
      ],
    },
  };
}

/** POST a pod, wait for it Ready: ms from the POST. */
async function podToReady(client: RestClient, view: ClusterView, manifest: unknown, name: string): Promise<number> {
  const t0 = performance.now();
  const ready = view.until(`pod ${name} Ready`, () => !!view.pods.get(name)?.ready, 180_000);
  const r = await client.request('POST', `/api/v1/namespaces/${ns}/pods`, { body: manifest });
  if (r.status !== 201) throw new Error(`POST pod ${name}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  return (await ready) - t0;
}

async function deletePod(client: RestClient, view: ClusterView, name: string): Promise<void> {
  const gone = view.until(`pod ${name} deleted`, () => !view.pods.has(name), 120_000);
  await client.request('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`);
  await gone;
}

/** RSS of everything `up` started, by role. */
interface RssFigures {
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  dns: number;
  controlPlane: number;
  agents: number[];
  supervisors: number;
  /** How many supervise processes `supervisors` sums. */
  supervisorCount: number;
  etcd: number;
  registry: number;
}

function measureRss(state: RecordedState): RssFigures {
  const supervised = (name: string): number => rssBytes(supervisedChild(recordedProcess(state, name).pid));
  const apiserver = supervised('apiserver');
  const controllerManager = supervised('controller-manager');
  const scheduler = supervised('scheduler');
  const dns = supervised('dns');
  const agentNames = state.processes.filter((p) => p.name.startsWith('nodeagent-')).map((p) => p.name);
  // etcd members run supervised too (etcd-1, ...).
  const etcdNames = state.processes.filter((p) => /^etcd-\d+$/.test(p.name)).map((p) => p.name);
  const supervisorNames = ['apiserver', 'scheduler', 'controller-manager', 'dns', ...agentNames, ...etcdNames];
  return {
    apiserver,
    controllerManager,
    scheduler,
    dns,
    controlPlane: apiserver + controllerManager + scheduler + dns,
    agents: agentNames.map(supervised),
    supervisors: supervisorNames.reduce((s, n) => s + rssBytes(recordedProcess(state, n).pid), 0),
    supervisorCount: supervisorNames.length,
    etcd: etcdNames.reduce((sum, n) => sum + supervised(n), 0),
    registry: rssBytes(recordedProcess(state, 'registry').pid),
  };
}

const rssText = (r: RssFigures): string => `${MiB(r.controlPlane)} (API server ${MiB(r.apiserver)}, controller manager ${MiB(r.controllerManager)}, scheduler ${MiB(r.scheduler)}, DNS ${MiB(r.dns)})`;

/** What a continuous client saw between two epoch times. */
function window(reqs: LoopRequest[], from: number, to: number): { total: number; failed: number; reasons: Record<string, number>; versions: Record<string, number>; lastFailure: number | undefined } {
  const inside = reqs.filter((r) => r.start >= from && r.start <= to);
  const reasons: Record<string, number> = {};
  const versions: Record<string, number> = {};
  let lastFailure: number | undefined;
  for (const r of inside) {
    if (r.ok) versions[r.detail] = (versions[r.detail] ?? 0) + 1;
    else {
      reasons[r.detail] = (reasons[r.detail] ?? 0) + 1;
      lastFailure = r.start;
    }
  }
  return { total: inside.length, failed: inside.filter((r) => !r.ok).length, reasons, versions, lastFailure };
}

const counts = (m: Record<string, number>): string => Object.entries(m).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  const replicas = Number(f.replicas ?? 10);
  const changes = Number(f.changes ?? 60);
  const requests = Number(f.requests ?? 200);
  const hosts = 3;
  if (!(replicas >= 2) || !(changes >= 2) || !(requests >= 10)) throw new Error('usage: --replicas N>=2 --changes N>=2 --requests N>=10');
  const loads: Array<{ phase: string; loadavg: string }> = [{ phase: 'start', loadavg: load() }];
  const mark = (phase: string): void => {
    loads.push({ phase, loadavg: load() });
    progress(`${phase} done; load average ${load()}`);
  };
  const cleanup = new Cleanup();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup.run().finally(() => process.exit(130)));

  const tmp = makeTempDir('gantry-bench-multihost');
  cleanup.add(`remove ${tmp.dir}`, () => {
    const mounts = mountsUnder(tmp.dir);
    if (mounts.length) console.error(`kept ${tmp.dir}: still mounted there: ${mounts.join(', ')}`);
    else tmp.remove();
  });
  const home = path.join(tmp.dir, 'home');
  const cacheDir = path.join(tmp.dir, 'kube-cache');
  fs.mkdirSync(cacheDir);
  const kubeconfig = path.join(home, 'kubeconfig');
  const k = (args: string[], input = ''): Promise<string> => kubectlOk(kubeconfig, cacheDir, args, { input, timeoutMs: 120_000 });

  try {
    progress(`the floor of up: etcd alone, then ${hosts} host namespaces alone`);
    const upFloor = await measureUpFloor(hosts);
    mark('up floor');

    const id = randomBytes(3).toString('hex');
    const upArgs = ['up', '--hosts', String(hosts), '--api-port', String(await freePort()), '--registry-port', String(await freePort()), '--bridge', `gbm${id}`, '--cgroup-root', `gantry-bench-${id}`];
    // Registered before `up` starts: a half-started cluster is taken down too, after the
    // `up` itself stopped (when interrupted while it runs).
    const upAbort = new AbortController();
    let upRunning: Promise<unknown> = Promise.resolve();
    cleanup.add('gantry down', async () => {
      upAbort.abort();
      await upRunning;
      progress('gantry down');
      const t = performance.now();
      const r = await gantry(home, ['down']);
      if (r.code !== 0) console.error(`gantry down exited ${r.code}:\n${r.out.slice(-3000)}`);
      else progress(`gantry down took ${secs(performance.now() - t)}`);
    });
    progress(`gantry ${upArgs.join(' ')}`);
    const t0 = performance.now();
    const upPromise = gantry(home, upArgs, { onLine: (l) => progress(`up: ${l.text}`), signal: upAbort.signal });
    upRunning = upPromise.catch(() => undefined);
    const upRun = await upPromise;
    const upMs = performance.now() - t0;
    if (upRun.code !== 0) throw new Error(`gantry up exited ${upRun.code}:\n${upRun.out.slice(-3000)}`);
    const at = (re: RegExp, last = false): number => {
      const ls = upRun.lines.filter((l: StampedLine) => re.test(l.text));
      const l = last ? ls[ls.length - 1] : ls[0];
      return l ? l.at - t0 : NaN;
    };
    const upPhases = {
      imagesMs: at(/pushed the example images/) - at(/building the images/),
      apiServerStartMs: at(/starting the API server/),
      firstHostMs: at(/creating host/),
      lastAgentStartMs: at(/starting the node agent/, true),
    };
    const t1 = performance.now();
    const second = await gantry(home, upArgs);
    const secondUpMs = performance.now() - t1;
    if (second.code !== 0) throw new Error(`second gantry up exited ${second.code}:\n${second.out.slice(-2000)}`);
    mark('up');

    const state = readRecordedState(home);
    const client = new RestClient(readKubeconfig(kubeconfig));
    cleanup.add('the API client', () => client.close());
    const view = await ClusterView.start(client, ns);
    cleanup.add('the watches', () => view.stop());
    const nodeNames = state.nodes.map((n) => n.name);
    await view.until('every node Ready', () => nodeNames.every((n) => view.nodes.get(n)?.ready === 'True'), 120_000);
    // Idle: the cluster as `up` left it, after its start-up work settled.
    await new Promise((r) => setTimeout(r, 10_000));
    const rssIdle = measureRss(state);
    progress(`RSS idle: control plane ${rssText(rssIdle)}, agents ${rssIdle.agents.map(MiB).join(' / ')}`);

    progress('floor of the apply: one pod of the web template, POST to Ready');
    const onePodMs = await podToReady(client, view, benchPod('floor-web', 'gantry/web:v1'), 'floor-web');
    await deletePod(client, view, 'floor-web');

    progress(`apply: manifests/examples/web.yaml with replicas ${replicas}`);
    const webYaml = fs.readFileSync(path.join(examples, 'web.yaml'), 'utf8').replace(/^(\s+)replicas: \d+$/m, `$1replicas: ${replicas}`);
    const applyT0 = performance.now();
    const allReady = view.until(`${replicas} web pods Ready`, () => readyOn(webPods(view), () => true).length >= replicas, 300_000);
    const available = view.until('the Deployment Available', () => rolledOut(view.deployments.get('web')) && view.deployments.get('web')!.availableReplicas >= replicas, 300_000);
    await k(['apply', '-f', '-'], webYaml);
    const applyMs = (await allReady) - applyT0;
    const applyAvailableMs = (await available) - applyT0;
    const placement = (): Record<string, number> => Object.fromEntries(nodeNames.map((n) => [n, webPods(view).filter((p) => p.node === n).length]));
    const placed = placement();
    progress(`web pods per host: ${JSON.stringify(placed)}`);
    mark('apply');

    // The client pod: on the host with the fewest web pods, so a host with many can fail later.
    const clientHost = [...nodeNames].sort((a, b) => placed[a]! - placed[b]!)[0]!;
    await podToReady(client, view, benchPod('bench-client', 'gantry/web:v1', clientHost), 'bench-client');
    const clientPod = await getPod(client, 'bench-client');
    const clientNetns = podNetnsPath(recordedNode(state, clientHost).root, clientPod.metadata.uid);
    const svc = await client.get<{ spec: { clusterIP: string } }>(`/api/v1/namespaces/${ns}/services/web`);
    if (svc.status !== 200) throw new Error(`GET service web: HTTP ${svc.status}`);
    const serviceUrl = `http://${svc.body.spec.clusterIP}:80/`;
    const pods = await listWebPods(client);
    const podIps = pods.map((p) => p.status.podIP).filter((x): x is string => !!x);
    const sameHost = pods.filter((p) => p.spec.nodeName === clientHost).length;

    progress(`latency: ${requests} requests to ${serviceUrl} alternating with ${requests} to the ${podIps.length} pods directly, from bench-client on ${clientHost}`);
    const pairs = await runPairs(clientNetns, serviceUrl, podIps.map((ip) => `http://${ip}:8080/`), requests, 20);
    const viaService = summarize(pairs.service);
    const direct = summarize(pairs.direct);
    mark('latency');

    progress('endpointslice -> rules: xtables-monitor in every host');
    const monitors: HostRuleMonitor[] = [];
    cleanup.add('the rule monitors', () => monitors.forEach((m) => m.stop()));
    for (const n of state.nodes) monitors.push(await HostRuleMonitor.start(n.name, `/run/netns/${recordedNode(state, n.name).netns}`));
    const sync = await syncPhase(client, ns, monitors, monitors.find((m) => m.host === clientHost)!, podIps[0]!, clientPod.status.podIP!, changes, progress);
    monitors.forEach((m) => m.stop());
    mark('endpointslice');

    progress('floor of the rolling upgrade: one v2 pod, POST to Ready');
    const oneV2Ms = await podToReady(client, view, benchPod('floor-v2', 'gantry/web:v2', clientHost), 'floor-v2');
    await deletePod(client, view, 'floor-v2');
    progress('rolling upgrade v1 -> v2 with a client requesting the Service');
    let loop: LoopClient = startLoop(clientNetns, serviceUrl);
    cleanup.add('the upgrade client', () => loop.stop());
    await new Promise((r) => setTimeout(r, 2000));
    const gen = view.deployments.get('web')!.generation;
    const upgradeT0 = performance.now();
    const v2 = 'gantry/web:v2';
    const upgraded = view.until('the rollout complete, old pods gone', () => {
      const d = view.deployments.get('web');
      return !!d && d.generation > gen && rolledOut(d) && view.podsWith({ app: 'web' }).every((p) => p.image === v2);
    }, 300_000);
    const rolledOutAt = view.until('the rollout complete', () => {
      const d = view.deployments.get('web');
      return !!d && d.generation > gen && rolledOut(d);
    }, 300_000);
    await k(['set', 'image', 'deployment/web', `web=${v2}`]);
    const rolloutMs = (await rolledOutAt) - upgradeT0;
    const upgradeEnd = await upgraded;
    const upgradeMs = upgradeEnd - upgradeT0;
    await new Promise((r) => setTimeout(r, 3000));
    await loop.stop();
    const during = window(loop.requests, epoch(upgradeT0), epoch(upgradeEnd) + 3000);
    const after = window(loop.requests, epoch(upgradeT0 + rolloutMs), epoch(upgradeEnd) + 3000);
    const v1After = Object.entries(after.versions).filter(([v]) => !v.endsWith('v2')).reduce((s, [, n]) => s + n, 0);
    mark('rolling upgrade');

    progress('the other examples: redis.yaml, batch.yaml');
    for (const file of ['redis.yaml', 'batch.yaml']) await k(['apply', '-f', path.join(examples, file)]);
    await view.until('redis-primary and redis-replica Available', () => ['redis-primary', 'redis-replica'].every((d) => rolledOut(view.deployments.get(d)) && view.deployments.get(d)!.availableReplicas >= view.deployments.get(d)!.replicas), 300_000);
    await new Promise((r) => setTimeout(r, 10_000));
    const rssBusy = measureRss(state);
    const podCount = view.pods.size;
    progress(`RSS with the examples (${podCount} pods): control plane ${rssText(rssBusy)}, agents ${rssBusy.agents.map(MiB).join(' / ')}`);
    mark('examples');

    // The host with the most web pods, the client's excepted.
    const now = placement();
    const victim = nodeNames.filter((n) => n !== clientHost).sort((a, b) => now[b]! - now[a]!)[0]!;
    const victimPods = webPods(view).filter((p) => p.node === victim).map((p) => p.name);
    progress(`host failure: ${victim} (${victimPods.length} web pods; web pods per host ${JSON.stringify(now)})`);
    loop = startLoop(clientNetns, serviceUrl);
    await new Promise((r) => setTimeout(r, 2000));
    const evicted = (name: string): boolean => !view.pods.get(name) || view.pods.get(name)!.deleting;
    const killT0 = performance.now();
    const notReady = view.until(`${victim} not Ready`, () => view.nodes.get(victim)?.ready !== 'True', 180_000);
    const allEvicted = view.until(`the web pods of ${victim} evicted`, () => victimPods.every(evicted), 180_000);
    const recovered = view.until(`${replicas} web pods Ready on the other hosts`, () => victimPods.every(evicted) && readyOn(webPods(view), (n) => n !== victim).length >= replicas, 180_000, () => `${victimPods.filter(evicted).length}/${victimPods.length} evicted; ${readyOn(webPods(view), (n) => n !== victim).length} Ready elsewhere`);
    const tick = setInterval(() => progress(`host failure: ${victim} Ready=${view.nodes.get(victim)?.ready}; ${victimPods.filter(evicted).length}/${victimPods.length} evicted; ${readyOn(webPods(view), (n) => n !== victim).length} Ready elsewhere`), 2000);
    const killed = await killHost(state, recordedNode(state, victim));
    let failure: { notReadyMs: number; evictedMs: number; recoveredMs: number };
    try {
      const [nr, ev, rec] = await Promise.all([notReady, allEvicted, recovered]);
      failure = { notReadyMs: nr - killT0, evictedMs: ev - killT0, recoveredMs: rec - killT0 };
    } finally {
      clearInterval(tick);
    }
    await new Promise((r) => setTimeout(r, 3000));
    await loop.stop();
    const seen = window(loop.requests, epoch(killT0), epoch(killT0 + failure.recoveredMs) + 3000);
    const lastFailureMs = seen.lastFailure === undefined ? undefined : seen.lastFailure - epoch(killT0);
    progress(`killed: supervisor ${killed.killed.supervisor}, agent ${killed.killed.agent}, ${killed.killed.inCgroups} container processes, ${killed.killed.byCommandLine.length} monitors`);
    mark('host failure');

    const s = summarize(sync.perHostMs);
    const all = summarize(sync.allHostsMs);
    const watch = summarize(sync.watchMs);
    const restore = summarize(sync.restoreMs);
    const rows: Row[] = [
      { figure: `gantry up --hosts ${hosts} (cold: new home, images built)`, value: secs(upMs), floor: `${secs(upFloor.etcdMs + upFloor.hostsMs)} (etcd start ${secs(upFloor.etcdMs)} + ${hosts} host netns ${secs(upFloor.hostsMs)})`, goal: '-' },
      { figure: '  of which: image build+push / up to API server start / to last agent start / Nodes Ready', value: `${secs(upPhases.imagesMs)} / ${secs(upPhases.apiServerStartMs)} / ${secs(upPhases.lastAgentStartMs)} / ${secs(upMs)}`, floor: '-', goal: '-' },
      { figure: '  second gantry up (cluster running: reports it)', value: secs(secondUpMs), floor: '-', goal: '-' },
      { figure: `kubectl apply web.yaml (${replicas} replicas) to every pod Ready`, value: `${secs(applyMs)} (Deployment Available ${secs(applyAvailableMs)})`, floor: `${secs(onePodMs)} (one pod, POST to Ready)`, goal: '-' },
      { figure: `  placement (web pods per host)`, value: Object.entries(placed).map(([n, c]) => `${n}: ${c}`).join(', '), floor: '-', goal: '-' },
      { figure: `rolling upgrade v1->v2 (kubectl set image): rollout complete / old pods gone`, value: `${secs(rolloutMs)} / ${secs(upgradeMs)}`, floor: `${secs(oneV2Ms)} (one v2 pod, POST to Ready)`, goal: '-' },
      { figure: '  client through the Service during it: failed / total', value: `${during.failed} / ${during.total}${during.failed ? ` (${counts(during.reasons)})` : ''}`, floor: '-', goal: '0 failed' },
      { figure: '  answers after the rollout completed that were not v2', value: `${v1After} of ${after.total}`, floor: '-', goal: '0' },
      { figure: `host failure (${victim}, ${victimPods.length} web pods): replacements Ready`, value: secs(failure.recoveredMs), floor: '-', goal: '<= 15 s' },
      { figure: '  on the way: node NotReady / its web pods evicted', value: `${secs(failure.notReadyMs)} / ${secs(failure.evictedMs)}`, floor: '-', goal: '-' },
      { figure: '  client through the Service during it: failed / total (last failure after)', value: `${seen.failed} / ${seen.total}${lastFailureMs !== undefined ? ` (${secs(lastFailureMs)}; ${counts(seen.reasons)})` : ''}`, floor: '-', goal: '-' },
      { figure: `EndpointSlice change -> DNAT rule on a host (${changes} changes x ${hosts} hosts): p50 / p99`, value: `${msf(s.p50)} / ${msf(s.p99)}`, floor: `${msf(watch.p50 + restore.p50)} (watch delivery ${msf(watch.p50)} + iptables-restore ${msf(restore.p50)}, p50)`, goal: '-' },
      { figure: `  to the last of the ${hosts} hosts: p50 / p99 (max)`, value: `${msf(all.p50)} / ${msf(all.p99)} (${msf(all.max)})`, floor: `watch p99 ${msf(watch.p99)}, restore p99 ${msf(restore.p99)}`, goal: '-' },
      { figure: `Service request (new connection each) via ClusterIP: p50 / p99 (${viaService.n}, ${pairs.errors.service} failed)`, value: `${msf(viaService.p50)} / ${msf(viaService.p99)}`, floor: `${msf(direct.p50)} / ${msf(direct.p99)} pod IPs directly (${direct.n}, ${pairs.errors.direct} failed)`, goal: '-' },
      { figure: 'control plane RSS idle (API server + controller manager + scheduler + DNS)', value: rssText(rssIdle), floor: '-', goal: '<= 250 MB (238 MiB)' },
      { figure: `control plane RSS with the examples (${podCount} pods)`, value: rssText(rssBusy), floor: '-', goal: '<= 250 MB (238 MiB)' },
      { figure: 'node agents RSS idle / with the examples (each)', value: `${rssIdle.agents.map(MiB).join(', ')} / ${rssBusy.agents.map(MiB).join(', ')}`, floor: '-', goal: '-' },
      { figure: `not counted above: etcd / registry / the ${rssBusy.supervisorCount} supervise processes (with the examples)`, value: `${MiB(rssBusy.etcd)} / ${MiB(rssBusy.registry)} / ${MiB(rssBusy.supervisors)}`, floor: '-', goal: '-' },
    ];
    console.log(table(rows));
    console.log(
      `${hosts} hosts (network namespaces on one machine). The client pod ran on ${clientHost}, where ${sameHost} of the ${podIps.length} web pods ran during the latency phase. ` +
        `iptables-save agreed with the rule monitors: ${sync.confirmed.every(Boolean) ? 'yes' : `NO (${sync.confirmed.join(', ')})`}. ` +
        `Machine: ${os.cpus().length} cores, shared with other clusters; load average (1/5/15 min) ${loads.map((l) => `${l.phase}: ${l.loadavg}`).join('; ')}.`,
    );
    console.log(
      JSON.stringify({
        bench: 'multihost',
        hosts,
        replicas,
        up: { ms: upMs, phases: upPhases, secondMs: secondUpMs, floor: upFloor },
        apply: { allReadyMs: applyMs, availableMs: applyAvailableMs, onePodMs, placement: placed },
        upgrade: { rolloutMs, oldGoneMs: upgradeMs, oneV2PodMs: oneV2Ms, failed: during.failed, total: during.total, reasons: during.reasons, notV2After: v1After },
        failure: { host: victim, pods: victimPods.length, ...failure, failed: seen.failed, total: seen.total, lastFailureMs },
        sync: { perHost: s, allHosts: all, watch, restore, confirmed: sync.confirmed },
        latency: { service: viaService, direct, errors: pairs.errors, reasons: pairs.reasons },
        rss: { idle: rssIdle, examples: rssBusy, pods: podCount },
        loadavg: loads,
      }),
    );
  } finally {
    await cleanup.run();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
