// Every kubectl minor release on this machine (1.27-1.33) against one `gantry up` cluster:
// the daily workflow, each release with its own discovery/OpenAPI cache so it really asks
// our server (1.27-1.29 ask for aggregated discovery v2beta1 only, 1.27-1.28 validate
// with OpenAPI v2, ...). A release that fails here is a server incompatibility.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../common/api/meta.js';
import type { RestClient } from '../common/client/restClient.js';
import { kubectlBinary, showRun, type Kubectl, type KubectlResult } from '../common/testing/kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';
import { eventually } from '../common/testing/eventually.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): string => path.join(fixtures, name);
const minors = [27, 28, 29, 30, 31, 32, 33];

/**
 * The requests kubectl -v=6 logged, as `METHOD /path STATUS`. Up to 1.32 it logs
 * `GET https://h/p?q 200 OK in 3 milliseconds`; from 1.33 `"Response" verb="GET" url="https://h/p?q" status="200 OK"`.
 */
function loggedRequests(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const m =
      /\b(GET|POST|PUT|PATCH|DELETE) (https?:\/\/\S+) (\d{3})\b/.exec(line) ??
      /verb="(GET|POST|PUT|PATCH|DELETE)" url="([^"]+)" status="(\d{3})/.exec(line);
    if (m) out.push(`${m[1]!} ${new URL(m[2]!).pathname} ${m[3]!}`);
  }
  return out;
}



describe('e2e: kubectl 1.27-1.33 against one cluster', function () {
  this.timeout(60_000);
  // One `gantry up` for the whole file (e2e/ reaches the cluster only through its API).
  let cluster: TestCluster | undefined;
  let client: RestClient;

  before(async function () {
    // `up` builds the registry's images and waits for this machine's node.
    this.timeout(180_000);
    cluster = await upForTests('gantry-e2e-versions');
    client = cluster.client();
  });
  after(async function () {
    this.timeout(120_000);
    await cluster?.down();
  });

  for (const minor of minors) {
    describe(`kubectl 1.${minor}`, () => {
      const ns = `kubectl-1-${minor}`;
      const binary = kubectlBinary(minor);
      let k: Kubectl;
      const run = (args: string[], opts?: { input?: string }): Promise<KubectlResult> => k(['-n', ns, ...args], opts);
      /**
       * Runs kubectl in the version's namespace and fails unless it exits 0, naming the requests
       * the server refused: on failure the command is run again with -v=6, which logs each
       * request with its status.
       */
      const ok = async (args: string[], opts?: { input?: string }): Promise<KubectlResult> => {
        const r = await run(args, opts);
        if (r.code === 0) return r;
        const again = await run([...args, '-v=6'], opts);
        const refused = loggedRequests(again.stderr).filter((l) => / [45]\d\d$/.test(l));
        return expect.fail(`kubectl 1.${minor} ${args.join(' ')}: ${showRun(r)}\nrequests refused: ${refused.length ? refused.join('\n') : '(none)'}`);
      };
      const deployPath = `/apis/apps/v1/namespaces/${ns}/deployments`;

      /** Later steps should not fail only because an earlier one did: put the v2 deployment in place if missing. */
      const ensureDeployment = async (): Promise<void> => {
        if ((await client.get(`${deployPath}/web`)).status === 200) return;
        const r = await client.request('POST', deployPath, {
          body: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web', labels: { app: 'web' } },
            spec: {
              replicas: 3,
              selector: { matchLabels: { app: 'web' } },
              template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'gantry/web:v2', ports: [{ containerPort: 8080 }], env: [{ name: 'MODE', value: 'two' }] }] } },
            },
          },
        });
        expect(r.status, r.text).to.equal(201);
      };

      before(async () => {
        expect(fs.existsSync(binary), `${binary} is missing`).to.equal(true);
        k = cluster!.kubectl(minor);
        const r = await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
        expect(r.status, r.text).to.equal(201);
      });

      it('is the expected release and sees server version 1.32', async () => {
        const r = await ok(['version', '-o', 'json']);
        const v = JSON.parse(r.stdout) as { clientVersion: { minor: string }; serverVersion: { major: string; minor: string } };
        expect(v.clientVersion.minor).to.equal(String(minor));
        expect(v.serverVersion).to.include({ major: '1', minor: '32' });
      });

      it('api-resources lists the served kinds with short names, from aggregated discovery alone', async () => {
        // The cache is still empty: -v=6 shows what discovery really asked for.
        const r = await ok(['api-resources', '-v=6']);
        const requests = loggedRequests(r.stderr);
        expect(requests, 'discovery requests').to.include.members(['GET /api 200', 'GET /apis 200']);
        expect(requests.filter((g) => /^GET \/apis?\/./.test(g)), 'per-group-version discovery requests (aggregated discovery was not used)').to.deep.equal([]);
        expect(r.stdout).to.match(/^pods\s+po\s+v1\s+true\s+Pod$/m);
        expect(r.stdout).to.match(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
        expect(r.stdout).to.match(/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
        expect(r.stdout).to.match(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
        expect(r.stdout).to.match(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
      });

      it('apply -f creates, then configures, then leaves unchanged', async () => {
        const first = await ok(['apply', '-f', fixture('compat-web-v1.yaml')]);
        expect(first.stdout).to.contain('deployment.apps/web created');
        const second = await ok(['apply', '-f', fixture('compat-web-v2.yaml')]);
        expect(second.stdout).to.contain('deployment.apps/web configured');
        const third = await ok(['apply', '-f', fixture('compat-web-v2.yaml')]);
        expect(third.stdout).to.contain('deployment.apps/web unchanged');
        const got = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value} {.metadata.generation}']);
        expect(got.stdout).to.equal('3 gantry/web:v2 two 2');
      });

      it('get prints the Table columns, and -o wide the extra ones', async () => {
        await ensureDeployment();
        const r = await ok(['get', 'deployments']);
        expect(r.stdout).to.match(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
        // The controller manager is rolling the Deployment out: the counts move, the shape does not.
        expect(r.stdout).to.match(/^web\s+\d\/3\s+\d\s+\d\s+\d+s$/m);
        const wide = await ok(['get', 'deployments', '-o', 'wide']);
        expect(wide.stdout).to.match(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
        expect(wide.stdout).to.match(/^web\s+\d\/3\s+\d\s+\d\s+\d+s\s+web\s+gantry\/web:v2\s+app=web$/m);
      });

      it('get -o yaml shows the stored object with server defaults', async () => {
        await ensureDeployment();
        const r = await ok(['get', 'deployment', 'web', '-o', 'yaml']);
        expect(r.stdout).to.match(/^apiVersion: apps\/v1$/m);
        expect(r.stdout).to.match(/^kind: Deployment$/m);
        expect(r.stdout).to.match(/^ {2}resourceVersion: "\d+"$/m);
        expect(r.stdout).to.match(/^ {2}uid: [0-9a-f-]{36}$/m);
        expect(r.stdout).to.contain('image: gantry/web:v2');
        expect(r.stdout).to.contain('type: RollingUpdate');
      });

      it('apply --server-side creates, then updates a field it owns', async () => {
        const r = await ok(['apply', '--server-side', '-f', fixture('compat-settings.yaml')]);
        expect(r.stdout).to.contain('configmap/settings serverside-applied');
        const again = await ok(['apply', '--server-side', '-f', '-'], { input: fs.readFileSync(fixture('compat-settings.yaml'), 'utf8').replace('mode: fast', 'mode: slow') });
        expect(again.stdout).to.contain('configmap/settings serverside-applied');
        const got = await ok(['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}']);
        expect(got.stdout).to.equal('slow');
        const managers = await client.get<KubeObject>(`/api/v1/namespaces/${ns}/configmaps/settings`);
        expect((managers.body.metadata.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`)).to.include('kubectl/Apply');
      });

      it('label adds a label a selector finds', async () => {
        await ensureDeployment();
        const r = await ok(['label', 'deployment', 'web', 'tier=frontend']);
        expect(r.stdout).to.contain('deployment.apps/web labeled');
        const sel = await ok(['get', 'deployments', '-l', 'tier=frontend', '-o', 'name']);
        expect(sel.stdout.trim()).to.equal('deployment.apps/web');
      });

      it('scale goes through the scale subresource', async () => {
        await ensureDeployment();
        const r = await ok(['scale', 'deployment', 'web', '--replicas=5']);
        expect(r.stdout).to.contain('deployment.apps/web scaled');
        const got = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
        expect(got.stdout).to.equal('5');
      });

      it('get -w prints an object another client creates and then changes', async () => {
        const cmPath = `/api/v1/namespaces/${ns}/configmaps`;
        // kubectl prints the header with the first row: have one, so we know the watch is running.
        const seed = await client.request('POST', cmPath, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seed' } } });
        expect(seed.status, seed.text).to.equal(201);
        const watch = k.spawn(['-n', ns, 'get', 'configmaps', '-w']);
        try {
          await eventually('the watch header', async () => (/^NAME\s+DATA\s+AGE\n(.*\n)*seed\s+0\s/m.test(watch.output()) ? true : undefined));
          const created = await client.request('POST', cmPath, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { a: '1' } } });
          expect(created.status).to.equal(201);
          await eventually('the new configmap in the watch output', async () => (/^watched\s+1\s/m.test(watch.output()) ? true : undefined));
          const patched = await client.request('PATCH', `${cmPath}/watched`, { body: { data: { b: '2' } }, contentType: 'application/merge-patch+json' });
          expect(patched.status).to.equal(200);
          await eventually('the change in the watch output', async () => (/^watched\s+2\s/m.test(watch.output()) ? true : undefined));
        } finally {
          const done = await watch.stop();
          // Anything kubectl complained about is worth seeing when this fails.
          expect(done.stderr).to.not.match(/error/i);
        }
      });

      it('delete -f removes the deployment and waits for it to go', async () => {
        await ensureDeployment();
        const r = await ok(['delete', '-f', fixture('compat-web-v2.yaml')]);
        expect(r.stdout).to.contain('deployment.apps "web" deleted');
        const gone = await run(['get', 'deployment', 'web']);
        expect(gone.code).to.not.equal(0);
        expect(gone.stderr).to.contain('Error from server (NotFound): deployments.apps "web" not found');
      });
    });
  }
});
