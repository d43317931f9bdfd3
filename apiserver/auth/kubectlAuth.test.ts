// `kubectl auth can-i`, `auth can-i --list` and `auth whoami` with the real kubectl of
// several versions (1.32+ send the reviews as protobuf), as admin and as a user granted
// nothing, against a real API server; plus the review endpoints' answers to bad requests.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Status } from '../../common/api/meta.js';
import { RestClient } from '../../common/client/restClient.js';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';
import { kubectl as runKubectl, kubectlBinary, type KubectlResult } from '../../common/testing/kubectl.js';

const versions = ['1.27', '1.31', '1.32', '1.33'];

/** A given kubectl release (`1.27` ... `1.33`). */
function kubectl(version: string, kubeconfig: string, cacheDir: string, args: string[]): Promise<KubectlResult> {
  return runKubectl(kubeconfig, cacheDir, args, { binary: kubectlBinary(Number(version.split('.')[1])) });
}

/** The rows of `auth can-i --list`, as [resources, non-resource URLs, verbs]. */
function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const cells = line.trim().split(/\s{2,}/);
      return cells.length === 4 ? [cells[0]!, cells[1]!, cells[3]!] : ['', cells[0]!, cells[2]!];
    });
}

describe('kubectl auth can-i / whoami (real kubectl)', function () {
  this.timeout(120_000);
  let c: TestCluster;
  let tmp: string;
  let nobodyConfig: string;

  before(async () => {
    c = await startTestCluster();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-authz-'));
    nobodyConfig = path.join(tmp, 'nobody.kubeconfig');
    fs.writeFileSync(nobodyConfig, renderKubeconfig({ ...c.access, token: c.nobodyToken }));
  });
  after(async () => {
    await c?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const version of versions) {
    describe(`kubectl ${version}`, () => {
      let cache: string;
      const as = (who: 'admin' | 'nobody', args: string[]): Promise<KubectlResult> => kubectl(version, who === 'admin' ? c.kubeconfig : nobodyConfig, cache, args);
      before(() => {
        cache = fs.mkdtempSync(path.join(tmp, 'cache-'));
      });

      const canI: { who: 'admin' | 'nobody'; args: string[]; answer: 'yes' | 'no' }[] = [
        { who: 'admin', args: ['create', 'pods'], answer: 'yes' },
        { who: 'admin', args: ['delete', 'deployments.apps', '-n', 'kube-system'], answer: 'yes' },
        { who: 'nobody', args: ['create', 'pods'], answer: 'no' },
        { who: 'nobody', args: ['list', 'secrets', '-A'], answer: 'no' },
        { who: 'nobody', args: ['create', 'selfsubjectaccessreviews.authorization.k8s.io'], answer: 'yes' },
        { who: 'nobody', args: ['get', '/healthz'], answer: 'yes' },
        { who: 'nobody', args: ['get', '/metrics'], answer: 'no' },
      ];
      for (const tc of canI) {
        it(`auth can-i ${tc.args.join(' ')} as ${tc.who}: ${tc.answer}`, async () => {
          const r = await as(tc.who, ['auth', 'can-i', ...tc.args]);
          expect(r.stdout.trim(), r.stderr).to.equal(tc.answer);
          expect(r.code).to.equal(tc.answer === 'yes' ? 0 : 1);
        });
      }

      it('auth can-i --list as admin: everything', async () => {
        const r = await as('admin', ['auth', 'can-i', '--list']);
        expect(r.code, r.stderr).to.equal(0);
        expect(rows(r.stdout)).to.deep.include.members([
          ['*.*', '[]', '[*]'],
          ['', '[*]', '[*]'],
        ]);
      });

      it('auth can-i --list as nobody: only questions about itself and discovery', async () => {
        const r = await as('nobody', ['auth', 'can-i', '--list']);
        expect(r.code, r.stderr).to.equal(0);
        const got = rows(r.stdout);
        expect(got).to.deep.include.members([
          ['selfsubjectaccessreviews.authorization.k8s.io', '[]', '[create]'],
          ['selfsubjectreviews.authentication.k8s.io', '[]', '[create]'],
          ['', '[/healthz]', '[get]'],
        ]);
        expect(got.map((row) => row[0])).to.not.include('*.*');
      });

      for (const who of ['admin', 'nobody'] as const) {
        it(`auth whoami as ${who}`, async () => {
          const r = await as(who, ['auth', 'whoami']);
          expect(r.code, r.stderr).to.equal(0);
          expect(r.stdout).to.match(new RegExp(`Username\\s+${who}\\b`));
          expect(r.stdout).to.match(who === 'admin' ? /Groups\s+\[system:masters system:authenticated\]/ : /Groups\s+\[system:authenticated\]/);
        });
      }
    });
  }

  describe('the review endpoints over HTTP', () => {
    const ssar = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
    const cases: { name: string; method: string; path: string; body?: unknown; status: number; field?: string }[] = [
      { name: 'a review without attributes is 422', method: 'POST', path: ssar, body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} }, status: 422, field: 'spec.resourceAttributes' },
      { name: 'a wrongly typed attribute is 422', method: 'POST', path: ssar, body: { kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 7 } } }, status: 422, field: 'spec.resourceAttributes.verb' },
      { name: 'another kind in the body is 400', method: 'POST', path: ssar, body: { kind: 'Pod', spec: {} }, status: 400 },
      { name: 'GET is 405: nothing is stored', method: 'GET', path: ssar, status: 405 },
      { name: 'a named review is 405', method: 'POST', path: `${ssar}/x`, body: { spec: {} }, status: 405 },
      { name: 'a namespaced path is 404', method: 'POST', path: '/apis/authorization.k8s.io/v1/namespaces/default/selfsubjectaccessreviews', body: { spec: {} }, status: 404 },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const r = await c.client.request<Status>(tc.method, tc.path, tc.body === undefined ? {} : { body: tc.body });
        expect(r.status, JSON.stringify(r.body)).to.equal(tc.status);
        if (tc.field) expect(r.body.details?.causes?.map((x) => x.field)).to.include(tc.field);
      });
    }

    it('an unauthenticated review is 401', async () => {
      const anonymous = new RestClient({ ...c.access, token: 'wrong' });
      try {
        const r = await anonymous.request('POST', ssar, { body: { spec: { nonResourceAttributes: { verb: 'get', path: '/healthz' } } } });
        expect(r.status).to.equal(401);
      } finally {
        anonymous.close();
      }
    });

    it('discovery lists the reviews as create-only', async () => {
      const r = await c.client.get<{ resources: { name: string; verbs: string[] }[] }>('/apis/authorization.k8s.io/v1');
      expect(r.body.resources).to.deep.include.members([{ name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] }]);
      const groups = await c.client.get<{ groups: { name: string; versions: { version: string }[]; preferredVersion: { version: string } }[] }>('/apis');
      const authn = groups.body.groups.find((g) => g.name === 'authentication.k8s.io')!;
      expect(authn.versions.map((v) => v.version)).to.deep.equal(['v1', 'v1beta1']);
      expect(authn.preferredVersion.version).to.equal('v1');
    });
  });
});
