// label, annotate, patch, scale, cordon/uncordon, set image, rollout and wait against a real
// etcd and API server. Where kubectl has the same command, both run the same arguments on
// twin objects (g-... for gantry, k-... for kubectl) and must print the same and leave the
// objects the same. No controller runs here: the test writes the statuses and ReplicaSets a
// deployment controller would.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { runGantry, type GantryResult } from './testing.js';

const kubectlBin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<GantryResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

interface Obj {
  metadata: { name: string; uid: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: Record<string, unknown> & { template?: { metadata?: { annotations?: Record<string, string> }; spec: { containers: { name: string; image: string }[] } }; paused?: boolean; unschedulable?: boolean; replicas?: number };
  data?: Record<string, string>;
}

const deployment = (name: string, image = 'busybox:2'): object => ({
  // The revision annotation a deployment controller would have written.
  metadata: { name, labels: { app: name }, annotations: { 'deployment.kubernetes.io/revision': '2' } },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }, { name: 'side', image: 'busybox:2' }] } } },
});

describe('gantry label, annotate, patch, scale, cordon, set image, rollout, wait (etcd + API server processes)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const ns = '/api/v1/namespaces/ops';
  const apps = '/apis/apps/v1/namespaces/ops';
  const gantry = (args: string[]): Promise<GantryResult> => runGantry(args, { env });
  const kubectl = (args: string[]): Promise<GantryResult> => run(kubectlBin, ['--kubeconfig', c.kubeconfig, '--cache-dir', path.join(dir, 'kubectl-cache'), ...args], { ...env, KUBECTL_KUBERC: 'false' });
  const get = async (p: string): Promise<Obj> => (await c.client.get(p)).body as Obj;
  const post = async (p: string, body: object): Promise<Obj> => {
    const r = await c.client.request('POST', p, { body });
    expect(r.status, `POST ${p}: ${r.text}`).to.equal(201);
    return r.body as Obj;
  };
  const status = async (p: string, st: object): Promise<void> => {
    const r = await c.client.request('PATCH', `${p}/status`, { body: { status: st }, contentType: 'application/merge-patch+json' });
    expect(r.status, `PATCH ${p}/status: ${r.text}`).to.equal(200);
  };
  /** What a deployment controller leaves: ReplicaSets per revision (the newest with the current template). */
  const replicaSets = async (d: Obj, old: string[]): Promise<void> => {
    const owner = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }];
    const templates = [...old.map((image) => ({ ...d.spec!.template!, spec: { containers: [{ name: 'c', image }, { name: 'side', image: 'busybox:2' }] } })), d.spec!.template!];
    for (const [i, t] of templates.entries()) {
      const labels = { app: d.metadata.name, 'pod-template-hash': `h${i + 1}` };
      await post(`${apps}/replicasets`, {
        metadata: { name: `${d.metadata.name}-h${i + 1}`, labels, annotations: { 'deployment.kubernetes.io/revision': String(i + 1), ...(i === 0 ? { 'kubernetes.io/change-cause': 'first' } : {}) }, ownerReferences: owner },
        spec: { replicas: i === templates.length - 1 ? 2 : 0, selector: { matchLabels: labels }, template: { ...t, metadata: { labels } } },
      });
    }
  };

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-edit-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig, TZ: 'UTC' };
    await post('/api/v1/namespaces', { metadata: { name: 'ops' } });
    for (const who of ['g', 'k']) {
      await post(`${ns}/configmaps`, { metadata: { name: `${who}-cm`, labels: { a: 'b' }, annotations: { n: '1' } }, data: { x: '1' } });
      await post('/api/v1/nodes', { metadata: { name: `${who}-node` } });
      const d = await post(`${apps}/deployments`, deployment(`${who}-web`));
      await replicaSets(d, ['busybox:1']);
    }
    env.NO_COLOR = '1';
  });
  after(async () => {
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `args` (with `@` standing for the twin's prefix) through both; returns gantry's result after checking they agree. */
  async function twin(args: string[]): Promise<GantryResult> {
    const g = await gantry([...args.map((a) => a.replaceAll('@', 'g-')), '-n', 'ops']);
    const k = await kubectl([...args.map((a) => a.replaceAll('@', 'k-')), '-n', 'ops']);
    const label = args.join(' ');
    expect(g.code, `${label}: exit code (gantry stderr: ${g.stderr}, kubectl stderr: ${k.stderr})`).to.equal(k.code);
    expect(g.stdout.replaceAll('g-', '@'), `${label}: stdout`).to.equal(k.stdout.replaceAll('k-', '@'));
    return g;
  }
  const twins = async (p: (who: string) => string, pick: (o: Obj) => unknown): Promise<void> => {
    const [g, k] = [JSON.stringify(pick(await get(p('g-')))).replaceAll('g-', '@'), JSON.stringify(pick(await get(p('k-')))).replaceAll('k-', '@')];
    expect(JSON.parse(g), p('@')).to.deep.equal(JSON.parse(k));
  };

  it('label and annotate: set, --overwrite, key- removal, "not labeled", -l, conflicts without --overwrite', async () => {
    const steps: { args: string[]; code: number; stderr?: string }[] = [
      { args: ['label', 'cm', '@cm', 'tier=front', 'twin=@x'], code: 0 },
      { args: ['label', 'cm', '@cm', 'a=c'], code: 1, stderr: "error: 'a' already has a value (b), and --overwrite is false\n" },
      { args: ['label', 'cm', '@cm', 'a=c', '--overwrite'], code: 0 },
      { args: ['label', 'cm', '@cm', 'a=c', '--overwrite'], code: 0 },
      { args: ['label', 'cm/@cm', 'a-', 'zz-'], code: 0 },
      { args: ['annotate', 'cm', '@cm', 'note=hello world'], code: 0 },
      { args: ['annotate', 'cm', '@cm', 'n=2'], code: 1, stderr: "error: 'n' already has a value (1), and --overwrite is false\n" },
      { args: ['annotate', 'cm', '@cm', 'n=2', '--overwrite'], code: 0 },
      { args: ['annotate', 'cm', '@cm', 'n-'], code: 0 },
      { args: ['label', 'cm', '-l', 'tier=front,twin=@x', 'reached=yes'], code: 0 },
      { args: ['label', 'cm', '@nope', 'a=b'], code: 1, stderr: 'Error from server (NotFound): configmaps "g-nope" not found\n' },
    ];
    for (const st of steps) {
      const g = await twin(st.args);
      if (st.stderr) expect(g.stderr, st.args.join(' ')).to.equal(st.stderr);
    }
    await twins((w) => `${ns}/configmaps/${w}cm`, (o) => [o.metadata.labels, o.metadata.annotations]);
    expect((await get(`${ns}/configmaps/g-cm`)).metadata.labels).to.deep.equal({ tier: 'front', twin: 'g-x', reached: 'yes' });
    const bad = await gantry(['label', 'cm', 'g-cm', 'bad/key/x=1', '-n', 'ops']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/^error: invalid label key "bad\/key\/x"/);
  });

  it('patch: strategic (default), merge, json, "(no change)", bad patches', async () => {
    const steps: { args: string[]; stderr?: RegExp }[] = [
      { args: ['patch', 'cm', '@cm', '-p', '{"data":{"y":"2"}}'] },
      { args: ['patch', 'cm', '@cm', '-p', '{"data":{"y":"2"}}'] },
      { args: ['patch', 'cm', '@cm', '--type', 'merge', '-p', '{"data":{"x":null}}'] },
      { args: ['patch', 'cm/@cm', '--type', 'json', '-p', '[{"op":"add","path":"/data/z","value":"3"}]'] },
      { args: ['patch', 'deploy', '@web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:9"}]}}}}'] },
      { args: ['patch', 'cm', '@cm', '--type', 'json', '-p', '[{"op":"remove","path":"/data/nothing"}]'], stderr: /^Error from server \((Invalid|UnprocessableEntity|BadRequest)\)/ },
    ];
    for (const st of steps) {
      const g = await twin(st.args);
      if (st.stderr) expect(g.stderr).to.match(st.stderr);
    }
    await twins((w) => `${ns}/configmaps/${w}cm`, (o) => o.data);
    await twins((w) => `${apps}/deployments/${w}web`, (o) => o.spec!.template!.spec.containers);
    const notJson = await gantry(['patch', 'cm', 'g-cm', '-n', 'ops', '-p', '{bad']);
    expect(notJson).to.deep.equal({ code: 1, stdout: '', stderr: 'error: -p is neither JSON nor YAML: unexpected end of the stream within a flow collection\n' });
    expect((await gantry(['patch', 'cm', 'g-cm', '-n', 'ops', '--type', 'json', '-p', '{"a":1}'])).stderr).to.match(/is a list of operations/);
    expect((await gantry(['patch', 'cm', 'g-cm', '-n', 'ops', '--type', 'nope', '-p', '{}'])).code).to.equal(2);
  });

  it('scale (with --current-replicas), cordon and uncordon, set image, as kubectl', async () => {
    const steps: string[][] = [
      ['scale', 'deploy', '@web', '--replicas=3'],
      ['scale', 'deploy/@web', '--replicas=4', '--current-replicas=1'],
      ['scale', 'deploy/@web', '--replicas=4', '--current-replicas=3'],
      ['cordon', '@node'],
      ['cordon', '@node'],
      ['uncordon', '@node'],
      ['uncordon', '@node'],
      ['cordon', '@node'],
      ['set', 'image', 'deploy/@web', 'c=busybox:3'],
      ['set', 'image', 'deploy/@web', 'c=busybox:3'],
      ['set', 'image', 'deploy/@web', 'nope=busybox:3'],
      ['set', 'image', 'deploy', '@web', '*=busybox:4'],
    ];
    for (const args of steps) await twin(args);
    await twins((w) => `${apps}/deployments/${w}web`, (o) => [o.spec!.replicas, o.spec!.template!.spec.containers]);
    await twins((w) => `/api/v1/nodes/${w}node`, (o) => o.spec?.unschedulable);
    expect((await get(`${apps}/deployments/g-web`)).spec!.replicas).to.equal(4);
    expect((await gantry(['scale', 'deploy', 'g-web', '-n', 'ops', '--current-replicas=1', '--replicas=2'])).stderr).to.equal('error: Expected replicas to be 1, was 4\n');
    expect((await gantry(['scale', 'cm', 'g-cm', '-n', 'ops', '--replicas=2'])).stderr).to.equal('error: configmap/g-cm cannot be scaled: configmaps have no scale subresource\n');
    expect((await gantry(['scale', 'deploy', 'g-web', '-n', 'ops'])).code).to.equal(2);
  });

  it('rollout history and undo (previous and --to-revision), pause, resume and restart, as kubectl', async () => {
    // Put the twins back on revision 2's template (the tests above changed them).
    for (const w of ['g-', 'k-']) {
      const rs = await get(`${apps}/replicasets/${w}web-h2`);
      const r = await c.client.request('PATCH', `${apps}/deployments/${w}web`, { body: [{ op: 'replace', path: '/spec/template', value: { ...rs.spec!.template, metadata: { labels: { app: `${w}web` } } } }], contentType: 'application/json-patch+json' });
      expect(r.status).to.equal(200);
    }
    const steps: string[][] = [
      ['rollout', 'history', 'deploy/@web'],
      ['rollout', 'history', 'deploy/@web', '--revision=1'],
      ['rollout', 'history', 'deploy/@web', '--revision=7'],
      ['rollout', 'undo', 'deploy/@web', '--to-revision=2'],
      ['rollout', 'undo', 'deploy/@web', '--to-revision=9'],
      ['rollout', 'pause', 'deploy/@web'],
      ['rollout', 'pause', 'deploy/@web'],
      ['rollout', 'undo', 'deploy/@web'],
      ['rollout', 'restart', 'deploy/@web'],
      ['rollout', 'resume', 'deploy/@web'],
      ['rollout', 'resume', 'deploy/@web'],
      ['rollout', 'undo', 'deploy/@web'],
    ];
    for (const args of steps) await twin(args);
    await twins((w) => `${apps}/deployments/${w}web`, (o) => [o.spec!.template!.spec.containers, o.spec!.paused ?? false, o.metadata.annotations]);
    const d = await get(`${apps}/deployments/g-web`);
    expect(d.spec!.template!.spec.containers.map((x) => x.image)).to.deep.equal(['busybox:1', 'busybox:2']);
    expect(d.metadata.annotations?.['kubernetes.io/change-cause']).to.equal('first');

    const before = Date.now();
    expect(await gantry(['rollout', 'restart', 'deploy/g-web', '-n', 'ops'])).to.deep.equal({ code: 0, stdout: 'deployment.apps/g-web restarted\n', stderr: '' });
    const at = (await get(`${apps}/deployments/g-web`)).spec!.template!.metadata!.annotations!['kubectl.kubernetes.io/restartedAt']!;
    expect(new Date(at).getTime()).to.be.within(Math.floor(before / 1000) * 1000, Date.now());
    expect((await gantry(['rollout', 'history', 'cm/g-cm', '-n', 'ops'])).code).to.equal(2);
  });

  describe('rollout status and wait follow the object by a watch', () => {
    let d: Obj;
    const p = `${apps}/deployments/live`;
    before(async () => {
      d = await post(`${apps}/deployments`, { ...deployment('live'), spec: { ...(deployment('live') as { spec: object }).spec, replicas: 3 } });
    });

    it('rollout status prints each stage of the rollout, then success; --watch=false prints once', async () => {
      const gen = d.metadata.generation!;
      const stages = [
        { observedGeneration: gen, replicas: 4, updatedReplicas: 1, availableReplicas: 3 },
        { observedGeneration: gen, replicas: 4, updatedReplicas: 3, availableReplicas: 3 },
        { observedGeneration: gen, replicas: 3, updatedReplicas: 3, availableReplicas: 1 },
        { observedGeneration: gen, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
      ];
      const once = await gantry(['rollout', 'status', 'deploy/live', '-n', 'ops', '--watch=false']);
      expect(once).to.deep.equal({ code: 0, stdout: 'Waiting for deployment spec update to be observed...\n', stderr: '' });
      const following = gantry(['rollout', 'status', 'deploy/live', '-n', 'ops', '--timeout=60s']);
      for (const st of stages) {
        await new Promise((r) => setTimeout(r, 300));
        await status(p, st);
      }
      expect(await following).to.deep.equal({
        code: 0,
        stdout: [
          'Waiting for deployment spec update to be observed...',
          'Waiting for deployment "live" rollout to finish: 1 out of 3 new replicas have been updated...',
          'Waiting for deployment "live" rollout to finish: 1 old replicas are pending termination...',
          'Waiting for deployment "live" rollout to finish: 1 of 3 updated replicas are available...',
          'deployment "live" successfully rolled out',
          '',
        ].join('\n'),
        stderr: '',
      });
      const k = await kubectl(['rollout', 'status', 'deploy/live', '-n', 'ops']);
      expect(k.stdout).to.equal('deployment "live" successfully rolled out\n');
    });

    it('rollout status exits 1 with the reason when the progress deadline is exceeded, and on --timeout', async () => {
      await c.client.request('PATCH', p, { body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:broken' }] } } } }, contentType: 'application/strategic-merge-patch+json' });
      const gen = (await get(p)).metadata.generation!;
      const timedOut = await gantry(['rollout', 'status', 'deploy/live', '-n', 'ops', '--timeout=1s']);
      expect(timedOut).to.deep.equal({ code: 1, stdout: 'Waiting for deployment spec update to be observed...\n', stderr: 'error: timed out waiting for the rollout of deployment.apps/live (last: Waiting for deployment spec update to be observed...)\n' });
      const following = gantry(['rollout', 'status', 'deploy/live', '-n', 'ops']);
      await new Promise((r) => setTimeout(r, 300));
      await status(p, { observedGeneration: gen, replicas: 4, updatedReplicas: 1, availableReplicas: 3 });
      await new Promise((r) => setTimeout(r, 300));
      const message = 'ReplicaSet "live-x" has timed out progressing.';
      await status(p, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message, lastUpdateTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] });
      expect(await following).to.deep.equal({ code: 1, stdout: 'Waiting for deployment spec update to be observed...\nWaiting for deployment "live" rollout to finish: 1 out of 3 new replicas have been updated...\n', stderr: `error: deployment "live" exceeded its progress deadline: ${message}\n` });
      const k = await kubectl(['rollout', 'status', 'deploy/live', '-n', 'ops']);
      expect([k.code, k.stderr]).to.deep.equal([1, 'error: deployment "live" exceeded its progress deadline\n']);
    });

    it('wait --for=condition, --for=jsonpath and --for=delete return as soon as the change is made', async () => {
      const gen = (await get(p)).metadata.generation!;
      const cases: { args: string[]; change: () => Promise<void>; stdout: string }[] = [
        { args: ['--for=condition=Available', 'deploy/live'], change: () => status(p, { observedGeneration: gen, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] }), stdout: 'deployment.apps/live condition met\n' },
        { args: ['--for=jsonpath={.status.readyReplicas}=2', 'deploy', 'live'], change: () => status(p, { readyReplicas: 2 }), stdout: 'deployment.apps/live condition met\n' },
        { args: ['--for=condition=Ready=false', 'node/g-node'], change: () => status('/api/v1/nodes/g-node', { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeStatusUnknown' }] }), stdout: 'node/g-node condition met\n' },
        { args: ['--for=delete', 'cm', '-l', 'a=b'], change: async () => void (await c.client.request('DELETE', `${ns}/configmaps/wait-me`)), stdout: 'configmap/wait-me condition met\n' },
      ];
      await post(`${ns}/configmaps`, { metadata: { name: 'wait-me', labels: { a: 'b' } } });
      for (const tc of cases) {
        const waiting = gantry(['wait', ...tc.args, '-n', 'ops', '--timeout=30s']);
        await new Promise((r) => setTimeout(r, 500));
        const changed = Date.now();
        await tc.change();
        const r = await waiting;
        expect(r, tc.args.join(' ')).to.deep.equal({ code: 0, stdout: tc.stdout, stderr: '' });
        // Event-driven: the answer follows the change at once, not at the next poll.
        expect(Date.now() - changed, tc.args.join(' ')).to.be.below(1500);
      }
    });

    it('wait reports a timeout, a missing object and bad --for as kubectl does', async () => {
      const cases: { args: string[]; code: number; stderr: string }[] = [
        { args: ['wait', '--for=condition=Progressing', 'deploy/live', '--timeout=1s'], code: 1, stderr: 'error: timed out waiting for the condition on deployments/live\n' },
        { args: ['wait', '--for=condition=Ready', 'pod/nope', '--timeout=1s'], code: 1, stderr: 'Error from server (NotFound): pods "nope" not found\n' },
        { args: ['wait', '--for=delete', 'pod/nope', '--timeout=1s'], code: 0, stderr: '' },
        { args: ['wait', '--for=condition=Available', 'deploy/live', '--timeout=0'], code: 0, stderr: '' },
      ];
      for (const tc of cases) {
        const [g, k] = await Promise.all([gantry([...tc.args, '-n', 'ops']), kubectl([...tc.args, '-n', 'ops'])]);
        expect([g.code, g.stderr], tc.args.join(' ')).to.deep.equal([tc.code, tc.stderr]);
        expect([k.code, k.stdout], `kubectl ${tc.args.join(' ')}`).to.deep.equal([g.code, g.stdout]);
      }
      expect((await gantry(['wait', '--for=ready', 'pod/x', '-n', 'ops'])).code).to.equal(2);
      expect((await gantry(['wait', 'pod/x', '-n', 'ops'])).code).to.equal(2);
    });
  });
});
