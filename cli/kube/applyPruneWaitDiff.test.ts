// `gantry apply --prune -l`, `gantry apply --wait` and `gantry diff -f` against a real etcd
// and API server. No controller runs here, so the test writes the statuses a deployment or
// job controller and a node agent would, while gantry waits.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { kubectlBinary, runKubectl } from '../../common/testing/kubectl.js';
import { runGantry, type GantryResult } from './testing.js';

const cm = (name: string, labels: string, mode = 'a'): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: pw
  labels: {${labels}}
data:
  mode: "${mode}"
`;

const deploy = (name: string, replicas = 2): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: pw
  labels: {app: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: busybox}]
`;

const docs = (...d: string[]): string => d.join('---\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('gantry apply --prune, apply --wait and diff (etcd + API server processes)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const gantry = (args: string[], stdin?: string, o: { isTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<GantryResult> =>
    runGantry(args, { env: { ...env, ...o.env }, ...(stdin !== undefined ? { stdin } : {}), ...(o.isTTY !== undefined ? { isTTY: o.isTTY } : {}) });
  /** A command started in the background, and a way to wait until its output reaches a point (then act, as a controller would). */
  const started = (args: string[], stdin: string, o: { isTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): { done: Promise<GantryResult>; reached: (text: string) => Promise<void> } => {
    let out = '';
    const waiters: { text: string; resolve: () => void }[] = [];
    const onOut = (soFar: string): void => {
      out = soFar;
      for (const w of waiters.filter((x) => out.includes(x.text))) w.resolve();
    };
    const done = runGantry(args, { env: { ...env, ...o.env }, stdin, onOut, ...(o.isTTY !== undefined ? { isTTY: o.isTTY } : {}) });
    const reached = (text: string): Promise<void> =>
      out.includes(text)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ text, resolve })),
            done.then((r) => {
              throw new Error(`ended before printing ${JSON.stringify(text)}: ${JSON.stringify(r)}`);
            }),
          ]);
    return { done, reached };
  };
  const kubectl = (args: string[], input?: string): Promise<GantryResult> => runKubectl(c.kubeconfig, path.join(dir, 'kubectl-cache'), args, { binary: kubectlBinary(32), input }).done;
  const status = async (p: string, st: object): Promise<void> => {
    const r = await c.client.request('PATCH', `${p}/status`, { body: { status: st }, contentType: 'application/merge-patch+json' });
    expect(r.status, `PATCH ${p}/status: ${r.text}`).to.equal(200);
  };
  const names = async (type: string): Promise<string> => (await gantry(['get', type, '-n', 'pw', '-o', 'name'])).stdout;

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-pwd-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig };
    const r = await c.client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'pw' } } });
    expect(r.status).to.equal(201);
  });
  after(async () => {
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('apply --prune -l', () => {
    it('deletes only what left the manifests, has the labels, is of an applied kind and was applied by gantry', async () => {
      const v1 = docs(cm('a', 'app: shop'), cm('b', 'app: shop'), cm('other', 'app: other'), deploy('web'));
      expect(await gantry(['apply', '-f', '-', '--prune', '-l', 'app=shop'], v1)).to.deep.equal({
        code: 0,
        stdout: 'configmap/a created\nconfigmap/b created\nconfigmap/other created\ndeployment.apps/web created\n4 objects: 4 created; 0 pruned\n',
        stderr: '',
      });
      // Made by kubectl (another field manager), with the same labels: never gantry's to prune.
      expect((await kubectl(['create', '-f', '-'], cm('by-kubectl', 'app: shop'))).code).to.equal(0);
      const v2 = docs(cm('a', 'app: shop'), deploy('web2'));
      const dry = await gantry(['apply', '-f', '-', '--prune', '-l', 'app=shop', '--dry-run=server'], v2);
      expect(dry).to.deep.equal({
        code: 0,
        stdout: 'configmap/a unchanged (server dry run)\ndeployment.apps/web2 created (server dry run)\nconfigmap/b pruned (server dry run)\ndeployment.apps/web pruned (server dry run)\n2 objects: 1 created, 1 unchanged; 2 pruned (server dry run)\n',
        stderr: '',
      });
      expect(await names('cm')).to.include('configmap/b\n');
      expect(await names('deploy')).to.equal('deployment.apps/web\n');
      expect(await gantry(['apply', '-f', '-', '--prune', '-l', 'app=shop'], v2)).to.deep.equal({
        code: 0,
        stdout: 'configmap/a unchanged\ndeployment.apps/web2 created\nconfigmap/b pruned\ndeployment.apps/web pruned\n2 objects: 1 created, 1 unchanged; 2 pruned\n',
        stderr: '',
      });
      const cms = await names('cm');
      for (const n of ['configmap/a', 'configmap/by-kubectl', 'configmap/other']) expect(cms).to.include(`${n}\n`);
      expect(cms).not.to.include('configmap/b\n');
      expect(await names('deploy')).to.equal('deployment.apps/web2\n');
    });

    it('prunes nothing when a manifest could not be read, and needs -l', async () => {
      fs.writeFileSync(path.join(dir, 'good.yaml'), cm('a', 'app: shop'));
      fs.writeFileSync(path.join(dir, 'bad.yaml'), 'kind: [\n');
      const r = await gantry(['apply', '-f', path.join(dir, 'good.yaml'), '-f', path.join(dir, 'bad.yaml'), '--prune', '-l', 'app=shop']);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('configmap/a unchanged\n2 objects: 1 unchanged, 1 failed\n');
      expect(r.stderr).to.include('bad.yaml:2:1: YAML syntax error');
      expect(r.stderr).to.include('warning: nothing pruned: some manifests could not be read');
      expect(await names('deploy')).to.equal('deployment.apps/web2\n');
      const cases: { args: string[]; stderr: string }[] = [
        { args: ['apply', '-f', '-', '--prune'], stderr: 'error: --prune needs -l SELECTOR: only objects with these labels that left the manifests are deleted (and only those gantry applied)\n' },
        { args: ['apply', '-f', '-', '-l', 'app=shop'], stderr: 'error: -l selects the objects --prune may delete; it needs --prune\n' },
      ];
      for (const tc of cases) expect(await gantry(tc.args, cm('a', 'app: shop'))).to.deep.equal({ code: 2, stdout: '', stderr: tc.stderr });
    });
  });

  describe('apply: progress on a terminal', () => {
    it("counts the objects on a terminal's stderr, around the per-object lines, erased before the summary; stdout and a non-terminal's stderr unchanged", async () => {
      const manifest = docs(cm('p1', 'app: progress'), cm('p2', 'app: progress'), cm('p3', 'app: progress'));
      const plain = await gantry(['apply', '-f', '-'], manifest);
      expect(plain).to.deep.equal({ code: 0, stdout: 'configmap/p1 created\nconfigmap/p2 created\nconfigmap/p3 created\n3 objects: 3 created\n', stderr: '' });
      const tty = await runGantry(['apply', '-f', '-'], { env, stdin: manifest, errIsTTY: true });
      expect(tty.code).to.equal(0);
      expect(tty.stdout).to.equal('configmap/p1 unchanged\nconfigmap/p2 unchanged\nconfigmap/p3 unchanged\n3 objects: 3 unchanged\n');
      const erase = '\r\x1b[K';
      expect(tty.stderr).to.equal(
        [1, 2, 3].map((i) => `${erase}applying ${i}/3 objects… ConfigMap/p${i}${erase}applying ${i}/3 objects… ConfigMap/p${i}`).join('') + erase,
      );
      // TERM=dumb cannot erase a line: nothing extra.
      const dumb = await runGantry(['apply', '-f', '-'], { env: { ...env, TERM: 'dumb' }, stdin: manifest, errIsTTY: true });
      expect(dumb.stderr).to.equal('');
    });
  });

  describe('apply --wait', () => {
    it('waits for a deployment to roll out: quiet when not a terminal', async () => {
      const run = started(['apply', '-f', '-', '--wait', '--timeout', '30s'], deploy('w1'));
      await run.reached('1 object: 1 created\n');
      await status('/apis/apps/v1/namespaces/pw/deployments/w1', { observedGeneration: 1, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });
      await sleep(300);
      await status('/apis/apps/v1/namespaces/pw/deployments/w1', { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
      expect(await run.done).to.deep.equal({ code: 0, stdout: 'deployment.apps/w1 created\n1 object: 1 created\ndeployment.apps/w1 rolled out\n', stderr: '' });
    });

    it('shows live progress on a terminal, each state rewritten in place', async () => {
      const run = started(['apply', '-f', '-', '--wait'], deploy('w2', 3), { isTTY: true, env: { NO_COLOR: '1' } });
      await run.reached('waiting for the controller to see the change');
      await status('/apis/apps/v1/namespaces/pw/deployments/w2', { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1 });
      await run.reached('3 updated, 1 ready, 1 available of 3');
      await status('/apis/apps/v1/namespaces/pw/deployments/w2', { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
      const r = await run.done;
      expect(r.stdout).to.equal(
        'deployment.apps/w2 created\n1 object: 1 created\n' +
          '\r\x1b[Kdeployment.apps/w2: waiting for the controller to see the change' +
          '\r\x1b[Kdeployment.apps/w2: 3 updated, 1 ready, 1 available of 3' +
          '\r\x1b[Kdeployment.apps/w2 rolled out\n',
      );
      expect(r.code).to.equal(0);
    });

    it('fails with the reason on a progress deadline, a failed job, a failed pod; times out naming the last state', async () => {
      const deadline = started(['apply', '-f', '-', '--wait'], deploy('w3'));
      await deadline.reached('1 object: 1 created\n');
      await status('/apis/apps/v1/namespaces/pw/deployments/w3', {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "w3-abc" has timed out progressing.', lastUpdateTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
      });
      expect(await deadline.done).to.deep.equal({ code: 1, stdout: 'deployment.apps/w3 created\n1 object: 1 created\n', stderr: 'error: deployment.apps/w3: deployment "w3" exceeded its progress deadline: ReplicaSet "w3-abc" has timed out progressing.\n' });

      const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: pw}\nspec:\n  containers: [{name: c, image: busybox}]\n';
      const failing = started(['apply', '-f', '-', '--wait'], pod);
      await failing.reached('1 object: 1 created\n');
      await status('/api/v1/namespaces/pw/pods/p1', { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
      expect(await failing.done).to.deep.equal({ code: 1, stdout: 'pod/p1 created\n1 object: 1 created\n', stderr: 'error: pod/p1: pod "p1" failed: Evicted: The node was low on resource: memory.\n' });

      const pod2 = pod.replace('p1', 'p2');
      const ready = started(['apply', '-f', '-', '--wait'], pod2);
      await ready.reached('1 object: 1 created\n');
      await status('/api/v1/namespaces/pw/pods/p2', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
      expect(await ready.done).to.deep.equal({ code: 0, stdout: 'pod/p2 created\n1 object: 1 created\npod/p2 ready\n', stderr: '' });

      const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j1, namespace: pw}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n';
      const jobRun = started(['apply', '-f', '-', '--wait'], job);
      await jobRun.reached('1 object: 1 created\n');
      const now = new Date().toISOString();
      await status('/apis/batch/v1/namespaces/pw/jobs/j1', {
        startTime: now,
        failed: 7,
        conditions: [
          { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
          { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
        ],
      });
      expect(await jobRun.done).to.deep.equal({ code: 1, stdout: 'job.batch/j1 created\n1 object: 1 created\n', stderr: 'error: job.batch/j1: job "j1" failed: BackoffLimitExceeded: Job has reached the specified backoff limit\n' });

      expect(await gantry(['apply', '-f', '-', '--wait', '--timeout', '1s'], pod.replace('p1', 'p3'))).to.deep.equal({ code: 1, stdout: 'pod/p3 created\n1 object: 1 created\n', stderr: 'error: timed out waiting for pod/p3 (last: Pending, not ready)\n' });
      expect(await gantry(['apply', '-f', '-', '--wait', '--dry-run=server'], pod)).to.deep.equal({ code: 2, stdout: '', stderr: 'error: --wait has nothing to wait for in a server dry run\n' });
    });
  });

  describe('diff -f', () => {
    const file = (name: string, text: string): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };

    it('a new object: every line added, without server noise; exit 1 as kubectl diff', async () => {
      const f = file('d1.yaml', cm('d1', 'app: diff'));
      const g = await gantry(['diff', '-f', f]);
      expect(g).to.deep.equal({
        code: 1,
        stdout: [
          '--- live/v1.ConfigMap.pw.d1',
          '+++ merged/v1.ConfigMap.pw.d1',
          '@@ -0,0 +1,9 @@',
          '+apiVersion: v1',
          '+data:',
          '+  mode: a',
          '+kind: ConfigMap',
          '+metadata:',
          '+  labels:',
          '+    app: diff',
          '+  name: d1',
          '+  namespace: pw',
          '',
        ].join('\n'),
        stderr: '',
      });
      expect((await kubectl(['diff', '-f', f, '--server-side'])).code).to.equal(1);
    });

    it('no difference after apply: nothing printed, exit 0; a change shows the changed lines only, coloured on a terminal', async () => {
      const f = file('d2.yaml', cm('d2', 'app: diff'));
      expect((await gantry(['apply', '-f', f])).code).to.equal(0);
      expect(await gantry(['diff', '-f', f])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
      expect((await kubectl(['diff', '-f', f, '--server-side', '--field-manager', 'gantry'])).code).to.equal(0);
      file('d2.yaml', cm('d2', 'app: diff', 'b'));
      const want = ['--- live/v1.ConfigMap.pw.d2', '+++ merged/v1.ConfigMap.pw.d2', '@@ -1,6 +1,6 @@', ' apiVersion: v1', ' data:', '-  mode: a', '+  mode: b', ' kind: ConfigMap', ' metadata:', '   labels:', ''].join('\n');
      expect(await gantry(['diff', '-f', f])).to.deep.equal({ code: 1, stdout: want, stderr: '' });
      expect((await kubectl(['diff', '-f', f, '--server-side', '--field-manager', 'gantry'])).code).to.equal(1);
      const tty = await gantry(['diff', '-f', f], undefined, { isTTY: true });
      expect(tty.stdout).to.include('\x1b[31m-  mode: a\x1b[39m');
      expect(tty.stdout).to.include('\x1b[32m+  mode: b\x1b[39m');
      expect((await gantry(['diff', '-f', f], undefined, { isTTY: true, env: { NO_COLOR: '1' } })).stdout).to.equal(want);
    });

    it('errors exit 2: an invalid object names the object, file and field; an unreachable server', async () => {
      const f = file('bad.yaml', cm('d3', 'app: diff').replace('data:\n  mode: "a"', 'data:\n  mode: [1]'));
      const g = await gantry(['diff', '-f', f]);
      expect(g.code).to.equal(2);
      expect(g.stdout).to.equal('');
      expect(g.stderr).to.match(new RegExp(`^error: configmap/d3 \\(${f}:1\\) (is invalid|was refused)`));
      const dead = file('dead.kubeconfig', fs.readFileSync(c.kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1'));
      const u = await gantry(['diff', '-f', file('d4.yaml', cm('d4', 'app: diff')), '--kubeconfig', dead]);
      expect(u.code).to.equal(2);
      expect(u.stderr).to.include('cannot reach the API server at https://127.0.0.1:1');
      expect((await gantry(['diff'])).code).to.equal(2);
    });
  });
});
