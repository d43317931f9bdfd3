// The kube commands (version, apply, get, delete) against a real etcd and API server, run as
// users type them: in-process through the same commander wiring, a few through the built
// dist/cli/main.js, and `get` compared with the real kubectl's output on the same objects.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { parseYaml, toYaml } from '../../common/yaml.js';
import { runGantry, type GantryResult } from './testing.js';
import { clientVersion } from './version.js';

const kubectlBin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<GantryResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

const web = (image: string, replicas = 2): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: kt
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: ${image}}]
`;

const stack = (value: string, image = 'busybox'): string => `# the test's stack
apiVersion: v1
kind: Namespace
metadata: {name: kt}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: kt
  labels: {app: web}
data:
  mode: "${value}"
---
${web(image)}`;

describe('gantry version, apply, get, delete (etcd + API server processes)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const gantry = (args: string[], stdin?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<GantryResult> => runGantry(args, { env: { ...env, ...extraEnv }, ...(stdin !== undefined ? { stdin } : {}) });
  const file = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  };
  const kubectl = (args: string[]): Promise<GantryResult> => run(kubectlBin, ['--kubeconfig', c.kubeconfig, '--cache-dir', path.join(dir, 'kubectl-cache'), ...args], { ...process.env, KUBECTL_KUBERC: 'false' });

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-kube-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig };
  });
  after(async () => {
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('access and version', () => {
    it('prints the client and server versions', async () => {
      expect(await gantry(['version'])).to.deep.equal({ code: 0, stdout: `Client Version: ${clientVersion()}\nServer Version: v1.32.0-gantry\n`, stderr: '' });
      expect(clientVersion()).to.equal(`v${(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version}`);
    });

    it('finds the kubeconfig: a KUBECONFIG list, ~/.kube/config, then $GANTRY_HOME/kubeconfig', async () => {
      const home = path.join(dir, 'gh');
      file('gh/kubeconfig', fs.readFileSync(c.kubeconfig, 'utf8'));
      const cases: { name: string; env: NodeJS.ProcessEnv }[] = [
        { name: 'a list whose first file is missing', env: { KUBECONFIG: `${path.join(dir, 'missing')}:${c.kubeconfig}` } },
        { name: 'GANTRY_HOME when there is no KUBECONFIG and no ~/.kube/config', env: { KUBECONFIG: '', GANTRY_HOME: home } },
      ];
      for (const tc of cases) expect(await gantry(['get', 'namespace', 'default', '-o', 'name'], undefined, tc.env), tc.name).to.deep.equal({ code: 0, stdout: 'namespace/default\n', stderr: '' });
      const none = await gantry(['get', 'ns'], undefined, { KUBECONFIG: '', GANTRY_HOME: path.join(dir, 'nothing') });
      expect(none.code).to.equal(1);
      expect(none.stderr).to.equal(`error: no kubeconfig file found (looked for ${path.join(dir, 'nothing', 'kubeconfig')})\nGantry reads the kubeconfig from --kubeconfig, else the KUBECONFIG list, else ~/.kube/config, else $GANTRY_HOME/kubeconfig (written by \`gantry up\`).\n`);
    });

    it('--context chooses a context, and its namespace is the default one', async () => {
      const two = file(
        'two.kubeconfig',
        toYaml({
          ...(parseYaml(renderKubeconfig(c.access)) as object),
          contexts: [
            { name: 'gantry', context: { cluster: 'gantry', user: 'gantry-admin', namespace: 'default' } },
            { name: 'team', context: { cluster: 'gantry', user: 'gantry-admin', namespace: 'kube-system' } },
          ],
        }),
      );
      expect(await gantry(['apply', '-f', '-', '--kubeconfig', two, '--context', 'team'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: in-team}\n')).to.deep.equal({ code: 0, stdout: 'configmap/in-team created\n1 object: 1 created\n', stderr: '' });
      expect((await gantry(['get', 'cm', '-n', 'kube-system', '-o', 'name'])).stdout).to.equal('configmap/in-team\n');
      expect((await gantry(['get', 'cm', '--kubeconfig', two, '-o', 'name'])).stderr).to.equal('No resources found in default namespace.\n');
      expect(await gantry(['get', 'cm', '--kubeconfig', two, '--context', 'nope'])).to.deep.equal({ code: 1, stdout: '', stderr: `error: ${two}: context "nope" not found (contexts: gantry, team)\nGantry reads the kubeconfig from --kubeconfig, else the KUBECONFIG list, else ~/.kube/config, else $GANTRY_HOME/kubeconfig (written by \`gantry up\`).\n` });
    });

    it('an unreachable server is named with what to check, exit code 1', async () => {
      const closed = file('closed.kubeconfig', renderKubeconfig({ ...c.access, server: 'https://127.0.0.1:1' }));
      for (const args of [['version'], ['get', 'pods'], ['apply', '-f', '-']]) {
        const r = await gantry([...args, '--kubeconfig', closed], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
        expect(r.code, args.join(' ')).to.equal(1);
        expect(r.stderr, args.join(' ')).to.equal(
          `error: cannot reach the API server at https://127.0.0.1:1 (from ${closed}): ECONNREFUSED\n` +
            'Is the cluster running? Start a local one with `gantry up` (check it with `gantry status`). Is this the right cluster? Choose the kubeconfig with KUBECONFIG or --kubeconfig, and the context with --context.\n',
        );
      }
    });

    it('usage errors exit 2', async () => {
      for (const args of [['get'], ['get', 'pods', '--bogus'], ['get', 'pods', '-o', 'table'], ['get', 'pods', '-o', 'jsonpath={range .items[*]}'], ['apply'], ['delete', 'pods'], ['apply', '-f', 'x', '--dry-run=client']]) {
        expect((await gantry(args)).code, args.join(' ')).to.equal(2);
      }
    });
  });

  describe('apply', () => {
    it('creates, leaves unchanged and configures, with a summary', async () => {
      const f = file('stack.yaml', stack('a'));
      const cases: { name: string; text?: string; args?: string[]; stdout: string }[] = [
        { name: 'first apply creates', stdout: 'namespace/kt created\nconfigmap/settings created\ndeployment.apps/web created\n3 objects: 3 created\n' },
        { name: 'the same again changes nothing', stdout: 'namespace/kt unchanged\nconfigmap/settings unchanged\ndeployment.apps/web unchanged\n3 objects: 3 unchanged\n' },
        { name: 'a server dry run of a change reports it and stores nothing', text: stack('b'), args: ['--dry-run=server'], stdout: 'namespace/kt unchanged (server dry run)\nconfigmap/settings configured (server dry run)\ndeployment.apps/web unchanged (server dry run)\n3 objects: 1 configured, 2 unchanged (server dry run)\n' },
        { name: 'a changed value configures', text: stack('c'), stdout: 'namespace/kt unchanged\nconfigmap/settings configured\ndeployment.apps/web unchanged\n3 objects: 1 configured, 2 unchanged\n' },
      ];
      for (const tc of cases) {
        if (tc.text) fs.writeFileSync(f, tc.text);
        expect(await gantry(['apply', '-f', f, ...(tc.args ?? [])]), tc.name).to.deep.equal({ code: 0, stdout: tc.stdout, stderr: '' });
      }
      expect((await gantry(['get', 'cm', 'settings', '-n', 'kt', '-o', 'jsonpath={.data.mode}'])).stdout).to.equal('c');
      const managers = (await gantry(['get', 'cm', 'settings', '-n', 'kt', '-o', 'jsonpath={.metadata.managedFields[*].manager}:{.metadata.managedFields[*].operation}'])).stdout;
      expect(managers).to.equal('gantry:Apply');
    });

    it('reads directories (-R for subdirectories) and standard input', async () => {
      file('tree/a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tree-a, namespace: kt}\n');
      file('tree/sub/b.yml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tree-b, namespace: kt}\n');
      file('tree/notes.txt', 'not a manifest');
      expect(await gantry(['apply', '-f', path.join(dir, 'tree')])).to.deep.equal({ code: 0, stdout: 'configmap/tree-a created\n1 object: 1 created\n', stderr: '' });
      expect(await gantry(['apply', '-f', path.join(dir, 'tree'), '-R'])).to.deep.equal({ code: 0, stdout: 'configmap/tree-a unchanged\nconfigmap/tree-b created\n2 objects: 1 created, 1 unchanged\n', stderr: '' });
      const stdin = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n';
      expect(await gantry(['apply', '-n', 'kt', '-f', '-'], stdin)).to.deep.equal({ code: 0, stdout: 'configmap/from-stdin created\n1 object: 1 created\n', stderr: '' });
      // Colour on a terminal only, and not with NO_COLOR.
      expect((await runGantry(['apply', '-n', 'kt', '-f', '-'], { env, stdin, isTTY: true })).stdout).to.equal('configmap/from-stdin \x1b[2munchanged\x1b[22m\n1 object: 1 unchanged\n');
      expect((await runGantry(['apply', '-n', 'kt', '-f', '-'], { env: { ...env, NO_COLOR: '1' }, stdin, isTTY: true })).stdout).to.equal('configmap/from-stdin unchanged\n1 object: 1 unchanged\n');
    });

    it('says what failed and where, goes on with the other objects, and exits 1', async () => {
      // Another field manager owns settings' data.mode with another value: a conflict for gantry.
      expect((await gantry(['apply', '--field-manager', 'other', '--force-conflicts', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: kt, labels: {app: web}}\ndata: {mode: other}\n')).code).to.equal(0);
      const f = file(
        'bad.yaml',
        [
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok-1, namespace: kt}\n',
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n   data: x\n',
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: neg, namespace: kt}\nspec:\n  replicas: -1\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n      containers: [{name: c, image: busybox}]\n',
          'apiVersion: v1\nkind: Frob\nmetadata: {name: f}\n',
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: kt, labels: {app: web}}\ndata: {mode: mine}\n',
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok-2, namespace: kt}\n',
        ].join('---\n'),
      );
      const r = await gantry(['apply', '-f', f]);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('configmap/ok-1 created\nconfigmap/ok-2 created\n6 objects: 2 created, 4 failed\n');
      expect(r.stderr).to.equal(
        [
          `error: ${f}:9:8: YAML syntax error: bad indentation of a mapping entry`,
          '  9 |    data: x',
          '    |        ^',
          `error: deployment.apps/neg (${f}:11) is invalid:`,
          `  ${f}:15: spec.replicas: Invalid value: -1: must be greater than or equal to 0`,
          `error: Frob/f (${f}:22): the server has no resource of kind "Frob" in apiVersion "v1"`,
          `error: configmap/settings (${f}:26): apply conflicts with other field managers on this field:`,
          `  ${f}:29: .data.mode: conflict with "other" using v1`,
          '  Apply again with --force-conflicts to take them over (the other managers lose them), or remove them from the manifest to leave them as they are.',
          '',
        ].join('\n'),
      );
      const unknownField = await gantry(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo, namespace: kt}\ndatta: {a: b}\n');
      expect(unknownField).to.deep.equal({ code: 1, stdout: '1 object: 1 failed\n', stderr: 'error: configmap/typo (<stdin>:1) was refused (BadRequest):\n  <stdin>:4: datta: unknown field "datta"\n' });
      const forced = await gantry(['apply', '--force-conflicts', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: kt, labels: {app: web}}\ndata: {mode: mine}\n');
      expect(forced).to.deep.equal({ code: 0, stdout: 'configmap/settings configured\n1 object: 1 configured\n', stderr: '' });
      const mismatch = await gantry(['apply', '-n', 'default', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: kt}\n');
      expect(mismatch.stderr).to.equal('error: configmap/settings (<stdin>:1): the object\'s namespace "kt" does not match --namespace "default" (pass --namespace=kt, or leave -n out)\n');
    });
  });

  describe('get', () => {
    /** Runs both until their output agrees (an AGE column may tick between the two runs). */
    async function sameAsKubectl(args: string[]): Promise<string> {
      let last: [GantryResult, GantryResult] | undefined;
      for (let i = 0; i < 3; i++) {
        const [g, k] = await Promise.all([gantry(args), kubectl(args)]);
        last = [g, k];
        if (g.stdout === k.stdout && g.code === k.code) return g.stdout;
      }
      expect(last![0].stdout, `gantry ${args.join(' ')}`).to.equal(last![1].stdout);
      return '';
    }

    it('prints what kubectl prints (table, wide, -A, several types, all, name, jsonpath, yaml, json)', async () => {
      // Strings Go's YAML quotes in its two ways, a multi-line one, and a timestamp-like one.
      const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p1
  namespace: kt
  labels: {app: web}
  annotations:
    note: |
      line one
      line two
    when: "2026-01-02"
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo hi: there; sleep 1000"]
    env: [{name: A, value: "true"}, {name: B, value: "010"}, {name: C, value: ""}, {name: D, value: "1.5e3"}, {name: E, value: "yes"}]
`;
      expect(await gantry(['apply', '-f', '-'], pod)).to.deep.equal({ code: 0, stdout: 'pod/p1 created\n1 object: 1 created\n', stderr: '' });
      const cases: string[][] = [
        ['get', 'pods', '-n', 'kt', '-o', 'wide'],
        ['get', 'pod', 'p1', '-n', 'kt', '-o', 'yaml'],
        ['get', 'pod', 'p1', '-n', 'kt', '-o', 'json'],
        ['get', 'all', '-n', 'kt'],
        ['get', 'cm', '-n', 'kt', '-o', 'yaml'],
        ['get', 'deploy', '-A', '-o', 'json'],
        ['get', 'cm', '-n', 'kt'],
        ['get', 'deploy', '-n', 'kt', '-o', 'wide'],
        ['get', 'cm', '-A'],
        ['get', 'cm,deploy', '-n', 'kt'],
        ['get', 'deploy/web', 'cm/settings', '-n', 'kt'],
        ['get', 'cm', 'settings', 'ok-1', '-n', 'kt'],
        ['get', 'ns'],
        ['get', 'cm', '-n', 'kt', '-o', 'name'],
        ['get', 'cm', '-n', 'kt', '-l', 'app=web', '-o', 'name'],
        ['get', 'cm', '-n', 'kt', '--field-selector', 'metadata.name=ok-2', '--no-headers'],
        ['get', 'cm', '-n', 'kt', '-o', 'jsonpath={.items[*].metadata.name}'],
        ['get', 'deploy', 'web', '-n', 'kt', '-o', 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image}{"\\n"}{end}'],
        ['get', 'cm', '-n', 'kt', '--sort-by', '.metadata.name', '-o', 'name'],
        ['get', 'cm', '-A', '--sort-by', '{.metadata.name}'],
        ['get', 'cm', '-n', 'kt', '-o', 'custom-columns=NAME:.metadata.name,MODE:.data.mode'],
      ];
      for (const args of cases) expect(await sameAsKubectl(args), args.join(' ')).to.not.equal('');
    });

    it('prints objects as JSON and YAML, a List for several', async () => {
      const obj = (await c.client.get('/api/v1/namespaces/kt/configmaps/settings')).body as { metadata: Record<string, unknown> };
      const managed = await gantry(['get', 'cm', 'settings', '-n', 'kt', '-o', 'json', '--show-managed-fields']);
      expect(JSON.parse(managed.stdout)).to.deep.equal(obj);
      const one = await gantry(['get', 'cm', 'settings', '-n', 'kt', '-o', 'json']);
      const { managedFields: _mf, ...meta } = obj.metadata;
      expect(JSON.parse(one.stdout)).to.deep.equal({ ...obj, metadata: meta });
      expect(one.stdout.split('\n')[1]).to.equal('    "apiVersion": "v1",');
      const list = JSON.parse((await gantry(['get', 'cm', '-n', 'kt', '-l', 'app=web', '-o', 'json'])).stdout) as { kind: string; items: { metadata: { name: string } }[] };
      expect([list.kind, list.items.map((i) => i.metadata.name)]).to.deep.equal(['List', ['settings']]);
      const yaml = (await gantry(['get', 'ns', 'kt', '-o', 'yaml'])).stdout;
      expect(yaml).to.match(/^apiVersion: v1\nkind: Namespace\nmetadata:\n/);
    });

    it('-w prints the list, then each change, as kubectl does; ends with --request-timeout', async () => {
      const watchers = Promise.all([
        gantry(['get', 'cm', '-n', 'kt', '-w', '--request-timeout=4s']),
        kubectl(['get', 'cm', '-n', 'kt', '-w', '--request-timeout=4s']),
        gantry(['get', 'cm', '-n', 'kt', '--watch-only', '-o', 'name', '--request-timeout=4s']),
        gantry(['get', 'cm', 'ok-1', '-n', 'kt', '-w', '-o', 'jsonpath={.metadata.name}:{.metadata.labels.step}{"\\n"}', '--request-timeout=4s']),
      ]);
      await new Promise((r) => setTimeout(r, 1500));
      const cm = '/api/v1/namespaces/kt/configmaps';
      await c.client.request('POST', cm, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched-with-a-long-name' } } });
      await c.client.request('PATCH', `${cm}/ok-1`, { body: { metadata: { labels: { step: 'two' } } }, contentType: 'application/merge-patch+json' });
      await c.client.request('DELETE', `${cm}/watched-with-a-long-name`);
      const [table, real, names, one] = await watchers;
      // Ages tick between the two processes; everything else (rows, order, widths) must agree.
      const ageless = (t: string): string => t.replace(/\b\d+[smhd](\d+[smh])?\b/g, 'AGE').replace(/ +/g, ' ');
      expect(table.code).to.equal(0);
      expect(ageless(table.stdout)).to.equal(ageless(real.stdout));
      expect(table.stdout.split('\n').slice(-3)[0]).to.match(/^ok-1 {23}0 {6}\d/);
      expect(names).to.deep.equal({ code: 0, stdout: 'configmap/watched-with-a-long-name\nconfigmap/ok-1\nconfigmap/watched-with-a-long-name\n', stderr: '' });
      expect(one).to.deep.equal({ code: 0, stdout: 'ok-1:\nok-1:two\n', stderr: '' });
    });

    it('sorts by a JSONPath and reports what it cannot find', async () => {
      expect((await gantry(['get', 'cm', '-n', 'kt', '--sort-by', '{.metadata.name}', '--no-headers', '-o', 'custom-columns=N:.metadata.name'])).stdout).to.equal('from-stdin\nok-1\nok-2\nsettings\ntree-a\ntree-b\n');
      const cases: { args: string[]; want: GantryResult }[] = [
        { args: ['get', 'cm', 'nope', '-n', 'kt'], want: { code: 1, stdout: '', stderr: 'Error from server (NotFound): configmaps "nope" not found\n' } },
        { args: ['get', 'frobs'], want: { code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "frobs"\n' } },
        { args: ['get', 'secrets', '-n', 'kt'], want: { code: 0, stdout: '', stderr: 'No resources found in kt namespace.\n' } },
        { args: ['get', 'cm', '-A', '-l', 'nothing=here'], want: { code: 0, stdout: '', stderr: 'No resources found\n' } },
        { args: ['get', 'cm', '-n', 'kt', '-l', '!!'], want: { code: 1, stdout: '', stderr: '' } },
      ];
      for (const tc of cases) {
        const [g, k] = await Promise.all([gantry(tc.args), kubectl(tc.args)]);
        if (tc.want.stderr) expect(g, tc.args.join(' ')).to.deep.equal(tc.want);
        else expect(g.code, tc.args.join(' ')).to.equal(tc.want.code);
        expect(k.code, `kubectl ${tc.args.join(' ')}`).to.equal(tc.want.code);
      }
    });
  });

  describe('delete', () => {
    it('deletes by name, by selector and from manifests, and waits until they are gone', async () => {
      file('del.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tree-a, namespace: kt}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: tree-b, namespace: kt}\n');
      const cases: { args: string[]; want: GantryResult }[] = [
        { args: ['delete', 'cm', 'ok-1', 'nope', '-n', 'kt'], want: { code: 1, stdout: 'configmap "ok-1" deleted\n', stderr: 'Error from server (NotFound): configmaps "nope" not found\n' } },
        { args: ['delete', 'cm/ok-2', '-n', 'kt', '--ignore-not-found', 'cm/nope'], want: { code: 0, stdout: 'configmap "ok-2" deleted\n', stderr: '' } },
        { args: ['delete', '-f', path.join(dir, 'del.yaml')], want: { code: 0, stdout: 'configmap "tree-a" deleted\nconfigmap "tree-b" deleted\n', stderr: '' } },
        { args: ['delete', 'cm', '-l', 'app=web', '-n', 'kt', '--grace-period=0'], want: { code: 0, stdout: 'configmap "settings" deleted\n', stderr: '' } },
        { args: ['delete', 'cm', '-l', 'app=web', '-n', 'kt'], want: { code: 0, stdout: '', stderr: 'No resources found\n' } },
      ];
      for (const tc of cases) expect(await gantry(tc.args), tc.args.join(' ')).to.deep.equal(tc.want);
      expect((await gantry(['get', 'cm', '-n', 'kt', '-o', 'name'])).stdout).to.equal('configmap/from-stdin\n');
    });

    it('--cascade=foreground and orphan leave their finalizer for the garbage collector (none runs here: a wait times out); --no-wait does not wait', async () => {
      const nowait = await gantry(['delete', 'deploy', 'web', '-n', 'kt', '--cascade=foreground', '--no-wait']);
      expect(nowait).to.deep.equal({ code: 0, stdout: 'deployment.apps "web" deleted\n', stderr: '' });
      const d = (await c.client.get('/apis/apps/v1/namespaces/kt/deployments/web')).body as { metadata: { finalizers?: string[]; deletionTimestamp?: string } };
      expect(d.metadata.finalizers).to.deep.equal(['foregroundDeletion']);
      expect(d.metadata.deletionTimestamp).to.be.a('string');
      const start = Date.now();
      const waited = await gantry(['delete', 'deploy', 'web', '-n', 'kt', '--cascade=foreground', '--timeout=2s']);
      expect(waited).to.deep.equal({ code: 1, stdout: 'deployment.apps "web" deleted\n', stderr: 'error: timed out waiting for deployment.apps "web" to be deleted (it may have finalizers, or dependents under --cascade=foreground)\n' });
      expect(Date.now() - start).to.be.within(1900, 10_000);
      const orphan = await gantry(['delete', 'cm', 'from-stdin', '-n', 'kt', '--cascade=orphan', '--no-wait']);
      expect(orphan).to.deep.equal({ code: 0, stdout: 'configmap "from-stdin" deleted\n', stderr: '' });
      const cm = (await c.client.get('/api/v1/namespaces/kt/configmaps/from-stdin')).body as { metadata: { finalizers?: string[] } };
      expect(cm.metadata.finalizers).to.deep.equal(['orphan']);
      await c.client.request('PATCH', '/api/v1/namespaces/kt/configmaps/from-stdin', { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
      // What the garbage collector would do: the waiting delete sees the object go (by its watch).
      const waiting = gantry(['delete', 'deploy', 'web', '-n', 'kt', '--timeout=60s']);
      await new Promise((r) => setTimeout(r, 500));
      await c.client.request('PATCH', '/apis/apps/v1/namespaces/kt/deployments/web', { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
      expect(await waiting).to.deep.equal({ code: 0, stdout: 'deployment.apps "web" deleted\n', stderr: '' });
    });
  });

  describe('the built binary (dist/cli/main.js)', () => {
    const bin = path.join(repo, 'dist', 'cli', 'main.js');
    before(function () {
      if (!fs.existsSync(path.join(repo, 'dist', 'cli', 'kube', 'commands.js'))) this.skip();
    });

    it('works as users type it', async () => {
      const node = (args: string[], stdin = ''): Promise<GantryResult> => run(process.execPath, [bin, ...args], { ...env, NO_COLOR: '1' }, stdin);
      expect(await node(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bin-made}\ndata: {a: "1"}\n')).to.deep.equal({ code: 0, stdout: 'configmap/bin-made created\n1 object: 1 created\n', stderr: '' });
      expect(await node(['get', 'cm', 'bin-made', '-o', 'jsonpath={.data.a}'])).to.deep.equal({ code: 0, stdout: '1', stderr: '' });
      expect(await node(['delete', 'configmap', 'bin-made'])).to.deep.equal({ code: 0, stdout: 'configmap "bin-made" deleted\n', stderr: '' });
      expect((await node(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: all-1}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: all-2}\n')).code).to.equal(0);
      expect(await node(['delete', 'cm', '--all'])).to.deep.equal({ code: 0, stdout: 'configmap "all-1" deleted\nconfigmap "all-2" deleted\n', stderr: '' });
      const missing = await node(['get', 'cm', 'bin-made']);
      expect(missing).to.deep.equal({ code: 1, stdout: '', stderr: 'Error from server (NotFound): configmaps "bin-made" not found\n' });
      const help = await node(['get', '--help']);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.include('Examples:\n  gantry get pods\n');
      expect(help.stdout).to.include('Exit codes:\n');
    });
  });
});
