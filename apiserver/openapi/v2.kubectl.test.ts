// The real kubectl against a real API server: 1.27 and 1.28 download /openapi/v2 as
// protobuf before apply, create and explain, parse every definition into their models,
// compute strategic merge patches from its extensions and print its descriptions. 1.33
// uses only v3 and must keep working beside it.

import { expect } from 'chai';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { builtinResources } from '../../common/api/resources.js';
import { definitions } from '../../common/schemas/index.js';
import type { TestCluster } from '../testing/harness.js';
import { suiteTestCluster } from '../testing/suiteCluster.js';
import { startOlderServer, type OlderServer } from './olderServerTestKit.js';
import { kubectl as runKubectl, kubectlBinary, type KubectlResult } from '../../common/testing/kubectl.js';

const repo = path.resolve(import.meta.dirname, '../..');
const manifestDirs = ['manifests/examples', 'e2e/fixtures'];
/** Manifests that are wrong on purpose, and so are applied by the invalid-manifest cases instead. */
const invalidManifests = new Set(['e2e/fixtures/bad-fields.yaml']);

let cacheDirs = 0;

/** A plain GET against the test cluster, headers as given. */
function get(cluster: TestCluster, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, cluster.access.server), { ca: cluster.access.caPem, headers: { Authorization: `Bearer ${cluster.access.token}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs one kubectl release with a fresh cache dir, so it really fetches our OpenAPI. */
function kubectl(target: { kubeconfig: string; dir: string }, minor: number, args: string[], input = ''): Promise<KubectlResult> {
  return runKubectl(target.kubeconfig, path.join(target.dir, `kubectl-cache-${++cacheDirs}`), args, { input, binary: kubectlBinary(minor) });
}

function validManifests(): string[] {
  return manifestDirs
    .flatMap((dir) => fs.readdirSync(path.join(repo, dir)).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`))
    .filter((f) => !invalidManifests.has(f))
    .sort();
}

const deployment = (name: string, spec: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: c
          image: busybox
${spec}`;

/** `clientSide`: what kubectl's own validation from the v2 definitions says. */
const invalidCases: { name: string; manifest: string; mentions: string[]; clientSide: RegExp[] }[] = [
  {
    name: 'unknown fields (bad-fields.yaml)',
    manifest: fs.readFileSync(path.join(repo, 'e2e/fixtures/bad-fields.yaml'), 'utf8'),
    mentions: ['replicaz', 'imagePullPolice'],
    clientSide: [/unknown field "replicaz" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/, /unknown field "imagePullPolice" in io\.k8s\.api\.core\.v1\.Container/],
  },
  {
    name: 'a string where an integer belongs',
    manifest: deployment('wrongtype', '  replicas: three\n'),
    mentions: ['replicas'],
    clientSide: [/invalid type for io\.k8s\.api\.apps\.v1\.DeploymentSpec\.replicas: got "string", expected "integer"/],
  },
  {
    name: 'a list where an object belongs',
    manifest: deployment('wrongshape', '  strategy: [RollingUpdate]\n'),
    mentions: ['strategy'],
    clientSide: [/invalid type for io\.k8s\.api\.apps\.v1\.DeploymentStrategy: got "array", expected "map"/],
  },
  {
    name: 'a container without its required name',
    manifest: deployment('noname', '').replace('- name: c\n          image', '- image'),
    mentions: ['name'],
    clientSide: [/missing required field "name" in io\.k8s\.api\.core\.v1\.Container/],
  },
];

/** A definition's text as kubectl prints it: words joined by single spaces, wrapped anywhere. */
function described(text: string): RegExp {
  const words = text.split(/\s+/).slice(0, 12).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(words.join('\\s+'));
}

const property = (definition: string, field: string): string => definitions[definition]!.properties![field]!.description!;

// kubectl 1.27 and 1.28 explain from v3 unless told `--output=plaintext-openapiv2`, which reads v2.
const explainCases: { name: string; path: string; mentions: RegExp[] }[] = [
  {
    name: 'pods.spec.containers',
    path: 'pods.spec.containers',
    mentions: [
      /KIND:\s+Pod/,
      /RESOURCE:\s+containers\s+<\[\]Object>/,
      described(property('io.k8s.api.core.v1.PodSpec', 'containers')),
      described(definitions['io.k8s.api.core.v1.Container']!.description!),
      /imagePullPolicy\s+<string>/,
      /livenessProbe\s+<Object>/,
      /name\s+<string> -required-/,
      /ports\s+<\[\]Object>/,
      described(property('io.k8s.api.core.v1.Container', 'imagePullPolicy')),
    ],
  },
  {
    name: 'deployment.spec.strategy',
    path: 'deployment.spec.strategy',
    mentions: [
      /KIND:\s+Deployment/,
      /VERSION:\s+apps\/v1/,
      /RESOURCE:\s+strategy\s+<Object>/,
      described(property('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')),
      /rollingUpdate\s+<Object>/,
      /type\s+<string>/,
      described(property('io.k8s.api.apps.v1.DeploymentStrategy', 'type')),
    ],
  },
  {
    name: 'an int-or-string field (maxSurge)',
    path: 'deployment.spec.strategy.rollingUpdate.maxSurge',
    mentions: [/FIELD:\s+maxSurge\s+<string>/, described(property('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge'))],
  },
];

describe('OpenAPI v2 with the real kubectl', function () {
  this.timeout(180_000);
  const cluster = suiteTestCluster();

  describe('GET /openapi/v2', () => {
    const protobuf = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
    it('answers kubectl\'s Accept with the protobuf, and a 304 to its ETag', async () => {
      const first = await get(cluster, '/openapi/v2', { Accept: protobuf });
      expect(first.status).to.equal(200);
      expect(first.headers['content-type']).to.equal('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      expect(first.body.length).to.be.greaterThan(100_000);
      const etag = first.headers.etag as string;
      expect(etag).to.match(/^"[0-9A-F]{128}"$/);
      const again = await get(cluster, '/openapi/v2', { Accept: protobuf, 'If-None-Match': etag });
      expect(again.status).to.equal(304);
      expect(again.body.length).to.equal(0);
    });
    it('answers JSON by default, with its own ETag', async () => {
      const json = await get(cluster, '/openapi/v2', {});
      expect(json.status).to.equal(200);
      expect(json.headers['content-type']).to.equal('application/json');
      const doc = JSON.parse(json.body.toString()) as { swagger: string; definitions: Record<string, unknown> };
      expect(doc.swagger).to.equal('2.0');
      expect(doc.definitions).to.have.property('io.k8s.api.core.v1.Pod');
      const pb = await get(cluster, '/openapi/v2', { Accept: protobuf });
      expect(json.headers.etag).to.not.equal(pb.headers.etag);
      expect((await get(cluster, '/openapi/v2', { 'If-None-Match': pb.headers.etag as string })).status).to.equal(200);
    });
    it('refuses an Accept it cannot meet with a 406 Status', async () => {
      const r = await get(cluster, '/openapi/v2', { Accept: 'text/html' });
      expect(r.status).to.equal(406);
      expect(JSON.parse(r.body.toString())).to.include({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
    });
  });

  for (const minor of [27, 28]) {
    describe(`kubectl 1.${minor} (reads /openapi/v2)`, () => {
      const ns = `v2-kubectl-1-${minor}`;
      before(async () => {
        const r = await kubectl(cluster, minor, ['create', 'namespace', ns]);
        expect(r.code, r.stderr).to.equal(0);
      });

      for (const file of validManifests()) {
        it(`applies ${file}`, async () => {
          const r = await kubectl(cluster, minor, ['apply', '-n', ns, '-f', path.join(repo, file)]);
          expect(r.code, r.stderr).to.equal(0);
          expect(r.stdout).to.match(/(created|configured|unchanged)/);
        });
      }

      it('updates by a strategic merge patch (containers merge by name)', async () => {
        const name = 'merged';
        const v1 = deployment(name, '          env: [{name: A, value: one}]\n          ports: [{containerPort: 80}]\n');
        const v2 = deployment(name, '          env: [{name: A, value: two}, {name: B, value: b}]\n          ports: [{containerPort: 80}]\n');
        expect((await kubectl(cluster, minor, ['apply', '-n', ns, '-f', '-'], v1)).code).to.equal(0);
        const r = await kubectl(cluster, minor, ['apply', '-n', ns, '-f', '-', '-v=8'], v2);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain(`deployment.apps/${name} configured`);
        // The patch kubectl sends lists the containers by merge key, as Kubernetes' OpenAPI makes it do.
        expect(r.stderr).to.match(/Request Body:.*\$setElementOrder\/containers/);
        const { body: got } = await cluster.client.request<{ spec: { template: { spec: { containers: { name: string; env: unknown[] }[] } } } }>(
          'GET',
          `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
        );
        const containers = got.spec.template.spec.containers;
        expect(containers.map((c) => c.name)).to.deep.equal(['c']);
        expect(containers[0]!.env).to.deep.equal([{ name: 'A', value: 'two' }, { name: 'B', value: 'b' }]);
      });

      for (const tc of invalidCases) {
        it(`refuses a manifest with ${tc.name}, naming the fields`, async () => {
          const r = await kubectl(cluster, minor, ['apply', '-n', ns, '-f', '-'], tc.manifest);
          expect(r.code).to.not.equal(0);
          for (const field of tc.mentions) expect(r.stderr).to.contain(field);
          expect(r.stderr).to.not.match(/failed to download openapi|InternalError/i);
        });
      }

      it('creates with create -f', async () => {
        const r = await kubectl(cluster, minor, ['create', '-n', ns, '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: created}\ndata: {a: b}\n');
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain('configmap/created created');
      });

      it('applies with --validate=false', async () => {
        const r = await kubectl(cluster, minor, ['apply', '--validate=false', '-n', ns, '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unvalidated}\n');
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain('configmap/unvalidated created');
      });

      for (const r of builtinResources) {
        it(`explains ${r.plural} from v2 with its description`, async () => {
          const resource = r.group === '' ? r.plural : `${r.plural}.${r.group}`;
          const out = await kubectl(cluster, minor, ['explain', resource, '--output=plaintext-openapiv2']);
          expect(out.code, out.stderr).to.equal(0);
          expect(out.stdout).to.match(new RegExp(`KIND:\\s+${r.kind}\\b`));
          expect(out.stdout).to.match(described(definitions[r.definition]!.description!));
          expect(out.stdout).to.match(/metadata\s+<Object>/);
        });
      }

      for (const tc of explainCases) {
        it(`explains ${tc.name} from v2`, async () => {
          const r = await kubectl(cluster, minor, ['explain', tc.path, '--output=plaintext-openapiv2']);
          expect(r.code, r.stderr).to.equal(0);
          for (const m of tc.mentions) expect(r.stdout).to.match(m);
        });
      }
    });
  }

  describe('against a server without OpenAPI v3 and fieldValidation, kubectl validates from the v2 definitions', () => {
    let older: OlderServer;
    const target = (): { kubeconfig: string; dir: string } => ({ kubeconfig: older.kubeconfig, dir: cluster.dir });
    before(async () => {
      older = await startOlderServer(cluster);
    });
    after(async () => {
      await older?.close();
    });
    for (const minor of [27, 28]) {
      const ns = `v2-older-1-${minor}`;
      describe(`kubectl 1.${minor}`, () => {
        before(async () => {
          const r = await kubectl(target(), minor, ['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`);
          expect(r.code, r.stderr).to.equal(0);
        });
        for (const file of validManifests()) {
          it(`finds ${file} valid`, async () => {
            const r = await kubectl(target(), minor, ['apply', '-n', ns, '-f', path.join(repo, file)]);
            expect(r.code, r.stderr).to.equal(0);
          });
        }
        for (const tc of invalidCases) {
          it(`refuses a manifest with ${tc.name} before sending it`, async () => {
            const r = await kubectl(target(), minor, ['apply', '-n', ns, '-f', '-'], tc.manifest);
            expect(r.code).to.not.equal(0);
            expect(r.stderr).to.match(/error validating data: .*ValidationError/);
            for (const m of tc.clientSide) expect(r.stderr).to.match(m);
            expect(r.stderr).to.not.contain('Error from server');
          });
        }
        it('sends an invalid manifest anyway with --validate=false (and the server refuses it)', async () => {
          const r = await kubectl(target(), minor, ['apply', '--validate=false', '-n', ns, '-f', '-'], invalidCases[1]!.manifest);
          expect(r.code).to.not.equal(0);
          expect(r.stderr).to.not.contain('error validating data');
          expect(r.stderr).to.match(/The Deployment "wrongtype" is invalid: spec\.replicas/);
        });
      });
    }
  });

  describe('kubectl 1.33 (reads /openapi/v3)', () => {
    const ns = 'v2-kubectl-1-33';
    it('applies, refuses unknown fields and explains', async () => {
      // apply, not `create namespace`: 1.33 sends the latter as protobuf.
      const created = await kubectl(cluster, 33, ['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`);
      expect(created.code, created.stderr).to.equal(0);
      const applied = await kubectl(cluster, 33, ['apply', '-n', ns, '-f', path.join(repo, 'e2e/fixtures/web-v1.yaml')]);
      expect(applied.code, applied.stderr).to.equal(0);
      const bad = await kubectl(cluster, 33, ['apply', '-n', ns, '-f', path.join(repo, 'e2e/fixtures/bad-fields.yaml')]);
      expect(bad.code).to.not.equal(0);
      expect(bad.stderr).to.contain('replicaz');
      const explained = await kubectl(cluster, 33, ['explain', 'deployment.spec.strategy']);
      expect(explained.code, explained.stderr).to.equal(0);
      expect(explained.stdout).to.match(/rollingUpdate\s+<RollingUpdateDeployment>/);
    });
  });
});
