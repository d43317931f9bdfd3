// kubectl's client-side -> server-side apply migration, driven with the real kubectl of
// several versions against a real API server: `apply` then `apply --server-side` takes the
// fields over without conflicts, later applies change only what changed, and a real
// conflict is still a 409 with FieldManagerConflict causes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import { suiteTestCluster } from '../testing/suiteCluster.js';
import { kubectl as runKubectl, kubectlBinary, type KubectlResult } from '../../common/testing/kubectl.js';
import { lastAppliedAnnotation } from './lastApplied.js';

const versions = ['1.27', '1.30', '1.32', '1.33'];

/** A given kubectl release (`1.27` ... `1.33`) with its own cache dir, reading its input from `input`. */
function kubectlOf(version: string, kubeconfig: string, cacheDir: string) {
  return (args: string[], input = ''): Promise<KubectlResult> => runKubectl(kubeconfig, cacheDir, args, { input, binary: kubectlBinary(Number(version.split('.')[1])) });
}

const manifest = (name: string, data: Record<string, string>): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'demo' } }, data });

/** managedFields without times: manager/operation -> the data keys and metadata it owns. */
function owners(obj: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of obj.metadata.managedFields ?? ([] as ManagedFieldsEntry[])) out[`${e.manager}/${e.operation}`] = e.fieldsV1;
  return out;
}

const data = (...keys: string[]): Record<string, object> => Object.fromEntries(keys.map((k) => [`f:${k}`, {}]));
const label = { 'f:labels': { 'f:app': {} } };
const annotation = { 'f:annotations': { [`f:${lastAppliedAnnotation}`]: {} } };

describe('kubectl apply: client-side to server-side migration (real kubectl)', function () {
  this.timeout(120_000);
  const c = suiteTestCluster();
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-ssa-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const get = async (name: string): Promise<KubeObject> => (await c.client.get<KubeObject>(`/api/v1/namespaces/default/configmaps/${name}`)).body;

  for (const version of versions) {
    describe(`kubectl ${version}`, () => {
      let kubectl: ReturnType<typeof kubectlOf>;
      const v = version.replace('.', '-');
      before(() => {
        kubectl = kubectlOf(version, c.kubeconfig, fs.mkdtempSync(path.join(tmp, 'cache-')));
      });

      it('apply, then apply --server-side of the same manifest, then of a changed one', async () => {
        const name = `csa-${v}`;
        let r = await kubectl(['apply', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        expect(owners(await get(name))).to.deep.equal({ 'kubectl-client-side-apply/Update': { 'f:data': data('x', 'z'), 'f:metadata': { ...annotation, ...label } } });

        r = await kubectl(['apply', '--server-side', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain(`configmap/${name} serverside-applied`);
        let obj = await get(name);
        // kubectl moved the client-side applier's fields to its Apply entry, then applied
        // again: the annotation is left to kubectl-last-applied.
        expect(owners(obj)).to.deep.equal({ 'kubectl/Apply': { 'f:data': data('x', 'z'), 'f:metadata': label }, 'kubectl-last-applied/Apply': { 'f:metadata': annotation } });

        // x changed, z removed: no conflict with the former client-side applier.
        r = await kubectl(['apply', '--server-side', '-f', '-'], manifest(name, { x: '3' }));
        expect(r.code, r.stderr).to.equal(0);
        obj = await get(name);
        expect(obj.data).to.deep.equal({ x: '3' });
        expect(owners(obj)).to.deep.equal({ 'kubectl/Apply': { 'f:data': data('x'), 'f:metadata': label }, 'kubectl-last-applied/Apply': { 'f:metadata': annotation } });
        // The annotation follows, so going back to client-side apply diffs against the truth.
        expect(JSON.parse(obj.metadata.annotations![lastAppliedAnnotation]!)).to.deep.include({ data: { x: '3' } });

        r = await kubectl(['apply', '-f', '-'], manifest(name, { x: '4', w: '5' }));
        expect(r.code, r.stderr).to.equal(0);
        obj = await get(name);
        expect(obj.data).to.deep.equal({ x: '4', w: '5' });
        expect(owners(obj)['kubectl-client-side-apply/Update']).to.deep.include({ 'f:data': data('w', 'x') });
      });

      it('a Deployment: list items merged by key, a changed image and a removed env var', async () => {
        const name = `web-${v}`;
        const deploy = (image: string, env: { name: string; value: string }[]): string =>
          JSON.stringify({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name },
            spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image, env }] } } },
          });
        const both = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }];
        let r = await kubectl(['apply', '-f', '-'], deploy('web:1', both));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '--server-side', '-f', '-'], deploy('web:1', both));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '--server-side', '-f', '-'], deploy('web:2', [{ name: 'A', value: '1' }]));
        expect(r.code, r.stderr).to.equal(0);
        const obj = (await c.client.get<KubeObject>(`/apis/apps/v1/namespaces/default/deployments/${name}`)).body;
        const spec = obj.spec as { replicas: number; template: { spec: { containers: { image: string; env: unknown[] }[] } } };
        expect(spec.replicas).to.equal(2);
        expect(spec.template.spec.containers[0]!.image).to.equal('web:2');
        expect(spec.template.spec.containers[0]!.env).to.deep.equal([{ name: 'A', value: '1' }]);
        expect(Object.keys(owners(obj)).sort()).to.deep.equal(['kubectl-last-applied/Apply', 'kubectl/Apply']);
        expect(obj.metadata.generation).to.equal(2);
      });

      it('apply, then apply --server-side of a changed manifest at once', async () => {
        const name = `csa-direct-${v}`;
        let r = await kubectl(['apply', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '--server-side', '-f', '-'], manifest(name, { x: '3' }));
        expect(r.code, r.stderr).to.equal(0);
        const obj = await get(name);
        expect(obj.data).to.deep.equal({ x: '3' });
        expect(owners(obj)).to.deep.equal({ 'kubectl/Apply': { 'f:data': data('x'), 'f:metadata': label }, 'kubectl-last-applied/Apply': { 'f:metadata': annotation } });
      });

      it('a field another manager changed since is a real conflict', async () => {
        const name = `csa-conflict-${v}`;
        let r = await kubectl(['apply', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['patch', 'configmap', name, '--type', 'merge', '-p', '{"data":{"x":"9"}}']);
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '--server-side', '-f', '-'], manifest(name, { x: '3', z: '2' }));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.x');
        expect((await get(name)).data).to.deep.equal({ x: '9', z: '2' });
      });

      it('apply --server-side, then client-side apply of a changed manifest (no annotation yet)', async () => {
        const name = `ssa-first-${v}`;
        let r = await kubectl(['apply', '--server-side', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '-f', '-'], manifest(name, { x: '3', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.contain('missing the kubectl.kubernetes.io/last-applied-configuration annotation');
        const obj = await get(name);
        expect(obj.data).to.deep.equal({ x: '3', z: '2' });
        // An update never conflicts: it takes what it changed.
        expect(owners(obj)).to.deep.equal({
          'kubectl/Apply': { 'f:data': data('z'), 'f:metadata': label },
          'kubectl-client-side-apply/Update': { 'f:data': data('x'), 'f:metadata': annotation },
        });
      });

      it('create -f, then client-side apply of a changed manifest', async () => {
        const name = `create-csa-${v}`;
        let r = await kubectl(['create', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '-f', '-'], manifest(name, { x: '1', z: '3' }));
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.contain('missing the kubectl.kubernetes.io/last-applied-configuration annotation');
        const obj = await get(name);
        expect(obj.data).to.deep.equal({ x: '1', z: '3' });
        expect(owners(obj)).to.deep.equal({
          'kubectl-create/Update': { 'f:data': data('x'), 'f:metadata': label },
          'kubectl-client-side-apply/Update': { 'f:data': data('z'), 'f:metadata': annotation },
        });
      });

      it('a field set by kubectl scale after client-side apply conflicts; another field manager gets no takeover', async () => {
        const name = `scaled-${v}`;
        const deploy = (replicas: number): string =>
          JSON.stringify({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name },
            spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'web:1' }] } } },
          });
        let r = await kubectl(['apply', '-f', '-'], deploy(2));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '--server-side', '--field-manager', 'ci', '-f', '-'], deploy(3));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
        r = await kubectl(['scale', 'deployment', name, '--replicas', '5']);
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '--server-side', '-f', '-'], deploy(2));
        expect(r.code).to.equal(1);
        // kubectl scale names no field manager: the server names it after the user agent (the binary's name).
        expect(r.stderr).to.contain(`Apply failed with 1 conflict: conflict with "kubectl.${version}" using apps/v1: .spec.replicas`);
      });

      it('create -f, then apply --server-side: shared fields, and a conflict only on a changed one', async () => {
        const name = `create-${v}`;
        let r = await kubectl(['create', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        r = await kubectl(['apply', '--server-side', '-f', '-'], manifest(name, { x: '1', z: '2' }));
        expect(r.code, r.stderr).to.equal(0);
        expect(owners(await get(name))).to.deep.equal({
          'kubectl/Apply': { 'f:data': data('x', 'z'), 'f:metadata': label },
          'kubectl-create/Update': { 'f:data': data('x', 'z'), 'f:metadata': label },
        });

        // No last-applied annotation: kubectl-create's fields are not kubectl's to take.
        r = await kubectl(['apply', '--server-side', '-f', '-'], manifest(name, { x: '3', z: '2' }));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('conflict with "kubectl-create" using v1: .data.x');

        r = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest(name, { x: '3' }));
        expect(r.code, r.stderr).to.equal(0);
        const obj = await get(name);
        // z stays: kubectl-create still owns it.
        expect(obj.data).to.deep.equal({ x: '3', z: '2' });
        expect(owners(obj)).to.deep.equal({
          'kubectl/Apply': { 'f:data': data('x'), 'f:metadata': label },
          'kubectl-create/Update': { 'f:data': data('z'), 'f:metadata': label },
        });
      });
    });
  }
});
