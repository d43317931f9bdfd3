// `gantry why` and `gantry top` against a real etcd, API server and scheduler (processes).
// Nodes of various capacities, a taint and a cordon are made by the test; a pod that fits
// nowhere is left to the real scheduler, and `gantry why` must give each node the reason the
// scheduler counted into its own FailedScheduling message. Pods bound by the test (spec.nodeName)
// carry the statuses a node agent would write: an image pull error, a crash loop, an OOM kill,
// a failing readiness probe, a healthy pod. No node agent runs, so the logs endpoint cannot
// answer and `why` says so.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { componentCommand } from '../../common/proc/components.js';
import { freePort } from '../../common/proc/ports.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { makeNode } from '../../common/testing/builders.js';
import { eventually } from '../../common/testing/eventually.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { runGantry, type GantryResult } from './testing.js';
import { samplingNote } from './top.js';

const ns = 'why';
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('gantry why and gantry top (etcd + API server + scheduler processes)', function () {
  this.timeout(180_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let scheduler: ChildProcess | undefined;
  let schedulerLog = '';
  const gantry = (...args: string[]): Promise<GantryResult> => runGantry(args, { env });
  const post = async (p: string, body: object): Promise<{ metadata: { uid: string } }> => {
    const r = await c.client.request('POST', p, { body });
    expect(r.status, `POST ${p}: ${r.text}`).to.equal(201);
    return r.body as { metadata: { uid: string } };
  };
  const status = async (pod: string, st: object): Promise<void> => {
    const r = await c.client.request('PATCH', `/api/v1/namespaces/${ns}/pods/${pod}/status`, { body: { status: st }, contentType: 'application/merge-patch+json' });
    expect(r.status, `PATCH ${pod}/status: ${r.text}`).to.equal(200);
  };
  const getPod = async (name: string): Promise<{ metadata: { annotations?: Record<string, string> }; spec: { nodeName?: string }; status?: { conditions?: { type: string; status: string; message?: string }[] } }> =>
    (await c.client.request('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).body as never;
  const bound = (name: string, nodeName: string, container: object = {}): object => ({
    metadata: { name },
    spec: { nodeName, containers: [{ name: 'c', image: 'shop/app:1', ...container }] },
  });

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-why-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig, TZ: 'UTC' };
    await post('/api/v1/namespaces', { metadata: { name: ns } });
    await post('/api/v1/nodes', makeNode().name('small').capacity({ cpu: '1', memory: '2Gi' }).obj());
    await post('/api/v1/nodes', makeNode().name('busy').capacity({ cpu: '2', memory: '4Gi' }).obj());
    await post('/api/v1/nodes', makeNode().name('tainted').capacity({ cpu: '8', memory: '8Gi' }).taint('dedicated', 'gpu', 'NoSchedule').obj());
    await post('/api/v1/nodes', makeNode().name('cordoned').capacity({ cpu: '8', memory: '8Gi' }).unschedulable().obj());
    // On busy: requests as the bin-packer counts them: max(500m + 300m sidecar, 1200m init) = 1200m cpu; 256Mi + 128Mi = 384Mi memory.
    await post(`/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'hog' },
      spec: {
        nodeName: 'busy',
        initContainers: [
          { name: 'setup', image: 'shop/setup:1', resources: { requests: { cpu: '1200m' } } },
          { name: 'proxy', image: 'shop/proxy:1', restartPolicy: 'Always', resources: { requests: { cpu: '300m', memory: '128Mi' } } },
        ],
        containers: [{ name: 'c', image: 'shop/app:1', resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } }],
      },
    });
    await status('hog', { phase: 'Running' });
    const { command, args } = componentCommand('scheduler/main');
    scheduler = spawn(command, [...args, '--kubeconfig', c.kubeconfig, '--metrics-port', String(await freePort()), '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    scheduler.stdout!.on('data', (d: Buffer) => (schedulerLog += d.toString()));
    scheduler.stderr!.on('data', (d: Buffer) => (schedulerLog += d.toString()));
  });
  after(async () => {
    if (scheduler) await stopChild(scheduler, 5_000);
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("why: a pod that fits nowhere gets each node's reason, the same the scheduler counted in its FailedScheduling message; binding clears them", async () => {
    await post(`/api/v1/namespaces/${ns}/pods`, { metadata: { name: 'big' }, spec: { containers: [{ name: 'c', image: 'shop/app:1', resources: { requests: { cpu: '1500m', memory: '1Gi' } } }] } });
    const failed = await eventually(
      'a FailedScheduling event and the per-node annotation',
      async () => {
        const evs = (await c.client.request('GET', `/api/v1/namespaces/${ns}/events`, { query: { fieldSelector: 'involvedObject.name=big,reason=FailedScheduling' } })).body as { items: { message: string }[] };
        const pod = await getPod('big');
        return evs.items.length && pod.metadata.annotations?.['scheduler.gantry.dev/unschedulable-nodes'] ? evs.items[0]!.message : undefined;
      },
      30_000,
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nscheduler log: ${schedulerLog.slice(-1500)}`);
    });
    const condition = (await getPod('big')).status?.conditions?.find((x) => x.type === 'PodScheduled');
    expect(condition?.message).to.equal(failed);
    expect(failed).to.match(/^0\/4 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 1 node\(s\) were unschedulable, 2 Insufficient cpu\./);

    const r = await gantry('why', 'big', '-n', ns);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(
      [
        'pod/big is Pending: it cannot be scheduled.',
        `scheduler (Unschedulable): ${failed}`,
        '',
        'NODE       WHY NOT',
        'busy       Insufficient cpu (asks 1500m, 800m free of 2000m: short by 700m)',
        'cordoned   node(s) were unschedulable',
        'small      Insufficient cpu (asks 1500m, 1000m free of 1000m: short by 500m)',
        'tainted    node(s) had untolerated taint {dedicated: gpu}',
        '',
      ].join('\n'),
    );
    // The table's reasons, counted as the scheduler counts them, give back its message.
    const reasons = r.stdout.split('\n').slice(4, -1).map((l) => l.replace(/^\S+\s+/, '').replace(/ \(asks .*\)$/, ''));
    const counts = new Map<string, number>();
    for (const x of reasons) counts.set(x, (counts.get(x) ?? 0) + 1);
    const histogram = [...counts].map(([x, n]) => `${n} ${x}`).sort().join(', ');
    expect(failed.startsWith(`0/4 nodes are available: ${histogram}.`), `${histogram} vs ${failed}`).to.equal(true);

    // A node with room: the scheduler binds the pod and removes its per-node reasons.
    await post('/api/v1/nodes', makeNode().name('roomy').capacity({ cpu: '4', memory: '8Gi' }).obj());
    await eventually('bound, the annotation gone', async () => {
      const p = await getPod('big');
      return p.spec.nodeName === 'roomy' && !p.metadata.annotations?.['scheduler.gantry.dev/unschedulable-nodes'] ? true : undefined;
    }, 30_000);
    const after = await gantry('why', 'big', '-n', ns);
    expect(after.stdout).to.equal('pod/big is Pending on node roomy but not Ready.\nthe node agent has not reported the containers yet\n');
  });

  it('why: image pull error, crash loop, OOM kill, failing probe; a Ready pod has nothing wrong', async () => {
    await post(`/api/v1/namespaces/${ns}/pods`, bound('pull', 'tainted', { image: 'shop/missing:9' }));
    await status('pull', {
      phase: 'Pending',
      containerStatuses: [{ name: 'c', image: 'shop/missing:9', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "shop/missing:9": manifest unknown' } } }],
    });
    await post(`/api/v1/namespaces/${ns}/pods`, bound('crash', 'tainted'));
    await status('crash', {
      phase: 'Running',
      containerStatuses: [{ name: 'c', image: 'shop/app:1', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } }, lastState: { terminated: { exitCode: 3, reason: 'Error', finishedAt: '2026-12-07T10:00:00Z' } } }],
    });
    await post(`/api/v1/namespaces/${ns}/pods`, bound('oom', 'tainted', { resources: { requests: { memory: '32Mi' }, limits: { memory: '64Mi' } } }));
    await status('oom', {
      phase: 'Running',
      containerStatuses: [{ name: 'c', image: 'shop/app:1', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
    });
    const probe = await post(`/api/v1/namespaces/${ns}/pods`, bound('probe', 'tainted'));
    await status('probe', {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
      containerStatuses: [{ name: 'c', image: 'shop/app:1', ready: false, restartCount: 0, state: { running: { startedAt: ago(60_000) } } }],
    });
    await post(`/api/v1/namespaces/${ns}/events`, {
      metadata: { name: 'probe.unhealthy' },
      involvedObject: { kind: 'Pod', namespace: ns, name: 'probe', uid: probe.metadata.uid, fieldPath: 'spec.containers{c}' },
      reason: 'Unhealthy',
      type: 'Warning',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      count: 7,
      source: { component: 'kubelet', host: 'tainted' },
      firstTimestamp: ago(50_000),
      lastTimestamp: ago(5_000),
    });
    await post(`/api/v1/namespaces/${ns}/pods`, bound('fine', 'tainted'));
    await status('fine', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', image: 'shop/app:1', ready: true, restartCount: 0, state: { running: { startedAt: ago(60_000) } } }] });

    expect((await gantry('why', 'pull', '-n', ns)).stdout).to.equal(
      'pod/pull is Pending on node tainted but not Ready.\ncontainer c: cannot pull its image shop/missing:9 (ImagePullBackOff): Back-off pulling image "shop/missing:9": manifest unknown\n',
    );
    const crash = await gantry('why', 'pod/crash', '-n', ns);
    expect(crash.stdout).to.match(
      /^pod\/crash is Running on node tainted but not Ready\.\ncontainer c: crash loop, restarted 4 time\(s\); last exit code 3 \(Error\) at 2026-12-07T10:00:00Z\n {2}last 10 log lines of the previous run:\n {4}\(no log: node tainted has no InternalIP or Hostname address to reach its agent\)\n$/,
    );
    expect((await gantry('why', 'oom', '-n', ns)).stdout).to.equal('pod/oom is Running on node tainted but not Ready.\ncontainer c: killed for running out of memory (OOMKilled, exit code 137), restarted 1 time(s); memory limit 64Mi\n');
    expect((await gantry('why', 'probe', '-n', ns)).stdout).to.equal(
      'pod/probe is Running on node tainted but not Ready.\ncontainer c: running but not ready; probe failing (7 failure event(s)), latest: Readiness probe failed: HTTP probe failed with statuscode: 503\n',
    );
    const fine = await gantry('why', 'fine', '-n', ns);
    expect(fine).to.deep.equal({ code: 0, stdout: 'pod/fine is Running and Ready on node tainted: nothing is wrong.\n', stderr: '' });
  });

  it('why: a pod that does not exist, and a type that is not a pod, are errors', async () => {
    const missing = await gantry('why', 'nope', '-n', ns);
    expect(missing.code).to.equal(1);
    expect(missing.stdout).to.equal('');
    expect(missing.stderr).to.equal('Error from server (NotFound): pods "nope" not found\n');
    const wrong = await gantry('why', 'deploy/web', '-n', ns);
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.contain('why explains pods: give a pod name, not "deploy/web"');
  });

  it('top nodes: usage <unknown> with the reason on stderr (no node agent runs), beside requests and limits against allocatable as the bin-packer counts them (init containers, sidecars); a bar per resource on a terminal', async () => {
    const r = await gantry('top', 'nodes');
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal(`usage unknown for the 5 nodes: no sample yet (${samplingNote})\n`);
    expect(r.stdout).to.equal(
      [
        'NAME       RESOURCE   USAGE       REQUESTS    LIMITS      ALLOCATABLE',
        'busy       cpu        <unknown>   1200m 60%   1000m 50%   2000m',
        'busy       memory     <unknown>   384Mi 9%    512Mi 12%   4Gi',
        'busy       pods       -           1 0%        -           110',
        'cordoned   cpu        <unknown>   0m 0%       0m 0%       8000m',
        'cordoned   memory     <unknown>   0 0%        0 0%        8Gi',
        'cordoned   pods       -           0 0%        -           110',
        'roomy      cpu        <unknown>   1500m 37%   0m 0%       4000m',
        'roomy      memory     <unknown>   1Gi 12%     0 0%        8Gi',
        'roomy      pods       -           1 0%        -           110',
        'small      cpu        <unknown>   0m 0%       0m 0%       1000m',
        'small      memory     <unknown>   0 0%        0 0%        2Gi',
        'small      pods       -           0 0%        -           110',
        'tainted    cpu        <unknown>   0m 0%       0m 0%       8000m',
        'tainted    memory     <unknown>   32Mi 0%     64Mi 0%     8Gi',
        'tainted    pods       -           5 4%        -           110',
        '',
      ].join('\n'),
    );
    const tty = await runGantry(['top', 'nodes', 'busy', '--no-headers'], { env, isTTY: true });
    expect(tty.stdout).to.equal(
      [
        'busy   cpu      <unknown>   1200m 60%   1000m 50%   2000m   [######····]',
        'busy   memory   <unknown>   384Mi 9%    512Mi 12%   4Gi     [#·········]',
        'busy   pods     -           1 0%        -           110     [··········]',
        '',
      ].join('\n'),
    );
    expect(tty.stderr).to.equal(`usage unknown for the node: no sample yet (${samplingNote})\n`);
    // --requests leaves usage out and says nothing about it.
    const requests = await gantry('top', 'nodes', '--requests', '-l', 'kubernetes.io/hostname=busy');
    expect(requests).to.deep.equal({ code: 0, stderr: '', stdout: 'NAME   RESOURCE   REQUESTS    LIMITS      ALLOCATABLE\nbusy   cpu        1200m 60%   1000m 50%   2000m\nbusy   memory     384Mi 9%    512Mi 12%   4Gi\nbusy   pods       1 0%        -           110\n' });
  });

  it('top pods: usage beside each pod\'s request and limit, <unknown> before a sample; --containers, -A, --field-selector; an empty namespace says so', async () => {
    const r = await gantry('top', 'pods', '-n', ns);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal(`usage unknown for the 7 pods: not running, or no sample yet (${samplingNote})\n`);
    expect(r.stdout).to.equal(
      [
        'NAME    CPU                                      MEMORY',
        'big     <unknown> (request 1500m, no limit)      <unknown> (request 1Gi, no limit)',
        'crash   <unknown> (no request, no limit)         <unknown> (no request, no limit)',
        'fine    <unknown> (no request, no limit)         <unknown> (no request, no limit)',
        'hog     <unknown> (request 1200m, limit 1000m)   <unknown> (request 384Mi, limit 512Mi)',
        'oom     <unknown> (no request, no limit)         <unknown> (request 32Mi, limit 64Mi)',
        'probe   <unknown> (no request, no limit)         <unknown> (no request, no limit)',
        'pull    <unknown> (no request, no limit)         <unknown> (no request, no limit)',
        '',
      ].join('\n'),
    );
    const containers = await gantry('top', 'pods', '-n', ns, '--containers', '--field-selector', 'spec.nodeName=busy', '--requests');
    expect(containers).to.deep.equal({ code: 0, stderr: '', stdout: 'POD   NAME    CPU                         MEMORY\nhog   proxy   request 300m, no limit      request 128Mi, no limit\nhog   c       request 500m, limit 1000m   request 256Mi, limit 512Mi\n' });
    const all = await gantry('top', 'pods', '-A', '-l', 'missing=label');
    expect(all).to.deep.equal({ code: 0, stdout: '', stderr: 'No resources found\n' });
    const empty = await gantry('top', 'pods', '-n', 'default');
    expect(empty.stderr).to.equal('No resources found in default namespace.\n');
    const missing = await gantry('top', 'pod', 'nope', '-n', ns);
    expect(missing).to.deep.equal({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    const bad = await gantry('top', 'deployments');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('top shows nodes or pods, not "deployments"');
  });
});
