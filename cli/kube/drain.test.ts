// gantry drain: kubectl's pod filters as a table, then against a real etcd, API server and
// controller manager (processes; the ReplicaSet and disruption controllers), with an in-test
// loop standing in for the node agents (it marks bound pods Running and Ready): the same refusals and the same evictions as kubectl 1.32's drain
// on twin nodes (g-... for gantry, k-... for kubectl), and a drain that waits on a
// PodDisruptionBudget and finishes once a replacement is Ready.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import { ApiClient } from '../../common/client/apiClient.js';
import { rfc3339 } from '../../common/clock.js';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { componentCommand } from '../../common/proc/components.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { eventually } from '../../common/testing/eventually.js';
import { drainMessages, podVerdict, type DrainFlags } from './drain.js';
import { runGantry, type GantryResult } from './testing.js';

const kubectlBin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

function pod(opts: { owner?: string; mirror?: boolean; emptyDir?: boolean; phase?: string } = {}): KubeObject {
  return {
    metadata: {
      name: 'p',
      namespace: 'd',
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: opts.owner, name: 'o', uid: 'u', controller: true }] } : {}),
      ...(opts.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'x' } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(opts.emptyDir ? { volumes: [{ name: 'v', emptyDir: {} }] } : {}) },
    status: { phase: opts.phase ?? 'Running' },
  };
}

describe('gantry drain: which pods go', () => {
  const cases: { name: string; pod: KubeObject; flags?: DrainFlags; want: ReturnType<typeof podVerdict> }[] = [
    { name: 'a ReplicaSet pod', pod: pod({ owner: 'ReplicaSet' }), want: { action: 'drain' } },
    { name: 'a DaemonSet pod without --ignore-daemonsets', pod: pod({ owner: 'DaemonSet' }), want: { action: 'refuse', error: drainMessages.daemonSetError } },
    { name: 'a DaemonSet pod with --ignore-daemonsets', pod: pod({ owner: 'DaemonSet' }), flags: { ignoreDaemonsets: true }, want: { action: 'skip', warning: drainMessages.daemonSetWarning } },
    { name: 'a mirror pod is left alone', pod: pod({ mirror: true }), want: { action: 'skip' } },
    { name: 'emptyDir without --delete-emptydir-data', pod: pod({ owner: 'ReplicaSet', emptyDir: true }), want: { action: 'refuse', error: drainMessages.localStorageError } },
    { name: 'emptyDir with --delete-emptydir-data', pod: pod({ owner: 'ReplicaSet', emptyDir: true }), flags: { deleteEmptydirData: true }, want: { action: 'drain' } },
    { name: 'a bare pod with emptyDir and both flags: the controller warning', pod: pod({ emptyDir: true }), flags: { deleteEmptydirData: true, force: true }, want: { action: 'drain', warning: drainMessages.unmanagedWarning } },
    { name: 'a finished pod with emptyDir needs no flag', pod: pod({ owner: 'ReplicaSet', emptyDir: true, phase: 'Succeeded' }), want: { action: 'drain' } },
    { name: 'a bare pod without --force', pod: pod(), want: { action: 'refuse', error: drainMessages.unmanagedError } },
    { name: 'a bare pod with --force', pod: pod(), flags: { force: true }, want: { action: 'drain', warning: drainMessages.unmanagedWarning } },
    { name: 'a failed bare pod needs no --force', pod: pod({ phase: 'Failed' }), want: { action: 'drain' } },
  ];
  for (const tc of cases) it(tc.name, () => expect(podVerdict(tc.pod, tc.flags ?? {})).to.deep.equal(tc.want));
});

const cmToken = 'drain-test-controller-manager';

describe('gantry drain against kubectl drain (etcd + API server + controller manager processes)', function () {
  this.timeout(240_000);
  let c: ProcessCluster;
  let admin: ApiClient;
  let cm: ChildProcess | undefined;
  let agents: { stop: boolean; loop?: Promise<void> } = { stop: false };
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const pods = resourceFor('Pod', '');
  const gantry = (args: string[]): Promise<GantryResult> => runGantry(args, { env });
  const kubectl = (args: string[]): Promise<GantryResult> =>
    new Promise((resolve) => {
      execFile(kubectlBin, ['--kubeconfig', c.kubeconfig, '--cache-dir', path.join(dir, 'kubectl-cache'), ...args], { env: { ...env, KUBECTL_KUBERC: 'false' }, timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  const create = (r: ReturnType<typeof resourceFor>, ns: string | undefined, o: object): Promise<KubeObject> => admin.create(r, ns, o as KubeObject);
  /** One node's workload: a DaemonSet pod, a bare pod, a ReplicaSet pod with emptyDir. */
  const workload = async (who: string): Promise<void> => {
    const node = `${who}-node`;
    await create(resourceFor('Node', ''), undefined, { metadata: { name: node } });
    const ds = await create(resourceFor('DaemonSet', 'apps'), 'drain', { metadata: { name: `${who}-agent` }, spec: { selector: { matchLabels: { app: `${who}-agent` } }, template: { metadata: { labels: { app: `${who}-agent` } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } } });
    await create(pods, 'drain', { metadata: { name: `${who}-agent-x`, labels: { app: `${who}-agent` }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid, controller: true }] }, spec: { nodeName: node, containers: [{ name: 'a', image: 'busybox' }] } });
    await create(pods, 'drain', { metadata: { name: `${who}-bare` }, spec: { nodeName: node, containers: [{ name: 'a', image: 'busybox' }] } });
    await create(resourceFor('ReplicaSet', 'apps'), 'drain', {
      metadata: { name: `${who}-cache` },
      spec: { replicas: 1, selector: { matchLabels: { app: `${who}-cache` } }, template: { metadata: { labels: { app: `${who}-cache` } }, spec: { nodeName: node, volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'a', image: 'busybox' }] } } },
    });
  };
  const twin = (r: GantryResult, who: string): GantryResult => {
    // Go's map order decides the order of kubectl's grouped errors and warnings: compare them sorted.
    const norm = (t: string): string =>
      t
        .replaceAll(`${who}-`, 'X-')
        .replace(/X-cache-[a-z0-9]{5}/g, 'X-cache-RAND')
        // kubectl 1.32's doubled words (a kubectl slip Gantry does not copy).
        .replaceAll('cannot delete cannot delete', 'cannot delete')
        .replace(/\[([^\]\n]*)\]/g, (_m, inner: string) => `[${inner.split(/, (?=cannot delete)/).sort().join(', ')}]`)
        .replace(/^Warning: (.*)$/m, (_m, inner: string) => `Warning: ${inner.split('; ').sort().join('; ')}`)
        .split('\n')
        .sort()
        .join('\n');
    return { code: r.code, stdout: norm(r.stdout), stderr: norm(r.stderr) };
  };

  before(async () => {
    c = await startProcessCluster({ extraTokens: [{ token: cmToken, user: 'system:kube-controller-manager', groups: [] }] });
    admin = new ApiClient({ client: c.client, qps: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-drain-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig, TZ: 'UTC', NO_COLOR: '1' };
    const cmKubeconfig = path.join(dir, 'cm.kubeconfig');
    fs.writeFileSync(cmKubeconfig, renderKubeconfig({ ...c.access, token: cmToken, user: 'system:kube-controller-manager' }), { mode: 0o600 });
    const { command, args } = componentCommand('controllers/main');
    const fd = fs.openSync(path.join(dir, 'controller-manager.log'), 'a');
    cm = spawn(command, [...args, '--kubeconfig', cmKubeconfig, '--metrics-port', '-1', '--leader-elect', 'false', '--controllers', 'replicaset,disruption'], { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    // What node agents would report: every bound, running pod Running and Ready.
    agents = { stop: false };
    agents.loop = (async () => {
      while (!agents.stop) {
        const list = (await admin.list(pods, undefined).catch(() => ({ items: [] as KubeObject[] }))).items;
        for (const p of list) {
          const st = (p.status ?? {}) as { phase?: string };
          if (p.metadata.deletionTimestamp || !(p.spec as { nodeName?: string }).nodeName || st.phase === 'Running') continue;
          const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(Date.now()) }] };
          await admin.patch(pods, p.metadata.namespace, p.metadata.name ?? '', 'merge', { status }, { subresource: 'status' }).catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await create(resourceFor('Namespace', ''), undefined, { metadata: { name: 'drain' } });
  });
  after(async () => {
    agents.stop = true;
    await agents.loop;
    if (cm) await stopChild(cm, 10_000);
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses DaemonSet, bare and emptyDir pods as kubectl does, then evicts with the flags, printing the same', async () => {
    await workload('g');
    await workload('k');
    await eventually('the ReplicaSet pods are ready', async () => ((await admin.list(pods, 'drain')).items.filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running').length === 6 ? true : undefined), 30_000);
    const g1 = twin(await gantry(['drain', 'g-node']), 'g');
    const k1 = twin(await kubectl(['drain', 'k-node']), 'k');
    expect(g1, 'the refusal').to.deep.equal(k1);
    expect(k1.code).to.equal(1);

    const flags = ['--ignore-daemonsets', '--force', '--delete-emptydir-data', '--grace-period=0', '--timeout=60s'];
    const g2 = twin(await gantry(['drain', 'g-node', ...flags]), 'g');
    const k2 = twin(await kubectl(['drain', 'k-node', ...flags]), 'k');
    expect(g2, 'the drain').to.deep.equal(k2);
    expect(k2.code).to.equal(0);
    const left = (await admin.list(pods, 'drain')).items.filter((p) => (p.spec as { nodeName?: string }).nodeName === 'g-node' && !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    // The DaemonSet pod stays; the ReplicaSet's replacement lands on the node again (its template names it).
    expect(left.filter((n) => !n?.startsWith('g-cache-'))).to.deep.equal(['g-agent-x']);
  });

  it('waits on a PodDisruptionBudget, printing kubectl\'s retry lines, and finishes once a replacement is Ready', async () => {
    await create(resourceFor('Node', ''), undefined, { metadata: { name: 'b-node' } });
    await create(resourceFor('ReplicaSet', 'apps'), 'drain', {
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { nodeName: 'b-node', containers: [{ name: 'a', image: 'busybox' }] } } },
    });
    await create(resourceFor('PodDisruptionBudget', 'policy'), 'drain', { metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    await eventually('the budget counted two healthy pods', async () => ((await admin.get(resourceFor('PodDisruptionBudget', 'policy'), 'drain', 'web')).status as { currentHealthy?: number }).currentHealthy === 2 ? true : undefined, 30_000);
    // --timeout: both give up the same way while the budget refuses.
    // gantry went first and cordoned the node; kubectl then finds it cordoned already.
    const names = (t: string): string => t.replace(/web-[a-z0-9]{5}/g, 'web-RAND').replace('node/b-node already cordoned', 'node/b-node cordoned').split('\n').sort().join('\n');
    const gShort = await gantry(['drain', 'b-node', '--timeout=2s']);
    const kShort = await kubectl(['drain', 'b-node', '--timeout=2s']);
    expect(gShort.code).to.equal(1);
    expect({ code: gShort.code, stdout: names(gShort.stdout), stderr: names(gShort.stderr) }, 'the timeout').to.deep.equal({ code: kShort.code, stdout: names(kShort.stdout), stderr: names(kShort.stderr) });
    let stderrSeen = '';
    const drain = runGantry(['drain', 'b-node', '--grace-period=0', '--timeout=90s'], { env, onOut: () => undefined });
    // Once the first refusals are in (kubectl waits 5 s between tries), a third replica makes room.
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await admin.list(pods, 'drain', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp).length, 'nothing evicted yet').to.equal(2);
    await admin.patch(resourceFor('ReplicaSet', 'apps'), 'drain', 'web', 'merge', { spec: { replicas: 3 } });
    const r = await drain;
    stderrSeen = r.stderr;
    expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
    expect(stderrSeen).to.match(/^error when evicting pods\/"web-[a-z0-9]{5}" -n "drain" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.$/m);
    expect(r.stdout).to.match(/^node\/b-node already cordoned\n/);
    expect(r.stdout).to.match(/pod\/web-[a-z0-9]{5} evicted\n[^]*pod\/web-[a-z0-9]{5} evicted\nnode\/b-node drained\n$/);
  });
  it("on a terminal's stderr, a status line counts the pods gone, around the printed lines, erased at the end; stdout unchanged", async () => {
    await create(resourceFor('Node', ''), undefined, { metadata: { name: 't-node' } });
    for (const name of ['t-a', 't-b']) await create(pods, 'drain', { metadata: { name }, spec: { nodeName: 't-node', containers: [{ name: 'a', image: 'busybox' }] } });
    const r = await runGantry(['drain', 't-node', '--force', '--grace-period=0', '--timeout=60s'], { env, errIsTTY: true });
    expect(r.code, r.stderr).to.equal(0);
    // The evictions run side by side: their lines may come in either order.
    expect(r.stdout.split('\n').sort()).to.deep.equal(['', 'evicting pod drain/t-a', 'evicting pod drain/t-b', 'node/t-node cordoned', 'node/t-node drained', 'pod/t-a evicted', 'pod/t-b evicted']);
    expect(r.stdout).to.match(/^node\/t-node cordoned\n[^]*node\/t-node drained\n$/);
    const erase = '\r\x1b[K';
    expect(r.stderr.startsWith(erase) && r.stderr.endsWith(erase), JSON.stringify(r.stderr)).to.equal(true);
    // Between erases only status text; a line printed on stderr is followed by the status redrawn.
    const shown = r.stderr.split(erase).filter(Boolean).filter((x, i, all) => x !== all[i - 1]);
    const warning = 'Warning: deleting Pods that declare no controller: drain/t-a, drain/t-b\n';
    expect(shown).to.deep.equal(['draining node/t-node: listing its pods…', `${warning}draining node/t-node: listing its pods…`, 'draining node/t-node: 0 of 2 pods gone…', 'draining node/t-node: 1 of 2 pods gone…', 'draining node/t-node: 2 of 2 pods gone…']);
  });

  it('--disable-eviction deletes past a budget, printing what kubectl prints', async () => {
    await create(resourceFor('PodDisruptionBudget', 'policy'), 'drain', { metadata: { name: 'solo' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'solo' } } } });
    for (const who of ['g', 'k']) {
      await create(resourceFor('Node', ''), undefined, { metadata: { name: `${who}-solo-node` } });
      await create(pods, 'drain', { metadata: { name: `${who}-solo`, labels: { app: 'solo' } }, spec: { nodeName: `${who}-solo-node`, containers: [{ name: 'a', image: 'busybox' }] } });
    }
    const flags = ['--disable-eviction', '--force', '--grace-period=0', '--timeout=60s'];
    const norm = (r: GantryResult, who: string): GantryResult => ({ code: r.code, stdout: r.stdout.replaceAll(`${who}-`, 'X-'), stderr: r.stderr.replaceAll(`${who}-`, 'X-') });
    const g = norm(await gantry(['drain', 'g-solo-node', ...flags]), 'g');
    const k = norm(await kubectl(['drain', 'k-solo-node', ...flags]), 'k');
    expect(g).to.deep.equal(k);
    expect(k.stdout).to.equal('node/X-solo-node cordoned\npod/X-solo deleted\nnode/X-solo-node drained\n');
  });
});
