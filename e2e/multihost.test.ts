// The multi-host end-to-end suite: one `gantry up --hosts 3` cluster, driven with the real
// kubectl as users type it, through what the cluster is for: the examples answering through
// their Services across hosts, scaling, rolling upgrades without a failed request, a host
// dying and coming back, the control plane restarting mid-rollout, and `gantry down`
// leaving nothing behind.
//
// The cases run IN ORDER on the same cluster and depend on each other (a cluster costs a
// minute and much of this small machine): 1 applies the examples the others use, 3 leaves
// web at 10 replicas for 4 and 5, 4 and 5 restart processes that 6 must see stopped. A
// failed case makes the later ones fail too; read the first failure.
//
// Timings are printed (report), never asserted: they belong to bench/.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgroupDirs, mountsUnder, processesMentioning } from '../common/proc/leftovers.js';
import { pidRuns } from '../common/proc/pids.js';
import { eventually } from '../common/testing/eventually.js';
import { runKubectl, type Kubectl } from '../common/testing/kubectl.js';
import { between, clientLoopPod, isFailure, parseTimestamped, tally, type ClientLine, type PodManifest } from './multihost/clientLoop.js';
import { bringBack, killHost, type KilledHost } from '../common/testing/hostFailure.js';
import { httpText } from './multihost/http.js';
import { clusterLeftovers } from './multihost/leftovers.js';
import { countsPerHost, skew } from './multihost/placement.js';
import { cgroupsNamed, sigkill, supervisedChild } from '../common/testing/procs.js';
import { report, seconds } from './multihost/report.js';
import { readRecordedState, recordedProcess, type RecordedNode, type RecordedProcess, type RecordedState } from '../common/testing/gantryState.js';
import { upForTests, type TestCluster } from './testCluster.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webManifest = path.join(repoRoot, 'manifests/examples/web.yaml');
const redisManifest = path.join(repoRoot, 'manifests/examples/redis.yaml');
const batchManifest = path.join(repoRoot, 'manifests/examples/batch.yaml');
const redisStatefulSetManifest = path.join(repoRoot, 'manifests/examples/redis-statefulset.yaml');
const exampleDeployments = ['web', 'redis-primary', 'redis-replica'];

/** The fields of `kubectl get pods -o json` this suite reads. */
interface PodView {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: Array<{ image: string }> };
  status: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ containerID?: string }> };
}

interface NodeView {
  metadata: { name: string };
  status: { addresses?: Array<{ type: string; address: string }>; conditions?: Array<{ type: string; status: string }> };
}

interface SliceView {
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }>;
}

/** The fields of `kubectl get pvc,pv -o json` case 5c reads. */
interface ClaimView {
  metadata: { name: string };
  spec: { volumeName?: string; storageClassName?: string };
  status: { phase?: string };
}
interface VolumeView {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { local?: { path: string }; claimRef?: { name: string }; nodeAffinity?: { required?: { nodeSelectorTerms: Array<{ matchExpressions?: Array<{ key: string; values?: string[] }> }> } } };
  status: { phase?: string };
}

/** A Job's pod: when it was made and when its container ended. */
interface JobPod {
  metadata: { name: string; creationTimestamp: string };
  status: { phase?: string; containerStatuses?: Array<{ state?: { terminated?: { finishedAt?: string } } }> };
}
const finishedAt = (p: JobPod): number => Date.parse(p.status.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? '');

const live = (p: PodView): boolean => !p.metadata.deletionTimestamp;
const ready = (p: PodView): boolean => live(p) && p.status.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const nodeReady = (n: NodeView): boolean => !!n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const appOf = (p: PodView): string => p.metadata.labels?.app ?? '';
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

/** `host-1: 4 (web x3, redis x1), ...`: where pods run, for reports and messages. */
function placement(pods: PodView[]): string {
  const byHost = new Map<string, PodView[]>();
  for (const p of pods) byHost.set(p.spec.nodeName ?? '(unscheduled)', [...(byHost.get(p.spec.nodeName ?? '(unscheduled)') ?? []), p]);
  return sorted(byHost.keys())
    .map((h) => {
      const apps = new Map<string, number>();
      for (const p of byHost.get(h)!) apps.set(appOf(p), (apps.get(appOf(p)) ?? 0) + 1);
      return `${h}: ${byHost.get(h)!.length} (${[...apps].map(([a, n]) => `${a} x${n}`).join(', ')})`;
    })
    .join('; ');
}

describe('e2e: a 3-host cluster serves, scales, upgrades and heals (gantry up --hosts 3)', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let home: string;
  let state: RecordedState;
  let kubectl: Kubectl;
  /** Processes this suite started again by hand (their PIDs are in state.json for `down`; after() checks). */
  const restarted: RecordedProcess[] = [];
  /** Processes this suite killed, which must stay dead (checked in case 6). */
  const killed: RecordedProcess[] = [];

  /** kubectl that must succeed; returns stdout. */
  const ok = async (args: string[], timeoutMs = 60_000): Promise<string> => {
    const r = await kubectl(args, { timeoutMs });
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await ok([...args, '-o', 'json'])) as T;
  const allPods = async (): Promise<PodView[]> => (await json<{ items: PodView[] }>(['get', 'pods', '-A'])).items;
  const podsOf = async (app: string): Promise<PodView[]> => (await json<{ items: PodView[] }>(['get', 'pods', '-l', `app=${app}`])).items;
  const nodes = async (): Promise<NodeView[]> => (await json<{ items: NodeView[] }>(['get', 'nodes'])).items;

  /** kubectl's own watch until the Deployment is rolled out. */
  const rolledOut = async (deployment: string, timeoutS = 180): Promise<void> => {
    const out = await ok(['rollout', 'status', `deployment/${deployment}`, `--timeout=${timeoutS}s`], (timeoutS + 10) * 1000);
    expect(out).to.contain(`deployment "${deployment}" successfully rolled out`);
  };

  /** A pod of ours, applied from JSON; waits until kubectl says it is Ready. */
  const startPod = async (manifest: PodManifest): Promise<void> => {
    const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    expect(r.code, r.stderr).to.equal(0);
    await ok(['wait', '--for=condition=Ready', `pod/${manifest.metadata.name}`, '--timeout=120s'], 130_000);
  };

  const deletePod = async (name: string): Promise<void> => {
    await ok(['delete', 'pod', name, '--wait=true', '--timeout=60s'], 70_000);
  };

  const clientLines = async (pod: string): Promise<ClientLine[]> => parseTimestamped(await ok(['logs', '--timestamps', pod], 60_000));

  /** Waits until the client logged `count` answers after `from`; returns all its lines. */
  const answersAfter = (pod: string, from: number, count: number, timeoutMs = 60_000): Promise<ClientLine[]> =>
    eventually(
      `${count} answers of ${pod} after ${new Date(from).toISOString()}`,
      async () => {
        const lines = await clientLines(pod);
        return between(lines, from).length >= count ? lines : undefined;
      },
      timeoutMs,
      250,
    );

  /** A host that runs none of `pods`, if any, else any host but `not`. */
  const hostWithout = (pods: PodView[], not?: string): RecordedNode => {
    const busy = new Set(pods.filter(live).map((p) => p.spec.nodeName));
    const others = state.nodes.filter((n) => n.name !== not);
    return others.find((n) => !busy.has(n.name)) ?? others[0]!;
  };

  /**
   * The scheduler's promise for replicas (multihost/placement.ts): each Deployment's pods are
   * spread evenly over the hosts, at most one more on one host than on another.
   */
  const expectSpread = async (what: string, deployments = exampleDeployments): Promise<void> => {
    const pods = (await allPods()).filter(live);
    const hosts = state.nodes.map((n) => n.name);
    report(`${what}: ${placement(pods)}`);
    for (const d of deployments) {
      const selector = (await json<{ spec: { selector: { matchLabels: Record<string, string> } } }>(['get', 'deployment', d])).spec.selector.matchLabels;
      const mine = pods.filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
      const onHosts = mine.map((p) => p.spec.nodeName ?? '(unscheduled)');
      expect(skew(onHosts, hosts), `${d}'s ${mine.length} replicas spread over ${hosts.length} hosts: ${JSON.stringify(Object.fromEntries(countsPerHost(onHosts, hosts)))}`).to.be.at.most(1);
    }
  };

  /** Waits until the Service's EndpointSlices list exactly the ready pods of `app`, all ready. */
  const slicesListReadyPods = async (service: string, app: string): Promise<string[]> =>
    eventually(
      `the EndpointSlices of ${service} to list exactly the ready ${app} pods`,
      async () => {
        const want = sorted((await podsOf(app)).filter(ready).map((p) => p.status.podIP!));
        const slices = (await json<{ items: SliceView[] }>(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${service}`])).items;
        const endpoints = slices.flatMap((s) => s.endpoints ?? []);
        const listed = sorted(endpoints.flatMap((e) => e.addresses));
        const readyListed = sorted(endpoints.filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses));
        if (JSON.stringify(listed) === JSON.stringify(want) && JSON.stringify(readyListed) === JSON.stringify(want)) return want;
        throw new Error(`ready pods ${want.join(',')}; slices list ${listed.join(',')} (ready ${readyListed.join(',')})`);
      },
      60_000,
      250,
    );

  before(async function () {
    this.timeout(360_000);
    cluster = await upForTests('gantry-e2e-multihost', { hosts: 3 });
    home = cluster.home;
    state = readRecordedState(home);
    kubectl = cluster.kubectl();
    expect(state.nodes.map((n) => n.name)).to.deep.equal(['host-1', 'host-2', 'host-3']);
  });

  after(async function () {
    this.timeout(180_000);
    try {
      // Case 6 runs and checks `down`; this makes sure it ran, whatever failed before.
      await cluster?.down({ exitCode: false });
    } finally {
      // What this suite started by hand is recorded for `down`; should `down` not have run
      // to the end, stop it here, by PID.
      for (const p of restarted) if (pidRuns(p.pid, p.marker)) sigkill(p.pid);
    }
  });

  it('1. the examples answer through their Services: by DNS name from a pod on another host, through a NodePort of every host; redis replicates', async function () {
    const t0 = Date.now();
    const applied = await ok(['apply', '-f', webManifest, '-f', redisManifest]);
    for (const d of exampleDeployments) expect(applied).to.contain(`deployment.apps/${d} created`);
    for (const d of exampleDeployments) await rolledOut(d);
    report(`apply -> web, redis-primary and redis-replica rolled out: ${seconds(Date.now() - t0)}`);
    await expectSpread('placement after apply');

    // A client pod, on a host without web pods if there is one (replicas spread, so usually
    // every host has one): requests by the Service's DNS names, through its ClusterIP.
    let t = Date.now();
    const probeHost = hostWithout(await podsOf('web'));
    await startPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe' }, spec: { nodeName: probeHost.name, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } });
    const probeIp = (await ok(['get', 'pod', 'probe', '-o', 'jsonpath={.status.podIP}'])).trim();
    const clusterIp = (await ok(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(clusterIp).to.match(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    const lookup = await ok(['exec', 'probe', '--', 'nslookup', 'web.default.svc.cluster.local']);
    expect(lookup, 'the cluster DNS answers the Service name with its ClusterIP').to.match(new RegExp(`Address:\\s*${clusterIp.replace(/\./g, '\\.')}\\b`));
    const get = async (url: string): Promise<string> => {
      const r = await kubectl(['exec', 'probe', '--', 'timeout', '5', 'wget', '-qO-', url]);
      if (r.code !== 0) throw new Error(r.stderr);
      return r.stdout;
    };
    for (const url of ['http://web', 'http://web.default.svc.cluster.local']) {
      expect((await eventually(`${url} from a pod on ${probeHost.name}`, () => get(url), 30_000, 250)).trim(), url).to.equal('gantry web v1');
    }
    // Answered from another host: busybox httpd -v logs each request as `[::ffff:CLIENT_IP]:PORT:
    // response:200`, so a web pod elsewhere that logged the probe's address served it, over the overlay.
    const servedLine = new RegExp(`^\\[?(::ffff:)?${probeIp.replace(/\./g, '\\.')}\\]?:\\d+: response:200$`);
    const served = await eventually(
      `a web pod on another host than ${probeHost.name} to serve the probe`,
      async () => {
        expect((await get('http://web')).trim()).to.equal('gantry web v1');
        const elsewhere = (await podsOf('web')).filter((p) => live(p) && p.spec.nodeName !== probeHost.name);
        for (const p of elsewhere) {
          const log = await ok(['logs', p.metadata.name]);
          if (log.split('\n').some((l) => servedLine.test(l))) return p;
        }
        return undefined;
      },
      60_000,
      100,
    );
    report(`the probe on ${probeHost.name} (${probeIp}) was answered by ${served.metadata.name} on ${served.spec.nodeName} (probe pod start to here: ${seconds(Date.now() - t)})`);

    // From the machine itself, through the NodePort of every host.
    t = Date.now();
    const nodePort = Number(await ok(['get', 'service', 'web-nodeport', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    expect(nodePort).to.be.within(30000, 32767);
    for (const n of await nodes()) {
      const ip = n.status.addresses?.find((a) => a.type === 'InternalIP')?.address;
      expect(ip, `${n.metadata.name}'s InternalIP`).to.equal(state.nodes.find((s) => s.name === n.metadata.name)?.address);
      const res = await eventually(`http://${ip}:${nodePort}/`, async () => httpText(`http://${ip}:${nodePort}/`), 30_000, 250);
      expect(res, `NodePort of ${n.metadata.name}`).to.deep.equal({ status: 200, body: 'gantry web v1\n' });
    }

    report(`the NodePort answered on every host: ${seconds(Date.now() - t)}`);

    t = Date.now();
    // Redis: write on the primary, read from each replica once it has the write; the
    // replicas follow the primary by its Service's DNS name.
    expect((await ok(['exec', 'deploy/redis-primary', '--', 'redis-cli', 'set', 'k', 'v'])).trim()).to.equal('OK');
    const replicas = (await podsOf('redis')).filter((p) => live(p) && p.metadata.labels?.role === 'replica');
    expect(replicas).to.have.length(2);
    for (const r of replicas) {
      const info = await ok(['exec', r.metadata.name, '--', 'redis-cli', 'info', 'replication']);
      expect(info, r.metadata.name).to.match(/^master_host:redis-primary\r?$/m).and.match(/^master_link_status:up\r?$/m);
      const value = await eventually(
        `k on ${r.metadata.name}`,
        async () => {
          const got = (await ok(['exec', r.metadata.name, '--', 'redis-cli', 'get', 'k'])).trim();
          return got === 'v' ? got : undefined;
        },
        30_000,
        250,
      );
      expect(value).to.equal('v');
    }
    // And through the redis-replica Service, by name, from the primary's pod.
    expect((await ok(['exec', 'deploy/redis-primary', '--', 'redis-cli', '-h', 'redis-replica', 'get', 'k'])).trim()).to.equal('v');
    report(`redis: written on the primary, read on both replicas and through redis-replica: ${seconds(Date.now() - t)}`);
    await deletePod('probe');
  });

  it('1b. Jobs: the batch example runs to completion; 3 pods run in parallel; a failing pod is retried after its back-off until backoffLimit; a CronJob every minute runs its Job', async function () {
    this.timeout(300_000);
    const t0 = Date.now();
    // First, so its first minute passes while the Jobs below run.
    expect(await ok(['create', 'cronjob', 'minutely', '--image=busybox', '--schedule=* * * * *', '--', 'sh', '-c', 'echo tick from $(hostname)'])).to.contain('cronjob.batch/minutely created');
    expect(await ok(['apply', '-f', batchManifest])).to.contain('job.batch/primes created');
    // parallelism and completions are immutable after create, so the parallel Job comes from a manifest.
    const parallel = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'parallel' }, spec: { completions: 3, parallelism: 3, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3; hostname'] }] } } } };
    const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(parallel) });
    expect(r.code, r.stderr).to.equal(0);
    // A pod that always fails: backoffLimit 1 allows one retry, after the 10 s back-off.
    expect(await ok(['create', 'job', 'failing', '--image=busybox', '--', 'sh', '-c', 'exit 3'])).to.contain('job.batch/failing created');
    await ok(['patch', 'job', 'failing', '--type=merge', '-p', '{"spec":{"backoffLimit":1}}']);

    for (const job of ['primes', 'parallel']) await ok(['wait', '--for=condition=complete', `job/${job}`, '--timeout=180s'], 190_000);
    report(`Jobs primes and parallel complete: ${seconds(Date.now() - t0)}`);
    expect((await ok(['logs', 'job/primes'])).trim().split('\n').pop()).to.equal('count: 303');
    const status = await json<{ status: { succeeded?: number; failed?: number; startTime?: string; completionTime?: string } }>(['get', 'job', 'parallel']);
    expect(status.status.succeeded).to.equal(3);
    const runs = (await json<{ items: JobPod[] }>(['get', 'pods', '-l', 'job-name=parallel'])).items;
    expect(runs.map((p) => p.status.phase)).to.deep.equal(['Succeeded', 'Succeeded', 'Succeeded']);
    // Parallelism 3: all three were created before the first one finished.
    const firstFinished = Math.min(...runs.map(finishedAt));
    for (const p of runs) expect(Date.parse(p.metadata.creationTimestamp), `${p.metadata.name} created before the first finished`).to.be.at.most(firstFinished);

    await ok(['wait', '--for=condition=failed', 'job/failing', '--timeout=180s'], 190_000);
    const failing = await json<{ status: { failed?: number; conditions?: { type: string; status: string; reason?: string }[] } }>(['get', 'job', 'failing']);
    expect(failing.status.failed).to.equal(2);
    expect(failing.status.conditions?.find((c) => c.type === 'Failed')).to.include({ status: 'True', reason: 'BackoffLimitExceeded' });
    const tries = (await json<{ items: JobPod[] }>(['get', 'pods', '-l', 'job-name=failing'])).items;
    expect(tries).to.have.length(2);
    const [first, second] = [...tries].sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
    // Timestamps are whole seconds: 10 s of back-off shows as at least 9.
    expect(Date.parse(second!.metadata.creationTimestamp) - finishedAt(first!), 'the retry waited for the back-off (10 s)').to.be.at.least(9_000);
    report(`Job failing: failed twice (second try after the back-off), BackoffLimitExceeded: ${seconds(Date.now() - t0)}`);

    // The CronJob's first run: a Job named after its scheduled minute, run to completion on a real container.
    type Jobs = { items: Array<{ metadata: { name: string; ownerReferences?: Array<{ kind: string; name: string }> } }> };
    const created = Date.parse((await ok(['get', 'cronjob', 'minutely', '-o', 'jsonpath={.metadata.creationTimestamp}'])).trim());
    const scheduled = await eventually(
      "the CronJob's first Job",
      async () => (await json<Jobs>(['get', 'jobs'])).items.filter((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'minutely')).map((j) => j.metadata.name).sort()[0],
      90_000,
      1000,
    );
    expect(scheduled).to.match(/^minutely-\d+$/);
    const minute = Number(scheduled.split('-')[1]) * 60_000;
    expect(minute, 'named after a scheduled minute after the CronJob was made').to.be.within(created, created + 120_000);
    await ok(['wait', '--for=condition=complete', `job/${scheduled}`, '--timeout=120s'], 130_000);
    expect((await ok(['logs', `job/${scheduled}`])).trim()).to.match(new RegExp(`^tick from ${scheduled}-`));
    report(`CronJob minutely: ${scheduled} ran and completed ${seconds(Date.now() - t0)} after its creation`);
    await ok(['delete', 'cronjob', 'minutely', '--cascade=foreground'], 120_000);
    // Foreground: the delete returns once the Jobs' pods are gone, so later cases see none of them.
    await ok(['delete', 'job', 'primes', 'parallel', 'failing', '--cascade=foreground'], 120_000);
  });

  it('2. kubectl scale to 10 and back to 3: pods start and stop, and the EndpointSlices list exactly the ready pods', async () => {
    let t = Date.now();
    expect(await ok(['scale', 'deployment/web', '--replicas=10'])).to.contain('deployment.apps/web scaled');
    await rolledOut('web');
    report(`scale 3 -> 10 rolled out: ${seconds(Date.now() - t)}`);
    const ten = (await podsOf('web')).filter(live);
    expect(ten.filter(ready).map((p) => p.metadata.name), placement(ten)).to.have.length(10);
    await expectSpread('placement at 10 replicas', ['web']);
    for (const svc of ['web', 'web-nodeport']) expect(await slicesListReadyPods(svc, 'web')).to.have.length(10);

    t = Date.now();
    expect(await ok(['scale', 'deployment/web', '--replicas=3'])).to.contain('deployment.apps/web scaled');
    await rolledOut('web');
    const three = (await podsOf('web')).filter(live);
    expect(three.filter(ready)).to.have.length(3);
    const gone = ten.filter((p) => !three.some((k) => k.metadata.uid === p.metadata.uid)).map((p) => `pod/${p.metadata.name}`);
    expect(gone).to.have.length(7);
    // Their containers stop (busybox httpd ignores SIGTERM: 5 s grace), then the pods are gone.
    await ok(['wait', '--for=delete', ...gone, '--timeout=120s'], 130_000);
    report(`scale 10 -> 3 until the 7 pods were gone: ${seconds(Date.now() - t)}`);
    for (const svc of ['web', 'web-nodeport']) expect(await slicesListReadyPods(svc, 'web')).to.deep.equal(sorted(three.map((p) => p.status.podIP!)));
  });

  it('2b. pods that are not replicas of one workload pack onto one host', async () => {
    // No owner and no Service selecting them: no spreading applies, MostAllocated packs.
    const names = ['solo-1', 'solo-2', 'solo-3'];
    for (const name of names) {
      const manifest = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: 'e2e-solo' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '32Mi' } } }] },
      };
      // One at a time, as a user runs them: each is placed knowing where the previous went.
      const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
      expect(r.code, r.stderr).to.equal(0);
      await ok(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=120s'], 130_000);
    }
    const solo = (await podsOf('e2e-solo')).filter(live);
    report(`lone pods: ${placement(solo)}`);
    expect(new Set(solo.map((p) => p.spec.nodeName)).size, placement(solo)).to.equal(1);
    await ok(['delete', 'pod', ...names, '--wait=true', '--timeout=60s'], 70_000);
  });

  // The client runs inside the cluster, as a pod looping `wget http://web/` (see
  // multihost/clientLoop.ts): requests then take the path pods' requests take (DNS, the
  // ClusterIP rules of a host that runs no web pod, the overlay), every request is a new
  // connection that meets the rules as they are at that instant, and its pace does not
  // depend on this process (which is busy running kubectl). The NodePort path from the
  // machine is checked in case 1.
  it('3. a rolling upgrade of 10 replicas to v2, then rollout undo, fails no request of a client looping through the Service', async () => {
    await ok(['scale', 'deployment/web', '--replicas=10']);
    await rolledOut('web');
    // On a host without web pods if any; otherwise some requests stay on the client's host.
    const clientHost = hostWithout(await podsOf('web'));
    await startPod(clientLoopPod('client-rollout', clientHost.name, 'http://web/'));
    await answersAfter('client-rollout', 0, 5);

    const steps = [
      { what: 'set image v1 -> v2', args: ['set', 'image', 'deployment/web', 'web=gantry/web:v2'], said: 'deployment.apps/web image updated', image: 'gantry/web:v2', answer: 'gantry web v2' },
      { what: 'rollout undo v2 -> v1', args: ['rollout', 'undo', 'deployment/web'], said: 'deployment.apps/web rolled back', image: 'gantry/web:v1', answer: 'gantry web v1' },
    ];
    for (const step of steps) {
      const from = Date.now();
      expect(await ok(step.args)).to.contain(step.said);
      await rolledOut('web', 240);
      // `rollout status` returns once the old ReplicaSet is scaled down; its pods then drain
      // (leave every host's rules, ~0.1 s) and terminate. The rollout is over, for a client,
      // when no old pod is left at all.
      await eventually(
        'the old pods to be gone',
        async () => ((await podsOf('web')).every((p) => p.spec.containers[0]!.image === step.image) ? true : undefined),
        120_000,
        200,
      );
      const done = Date.now();
      const lines = await answersAfter('client-rollout', done, 20);
      const during = between(lines, from, done);
      const afterwards = between(lines, done);
      report(`${step.what}: rolled out in ${seconds(done - from)}; ${during.length} requests meanwhile: ${tally(during)}`);
      expect(during.length, 'the client kept sending during the rollout').to.be.greaterThan(0);
      expect(during.filter(isFailure).map((l) => `${new Date(l.at).toISOString()} ${l.text}`), `failed requests during ${step.what}`).to.deep.equal([]);
      expect(afterwards.filter((l) => l.text !== step.answer).map((l) => `${new Date(l.at).toISOString()} ${l.text}`), `answers after ${step.what} completed`).to.deep.equal([]);
      const pods = (await podsOf('web')).filter(live);
      expect(pods.map((p) => p.spec.containers[0]!.image)).to.deep.equal(Array(10).fill(step.image));
    }
    await deletePod('client-rollout');
  });

  // What a killed host means for requests: connections to its pods die with them; until the
  // control plane sees the host silent (NotReady) and its pods leave the EndpointSlices, the
  // proxies still send new connections to those pods, which time out (or are refused while a
  // pod's network namespace outlives its processes). With bin-packing all replicas may share
  // the host, and then nothing answers until the replacements are Ready. So this case counts
  // and prints the failures and asserts the Service recovers, not that none failed.
  it('4. a host killed (agent, containers, link) goes NotReady, its pods run elsewhere, the Service recovers; back, it rejoins and removes what was replaced', async () => {
    const pods = (await allPods()).filter(live);
    const perHost = (name: string): PodView[] => pods.filter((p) => p.spec.nodeName === name);
    const candidates = state.nodes.filter((n) => perHost(n.name).some((p) => appOf(p) === 'web'));
    expect(candidates.length, placement(pods)).to.be.greaterThan(0);
    const victim = candidates.reduce((a, b) => (perHost(b.name).length < perHost(a.name).length ? b : a));
    const clientHost = hostWithout(pods.filter((p) => appOf(p) === 'web'), victim.name);
    report(`placement before: ${placement(pods)}; killing ${victim.name}, client on ${clientHost.name}`);
    await startPod(clientLoopPod('client-failover', clientHost.name, 'http://web/'));
    await answersAfter('client-failover', 0, 5);

    const old = perHost(victim.name).filter((p) => p.metadata.namespace === 'default' && appOf(p) !== 'e2e-client');
    const oldContainers = old.flatMap((p) => (p.status.containerStatuses ?? []).map((c) => c.containerID?.split('://')[1] ?? '')).filter(Boolean);
    expect(old.length).to.be.greaterThan(0);

    const dead: KilledHost = await killHost(state, victim);
    killed.push(
      { name: `supervisor of ${victim.name}`, pid: dead.killed.supervisor, marker: dead.logFile },
      { name: `agent of ${victim.name}`, pid: dead.killed.agent, marker: victim.root },
    );
    report(`killed ${victim.name}: supervisor ${dead.killed.supervisor}, agent ${dead.killed.agent}, ${dead.killed.byCommandLine.length} more naming its root (${[...new Set(dead.killed.byCommandLine)].join(', ')}), ${dead.killed.inCgroups} in its pods' cgroups; ${dead.node.veth} down`);

    await eventually(
      `${victim.name} to be NotReady`,
      async () => {
        const n = (await nodes()).find((x) => x.metadata.name === victim.name);
        return n && !nodeReady(n) ? true : undefined;
      },
      90_000,
      250,
    );
    const notReadyAfter = Date.now() - dead.at;
    const replaced = await eventually(
      `the example Deployments to run all their replicas on the other hosts`,
      async () => {
        const now = (await allPods()).filter(live);
        for (const d of exampleDeployments) {
          const want = Number(await ok(['get', 'deployment', d, '-o', 'jsonpath={.spec.replicas}']));
          const [app, role] = d === 'web' ? ['web', undefined] : ['redis', d.split('-')[1]];
          const running = now.filter((p) => appOf(p) === app && (!role || p.metadata.labels?.role === role) && ready(p) && p.spec.nodeName !== victim.name);
          if (running.length !== want) throw new Error(`${d}: ${running.length} of ${want} ready elsewhere; ${placement(now)}`);
        }
        return now;
      },
      180_000,
      500,
    );
    const replacedAfter = Date.now() - dead.at;
    report(`${victim.name} NotReady ${seconds(notReadyAfter)} after the kill; every replica Ready on other hosts after ${seconds(replacedAfter)}: ${placement(replaced)}`);

    // The Service recovers: a run of answers in a row, the latest ones.
    const recovered = await eventually(
      'the client to get 20 answers in a row',
      async () => {
        const lines = between(await clientLines('client-failover'), dead.at);
        const last = lines.slice(-20);
        return last.length === 20 && !last.some(isFailure) ? lines : undefined;
      },
      60_000,
      250,
    );
    const failures = recovered.filter(isFailure);
    const lastFailure = failures.at(-1);
    report(
      `client through the kill: ${recovered.length} requests, ${failures.length} failed` +
        (lastFailure ? ` (${new Date(failures[0]!.at).toISOString()} .. ${new Date(lastFailure.at).toISOString()}, last ${seconds(lastFailure.at - dead.at)} after the kill): ${tally(failures)}` : ''),
    );
    expect(recovered.slice(-20).map((l) => l.text)).to.deep.equal(Array(20).fill('gantry web v1'));

    // Back: the link up and the agent's unit started again with its old command line.
    const back = Date.now();
    const pid = await bringBack(home, dead);
    restarted.push({ name: `nodeagent-${victim.name}`, pid, marker: dead.logFile });
    await eventually(
      `${victim.name} to be Ready again`,
      async () => {
        const n = (await nodes()).find((x) => x.metadata.name === victim.name);
        return n && nodeReady(n) ? true : undefined;
      },
      180_000,
      250,
    );
    report(`${victim.name} Ready again ${seconds(Date.now() - back)} after its agent was started`);

    // Nothing of what was replaced is left on it: not in the API, not in its runtime's state,
    // its cgroups or its mounts, and no process of it runs.
    const cgroupTops = cgroupDirs(victim.cgroupRoot);
    const runtimeContainers = path.join(victim.root, 'runtime', 'containers');
    let lastLeft = '';
    await eventually(
      `${victim.name} to remove what was replaced`,
      async () => {
        const uids = new Set((await allPods()).map((p) => p.metadata.uid));
        const left = [
          ...old.filter((p) => uids.has(p.metadata.uid)).map((p) => `pod ${p.metadata.name} in the API`),
          ...old.flatMap((p) => cgroupsNamed(cgroupTops, `pod${p.metadata.uid}`)).map((d) => `cgroup ${d}`),
          ...oldContainers.filter((id) => fs.existsSync(path.join(runtimeContainers, id))).map((id) => `container state ${id}`),
          ...mountsUnder(victim.root).filter((m) => dead.mounts.includes(m)).map((m) => `mount ${m}`),
          ...oldContainers.flatMap((id) => processesMentioning(id)).map((p) => `process ${p.pid}: ${p.cmdline.slice(0, 120)}`),
        ];
        if (left.length) throw new Error((lastLeft = left.join('; ')));
        return true;
      },
      120_000,
      500,
    );
    report(`${victim.name} removed what was replaced ${seconds(Date.now() - back)} after its agent was started${lastLeft ? ` (the last to go: ${lastLeft.slice(0, 300)})` : ''}`);
    await deletePod('client-failover');
  });

  it('5. the API server, controller manager and scheduler killed during a rollout: their supervisors start them again, it completes and no object is lost', async () => {
    const objects = async (): Promise<string[]> => {
      const list = await json<{ items: Array<{ kind: string; metadata: { namespace?: string; name: string; uid: string } }> }>(['get', 'deployments,services,configmaps', '-A']);
      return sorted(list.items.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name} ${o.metadata.uid}`));
    };
    const before = await objects();
    expect(before.length).to.be.greaterThan(5);

    const supervisors = ['apiserver', 'controller-manager', 'scheduler'].map((name) => {
      const p = recordedProcess(state, name);
      return { name, supervisor: p.pid, component: supervisedChild(p.pid) };
    });

    const from = Date.now();
    expect(await ok(['set', 'image', 'deployment/web', 'web=gantry/web:v2'])).to.contain('deployment.apps/web image updated');
    // Under way: the controller has seen the new template and started pods of it (until it
    // has seen it, updatedReplicas still counts the previous template's).
    await eventually(
      'the rollout to be under way',
      async () => {
        const [generation, observed, updated] = (await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.generation} {.status.observedGeneration} {.status.updatedReplicas}'])).split(' ');
        return generation === observed && Number(updated) >= 1 ? true : undefined;
      },
      60_000,
      100,
    );

    // Each runs under `gantry supervise`, which starts it again (the API server's back-off is capped at 2 s).
    for (const s of supervisors) {
      sigkill(s.component);
      killed.push({ name: s.name, pid: s.component, marker: home });
    }
    const killedAt = Date.now();
    report(`killed ${supervisors.map((s) => `${s.name} (${s.component})`).join(', ')} ${seconds(killedAt - from)} into the rollout`);

    await eventually('the API server to be ready again', async () => ((await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 5_000 })).stdout === 'ok' ? true : undefined), 90_000, 250);
    report(`API server ready ${seconds(Date.now() - killedAt)} after the kill`);
    const again = await eventually(
      'the supervisors to start the API server, the controller manager and the scheduler again',
      async () => {
        // supervisedChild throws while a supervisor runs no copy (it backs off before restarting).
        const now = supervisors.map((s) => ({ ...s, pid: supervisedChild(s.supervisor) }));
        return now.every((s) => s.pid !== s.component) ? now : undefined;
      },
      60_000,
      250,
    );
    report(`restarted by their supervisors: ${again.map((s) => `${s.name} ${s.pid}`).join(', ')}`);

    await rolledOut('web', 240);
    report(`the rollout completed ${seconds(Date.now() - from)} after set image`);
    const pods = (await podsOf('web')).filter(live);
    expect(pods.filter(ready).map((p) => p.spec.containers[0]!.image), placement(pods)).to.deep.equal(Array(10).fill('gantry/web:v2'));
    expect(await objects(), 'Deployments, Services and ConfigMaps (kind, name, uid)').to.deep.equal(before);
    const notReady = (await nodes()).filter((n) => !nodeReady(n)).map((n) => n.metadata.name);
    expect(notReady, 'Nodes not Ready after the control plane restarted').to.deep.equal([]);
  });

  it('5b. a DaemonSet runs a pod on every host; kubectl drain of a host waits while a PodDisruptionBudget refuses, and finishes once it allows', async function () {
    this.timeout(300_000);
    const t0 = Date.now();
    const agent = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'agent', image: 'busybox', command: ['sleep', '3600'] }] } } } };
    const applied = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(agent) });
    expect(applied.code, applied.stderr).to.equal(0);
    await ok(['rollout', 'status', 'daemonset/agent', '--timeout=180s'], 190_000);
    const hosts = (await nodes()).map((n) => n.metadata.name).sort();
    const agents = (await podsOf('agent')).filter(live);
    expect(agents.map((p) => p.spec.nodeName).sort(), 'one agent pod per host').to.deep.equal(hosts);
    report(`DaemonSet agent: a pod on each of ${hosts.join(', ')} ${seconds(Date.now() - t0)} after apply`);

    // Every web replica must stay up: the budget allows no eviction.
    const webReplicas = (await podsOf('web')).filter(live).length;
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: webReplicas, selector: { matchLabels: { app: 'web' } } } };
    const made = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(pdb) });
    expect(made.code, made.stderr).to.equal(0);
    await eventually('the budget to be counted', async () => ((await ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status.observedGeneration} {.status.expectedPods}'])).trim() === `1 ${webReplicas}` ? true : undefined), 60_000, 250);
    // The host running the most web pods: the drain has the most to evict.
    const counts = new Map<string, number>();
    for (const p of (await podsOf('web')).filter(live)) counts.set(p.spec.nodeName ?? '', (counts.get(p.spec.nodeName ?? '') ?? 0) + 1);
    const victim = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const onVictim = (await podsOf('web')).filter((p) => live(p) && p.spec.nodeName === victim).map((p) => p.metadata.name);
    const drain = runKubectl(cluster!.kubeconfig, kubectl.cacheDir, ['drain', victim, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=240s'], { timeoutMs: 250_000 });
    try {
      await eventually(`kubectl drain ${victim} to be refused by the budget`, async () => (drain.stderr().includes("Cannot evict pod as it would violate the pod's disruption budget") ? true : undefined), 60_000, 250);
      expect(((await ok(['get', 'node', victim, '-o', 'jsonpath={.spec.unschedulable}'])).trim()), 'cordoned first').to.equal('true');
      expect((await podsOf('web')).filter((p) => live(p) && onVictim.includes(p.metadata.name)).length, 'no web pod evicted while the budget refuses').to.equal(onVictim.length);
      // The budget now allows what the host holds: drain finishes.
      await ok(['patch', 'pdb', 'web', '--type=merge', '-p', JSON.stringify({ spec: { minAvailable: webReplicas - onVictim.length } })]);
      const done = await drain.done;
      expect(done.code, `${done.stdout}\n${done.stderr}`).to.equal(0);
      expect(done.stdout).to.contain(`node/${victim} drained`);
      for (const name of onVictim) expect(done.stdout).to.contain(`pod/${name} evicted`);
    } finally {
      await drain.stop();
    }
    const after = (await podsOf('web')).filter(live);
    expect(after.filter((p) => p.spec.nodeName === victim), 'no web pod left on the drained host').to.deep.equal([]);
    expect((await podsOf('agent')).filter((p) => live(p) && p.spec.nodeName === victim), 'the DaemonSet pod stays (--ignore-daemonsets)').to.have.length(1);
    await rolledOut('web');
    report(`kubectl drain ${victim}: refused by the budget, then ${onVictim.length} web pods evicted and replaced elsewhere (${seconds(Date.now() - t0)} since the DaemonSet's apply)`);
    await ok(['uncordon', victim]);
    await ok(['delete', 'pdb', 'web']);
    await ok(['delete', 'daemonset', 'agent', '--cascade=foreground'], 120_000);
  });

  it('5c. the Redis StatefulSet: pods made in order, each with its own local-path claim on its host; a replica sees the primary\'s write; a deleted pod comes back with its data; deleting the claims removes their directories', async function () {
    this.timeout(360_000);
    const t0 = Date.now();
    const applied = await ok(['apply', '-f', redisStatefulSetManifest]);
    expect(applied).to.contain('statefulset.apps/redis created');
    const rolled = await ok(['rollout', 'status', 'statefulset/redis', '--timeout=240s'], 250_000);
    expect(rolled).to.match(/partitioned roll out complete|statefulset rolling update complete/);
    report(`Redis StatefulSet: 3 pods Ready ${seconds(Date.now() - t0)} after apply`);

    const pods = (await podsOf('redis-sts')).filter(live).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(pods.map((p) => p.metadata.name)).to.deep.equal(['redis-0', 'redis-1', 'redis-2']);
    // OrderedReady: each pod was created only once the one before it was Ready.
    const timed = await json<{ items: Array<{ metadata: { name: string; creationTimestamp: string }; status: { conditions?: Array<{ type: string; lastTransitionTime?: string }> } }> }>(['get', 'pods', '-l', 'app=redis-sts']);
    const byName = new Map(timed.items.map((p) => [p.metadata.name, p]));
    for (const [before, next] of [['redis-0', 'redis-1'], ['redis-1', 'redis-2']] as const) {
      const readyAt = Date.parse(byName.get(before)!.status.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!);
      expect(Date.parse(byName.get(next)!.metadata.creationTimestamp), `${next} created after ${before} was Ready`).to.be.at.least(Math.floor(readyAt / 1000) * 1000);
    }

    // Each pod's claim is bound to a local-path volume pinned to the host the pod runs on.
    const claims = (await json<{ items: ClaimView[] }>(['get', 'pvc', '-l', 'app=redis-sts'])).items;
    expect(claims.map((c) => `${c.metadata.name} ${c.status.phase} ${c.spec.storageClassName}`).sort()).to.deep.equal(['data-redis-0 Bound local-path', 'data-redis-1 Bound local-path', 'data-redis-2 Bound local-path']);
    const volumes = new Map((await json<{ items: VolumeView[] }>(['get', 'pv'])).items.map((v) => [v.metadata.name, v]));
    const dirs: string[] = [];
    for (const pod of pods) {
      const claim = claims.find((c) => c.metadata.name === `data-${pod.metadata.name}`)!;
      const pv = volumes.get(claim.spec.volumeName!)!;
      const pinned = pv.spec.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.find((e) => e.key === 'kubernetes.io/hostname')?.values;
      expect(pinned, `${pv.metadata.name}'s node affinity`).to.deep.equal([pod.spec.nodeName]);
      expect(fs.existsSync(pv.spec.local!.path), `${pv.spec.local!.path} on the host`).to.equal(true);
      dirs.push(pv.spec.local!.path);
    }
    report(`Redis StatefulSet placement: ${placement(pods)}`);

    // A write on the primary reaches the replicas through redis-0.redis.
    expect((await ok(['exec', 'redis-0', '--', 'redis-cli', 'set', 'greeting', 'hello from redis-0'])).trim()).to.equal('OK');
    for (const replica of ['redis-1', 'redis-2']) {
      await eventually(`${replica} to see the primary's write`, async () => ((await ok(['exec', replica, '--', 'redis-cli', 'get', 'greeting'])).trim() === 'hello from redis-0' ? true : undefined), 60_000, 500);
    }

    // The primary deleted: it comes back with its name, on its host, with its data from its volume.
    const host0 = pods[0]!.spec.nodeName;
    const uid0 = pods[0]!.metadata.uid;
    await ok(['delete', 'pod', 'redis-0', '--wait=true', '--timeout=60s'], 70_000);
    const back = await eventually(
      'redis-0 to come back Ready',
      async () => {
        const p = (await podsOf('redis-sts')).find((x) => x.metadata.name === 'redis-0');
        return p && p.metadata.uid !== uid0 && ready(p) ? p : undefined;
      },
      120_000,
      500,
    );
    expect(back.spec.nodeName, 'the volume keeps redis-0 on its host').to.equal(host0);
    expect((await ok(['exec', 'redis-0', '--', 'redis-cli', 'get', 'greeting'])).trim(), 'the data survived on the volume').to.equal('hello from redis-0');

    // Scale-down keeps claims; deleting the StatefulSet and then the claims removes the volumes and their directories (reclaimPolicy Delete).
    await ok(['delete', 'statefulset', 'redis', '--wait=true', '--timeout=120s'], 130_000);
    await eventually('the redis pods to be gone', async () => ((await podsOf('redis-sts')).length === 0 ? true : undefined), 120_000, 500);
    expect((await json<{ items: ClaimView[] }>(['get', 'pvc', '-l', 'app=redis-sts'])).items, 'claims outlive their StatefulSet').to.have.length(3);
    await ok(['delete', 'pvc', '-l', 'app=redis-sts', '--wait=true', '--timeout=120s'], 130_000);
    await eventually('the volumes to be deleted', async () => ((await json<{ items: VolumeView[] }>(['get', 'pv'])).items.some((v) => claims.some((c) => c.spec.volumeName === v.metadata.name)) ? undefined : true), 120_000, 500);
    for (const dir of dirs) expect(fs.existsSync(dir), `${dir} removed by its node`).to.equal(false);
    await ok(['delete', 'service', 'redis']);
    report(`Redis StatefulSet: write replicated, redis-0 back with its data, volumes removed (${seconds(Date.now() - t0)} in all)`);
  });

  it('6. gantry down leaves no process, mount, network namespace, veth, bridge, route, cgroup or iptables rule of any host', async () => {
    const recorded = readRecordedState(home);
    const r = await cluster!.stop();
    expect(r.code, r.out).to.equal(0);
    const leftovers = await clusterLeftovers(recorded, home, cluster!.tmp.dir, [...recorded.processes, ...killed, ...restarted]);
    expect(leftovers).to.deep.equal([]);
  });
});
