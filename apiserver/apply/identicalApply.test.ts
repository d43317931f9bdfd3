// Applying values identical to the live ones never conflicts: the applier becomes a
// co-owner. Driven with the real kubectl (1.27 and 1.32) against a real API server:
// client-side apply (an Update manager), kubectl scale/patch (Update managers) and other
// appliers, then a server-side apply of the same manifest by another field manager.
// Differing values of owned fields still conflict with the same 409; --force-conflicts
// takes them.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import { suiteTestCluster } from '../testing/suiteCluster.js';
import { kubectl as runKubectl, kubectlBinary, type KubectlResult } from '../../common/testing/kubectl.js';

const versions = ['1.27', '1.32'];

interface Status {
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { reason: string; field: string; message: string }[] };
}

/** manager/operation -> fieldsV1, without times. */
function owners(obj: KubeObject): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const e of obj.metadata.managedFields ?? ([] as ManagedFieldsEntry[])) out[`${e.manager}/${e.operation}`] = e.fieldsV1 as Record<string, unknown>;
  return out;
}

/** The node at `path` of a FieldsV1 set (undefined when absent). */
function at(set: unknown, ...path: string[]): unknown {
  let cur = set as Record<string, unknown> | undefined;
  for (const el of path) cur = cur?.[el] as Record<string, unknown> | undefined;
  return cur;
}

const deployment = (name: string, image = 'web:1', replicas = 2): object => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'c', image, command: ['serve', '--port=8080'], ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
          { name: 'sidecar', image: 'log:1' },
        ],
      },
    },
  },
});

const service = (name: string, targetPort = 8080): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: {
    selector: { app: name },
    ports: [
      { name: 'http', port: 80, targetPort },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
    ],
  },
});

const configMap = (name: string, data: Record<string, string>): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: name } }, data });

const pod = (name: string, mountPath = '/data'): object => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name } },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'web:1',
        args: ['-v'],
        env: [{ name: 'MODE', value: 'prod' }, { name: 'LEVEL', value: 'info' }],
        volumeMounts: [{ name: 'data', mountPath }, { name: 'cache', mountPath: '/cache', readOnly: true }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'cache', emptyDir: {} }],
  },
});

describe('server-side apply of values identical to the live ones (real kubectl)', function () {
  this.timeout(180_000);
  const c = suiteTestCluster();
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-ssa-same-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const get = async (url: string): Promise<KubeObject> => (await c.client.get<KubeObject>(url)).body;
  const applyAs = (url: string, manager: string, body: object, force = false) =>
    c.client.request<KubeObject & Status>('PATCH', url, { contentType: 'application/apply-patch+yaml', body, query: { fieldManager: manager, ...(force ? { force: 'true' } : {}) } });

  it('two items with one key in an applied configuration: a 4xx, on create and on update', async () => {
    const url = '/apis/apps/v1/namespaces/default/deployments/dup';
    const dup = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }];
    let r = await applyAs(url, 'gantry', deployment('dup'));
    expect(r.status, r.text).to.equal(201);
    const withEnv = deployment('dup') as { spec: { template: { spec: { containers: { env?: unknown[] }[] } } } };
    withEnv.spec.template.spec.containers[0]!.env = dup;
    r = await applyAs(url, 'gantry', withEnv);
    expect(r.status, r.text).to.equal(400);
    expect(r.body.message).to.equal('.spec.template.spec.containers[name="c"].env: duplicate entries for key [name="A"]');
    // Service ports are checked by the Service's validation first.
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup' }, spec: { selector: { app: 'dup' }, ports: [{ name: 'a', port: 80, targetPort: 1 }, { name: 'b', port: 80, protocol: 'TCP', targetPort: 2 }] } };
    r = await applyAs('/api/v1/namespaces/default/services/dup', 'gantry', svc);
    expect(r.status, r.text).to.be.within(400, 422);
  });

  for (const version of versions) {
    describe(`kubectl ${version}`, () => {
      let kubectl: (args: string[], input?: string) => Promise<KubectlResult>;
      const v = version.replace('.', '-');
      before(() => {
        const cacheDir = fs.mkdtempSync(path.join(tmp, 'cache-'));
        kubectl = (args, input = '') => runKubectl(c.kubeconfig, cacheDir, args, { input, binary: kubectlBinary(Number(version.split('.')[1])) });
      });
      const ok = (r: KubectlResult): void => {
        expect(r.code, r.stderr).to.equal(0);
      };

      it('a Deployment: client-side apply, then apply --server-side --field-manager=gantry of the same manifest', async () => {
        const name = `deploy-${v}`;
        const url = `/apis/apps/v1/namespaces/default/deployments/${name}`;
        ok(await kubectl(['apply', '-f', '-'], JSON.stringify(deployment(name))));
        const before = await get(url);
        // Another image is a real conflict with the client-side applier, on that leaf only.
        let r = await kubectl(['apply', '--server-side', '--field-manager=gantry', '-f', '-'], JSON.stringify(deployment(name, 'web:2')));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.template.spec.containers[name="c"].image\n');

        r = await kubectl(['apply', '--server-side', '--field-manager=gantry', '-f', '-'], JSON.stringify(deployment(name)));
        ok(r);
        expect(r.stdout).to.contain(`deployment.apps/${name} serverside-applied`);
        const after = await get(url);
        expect(after.spec).to.deep.equal(before.spec);
        expect(after.metadata.generation).to.equal(before.metadata.generation);
        // kubectl then moved the client-side applier's fields to gantry's entry.
        const container = at(owners(after)['gantry/Apply'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}');
        expect(container).to.include.keys('.', 'f:image', 'f:command', 'f:env', 'f:ports');

        // A third manager changing the image conflicts with gantry on the image alone ...
        r = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], JSON.stringify(deployment(name, 'web:2')));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('Apply failed with 1 conflict: conflict with "gantry" using apps/v1: .spec.template.spec.containers[name="c"].image\n');
        // ... and --force-conflicts takes it; gantry keeps the rest.
        ok(await kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], JSON.stringify(deployment(name, 'web:2'))));
        const forced = await get(url);
        const spec = forced.spec as { template: { spec: { containers: { image: string }[] } } };
        expect(spec.template.spec.containers[0]!.image).to.equal('web:2');
        const gantry = at(owners(forced)['gantry/Apply'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}');
        expect(gantry).to.include.keys('.', 'f:command', 'f:env', 'f:ports').and.not.have.key('f:image');
        expect(at(owners(forced)['other/Apply'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image')).to.deep.equal({});
        expect(forced.metadata.generation).to.equal(before.metadata.generation! + 1);
      });

      it('a Deployment: client-side apply, then PATCH application/apply-patch+yaml of the same manifest co-owns', async () => {
        const name = `deploy-raw-${v}`;
        const url = `/apis/apps/v1/namespaces/default/deployments/${name}`;
        ok(await kubectl(['apply', '-f', '-'], JSON.stringify(deployment(name))));
        const before = await get(url);
        const same = await applyAs(url, 'gantry', deployment(name));
        expect(same.status, same.text).to.equal(200);
        const after = await get(url);
        expect(after.spec).to.deep.equal(before.spec);
        const o = owners(after);
        // The client-side applier keeps everything; gantry co-owns what it applied, not the defaults.
        expect(o['kubectl-client-side-apply/Update']).to.deep.equal(owners(before)['kubectl-client-side-apply/Update']);
        const container = at(o['gantry/Apply'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}');
        expect(container).to.include.keys('.', 'f:image', 'f:command', 'f:env', 'f:ports').and.not.have.keys('f:imagePullPolicy', 'f:terminationMessagePath');
        expect(at(container, 'f:env')).to.include.keys('k:{"name":"A"}', 'k:{"name":"B"}');
        expect(at(container, 'f:ports')).to.include.keys('k:{"containerPort":8080,"protocol":"TCP"}');

        const clash = await applyAs(url, 'gantry', deployment(name, 'web:2'));
        expect(clash.status).to.equal(409);
        expect(clash.body.reason).to.equal('Conflict');
        expect(clash.body.details?.causes).to.deep.equal([
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.template.spec.containers[name="c"].image' },
        ]);
        expect((await get(url)).metadata.resourceVersion).to.equal(after.metadata.resourceVersion);

        const forced = await applyAs(url, 'gantry', deployment(name, 'web:2'), true);
        expect(forced.status, forced.text).to.equal(200);
        const csa = at(owners(forced.body)['kubectl-client-side-apply/Update'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}');
        expect(csa).to.include.keys('.', 'f:command', 'f:env', 'f:imagePullPolicy').and.not.have.key('f:image');
      });

      it('a Deployment scaled and patched (Update managers), then applied with the same values by another manager', async () => {
        const name = `deploy-upd-${v}`;
        const url = `/apis/apps/v1/namespaces/default/deployments/${name}`;
        ok(await kubectl(['apply', '--server-side', '--field-manager=ci', '-f', '-'], JSON.stringify(deployment(name))));
        ok(await kubectl(['scale', 'deployment', name, '--replicas=3']));
        ok(await kubectl(['patch', 'deployment', name, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"7"}]}]}}}}']));
        // The same values as scale and patch wrote: shared, no conflict.
        const same = deployment(name, 'web:1', 3) as { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } };
        same.spec.template.spec.containers[0]!.env = [{ name: 'A', value: '7' }, { name: 'B', value: '2' }];
        ok(await kubectl(['apply', '--server-side', '--field-manager=ops', '-f', '-'], JSON.stringify(same)));
        const o = owners(await get(url));
        expect(at(o[`kubectl.${version}/Update`], 'f:spec', 'f:replicas')).to.deep.equal({});
        expect(at(o['ops/Apply'], 'f:spec', 'f:replicas')).to.deep.equal({});
        expect(at(o['kubectl-patch/Update'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:env', 'k:{"name":"A"}', 'f:value')).to.deep.equal({});
        // ci still conflicts on both: it applied other values than those now live.
        const r = await kubectl(['apply', '--server-side', '--field-manager=ci', '-f', '-'], JSON.stringify(deployment(name)));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('Apply failed with 4 conflicts');
        expect(r.stderr).to.contain(`conflict with "kubectl.${version}" using apps/v1: .spec.replicas`);
        expect(r.stderr).to.contain('conflict with "ops" using apps/v1: .spec.replicas');
        expect(r.stderr).to.contain('conflict with "kubectl-patch" using apps/v1: .spec.template.spec.containers[name="c"].env[name="A"].value');
        expect(r.stderr).to.contain('conflict with "ops" using apps/v1: .spec.template.spec.containers[name="c"].env[name="A"].value');
      });

      it('a Service: ports keyed by port and protocol, defaults only on the live side', async () => {
        const name = `svc-${v}`;
        const url = `/api/v1/namespaces/default/services/${name}`;
        ok(await kubectl(['apply', '-f', '-'], JSON.stringify(service(name))));
        const before = await get(url);
        ok(await kubectl(['apply', '--server-side', '--field-manager=gantry', '-f', '-'], JSON.stringify(service(name))));
        const after = await get(url);
        expect(after.spec).to.deep.equal(before.spec);
        const ports = at(owners(after)['gantry/Apply'], 'f:spec', 'f:ports') as Record<string, unknown>;
        expect(Object.keys(ports).filter((k) => k.startsWith('k:')).sort()).to.deep.equal(['k:{"port":53,"protocol":"UDP"}', 'k:{"port":80,"protocol":"TCP"}']);
        const r = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], JSON.stringify(service(name, 9090)));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('conflict with "gantry" using v1: .spec.ports[port=80,protocol="TCP"].targetPort');
      });

      it('a Service with 53/UDP and 53/TCP: two items, each keyed by port and protocol', async () => {
        const name = `dns-${v}`;
        const url = `/api/v1/namespaces/default/services/${name}`;
        const dns = (udpTarget: number): string =>
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name },
            spec: { selector: { app: name }, ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: udpTarget }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] },
          });
        ok(await kubectl(['apply', '--server-side', '--field-manager=ci', '-f', '-'], dns(53)));
        ok(await kubectl(['apply', '--server-side', '--field-manager=gantry', '-f', '-'], dns(53)));
        const svc = await get(url);
        expect((svc.spec as { ports: { protocol: string; targetPort: number }[] }).ports.map((p) => `${p.protocol}:${p.targetPort}`)).to.deep.equal(['UDP:53', 'TCP:53']);
        const r = await kubectl(['apply', '--server-side', '--field-manager=gantry', '-f', '-'], dns(5353));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('Apply failed with 1 conflict: conflict with "ci" using v1: .spec.ports[port=53,protocol="UDP"].targetPort\n');
        ok(await kubectl(['apply', '--server-side', '--field-manager=gantry', '--force-conflicts', '-f', '-'], dns(5353)));
        const forced = await get(url);
        expect((forced.spec as { ports: { protocol: string; targetPort: number }[] }).ports.map((p) => `${p.protocol}:${p.targetPort}`)).to.deep.equal(['UDP:5353', 'TCP:53']);
      });

      it('kubectl edit (an Update manager) of one container field, then the same value applied by another manager', async () => {
        const name = `edited-${v}`;
        const url = `/apis/apps/v1/namespaces/default/deployments/${name}`;
        ok(await kubectl(['apply', '-f', '-'], JSON.stringify(deployment(name))));
        const saved = process.env.KUBE_EDITOR;
        // kubectl runs the editor on a temporary file: sed edits the image in place.
        process.env.KUBE_EDITOR = 'sed -i s#web:1#web:3#';
        try {
          ok(await kubectl(['edit', 'deployment', name]));
        } finally {
          if (saved === undefined) delete process.env.KUBE_EDITOR;
          else process.env.KUBE_EDITOR = saved;
        }
        const edited = owners(await get(url));
        // The editor took the image alone; the container item stays with the client-side applier.
        expect(at(edited['kubectl-edit/Update'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}')).to.deep.equal({ 'f:image': {} });
        expect(at(edited['kubectl-client-side-apply/Update'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}')).to.include.keys('.', 'f:name', 'f:command').and.not.have.key('f:image');
        const same = await applyAs(url, 'gantry', deployment(name, 'web:3'));
        expect(same.status, same.text).to.equal(200);
        expect(at(owners(same.body)['kubectl-edit/Update'], 'f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image')).to.deep.equal({});
        const clash = await applyAs(url, 'gantry', deployment(name, 'web:4'));
        expect(clash.status).to.equal(409);
        expect(clash.body.details?.causes).to.deep.equal([
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.template.spec.containers[name="c"].image' },
        ]);
      });

      it('a ConfigMap: client-side apply, then the same data applied by other managers', async () => {
        const name = `cm-${v}`;
        const url = `/api/v1/namespaces/default/configmaps/${name}`;
        ok(await kubectl(['apply', '-f', '-'], JSON.stringify(configMap(name, { a: '1', b: '2' }))));
        const raw = await applyAs(url, 'raw', configMap(name, { a: '1', b: '2' }));
        expect(raw.status, raw.text).to.equal(200);
        let o = owners(raw.body);
        expect(o['raw/Apply']).to.deep.equal({ 'f:data': { 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } });
        expect(at(o['kubectl-client-side-apply/Update'], 'f:data')).to.deep.equal({ 'f:a': {}, 'f:b': {} });
        ok(await kubectl(['apply', '--server-side', '--field-manager=gantry', '-f', '-'], JSON.stringify(configMap(name, { a: '1', b: '2' }))));
        o = owners(await get(url));
        expect(at(o['gantry/Apply'], 'f:data')).to.deep.equal({ 'f:a': {}, 'f:b': {} });
        const r = await kubectl(['apply', '--server-side', '--field-manager=third', '-f', '-'], JSON.stringify(configMap(name, { a: '1', b: '3' })));
        expect(r.code).to.equal(1);
        // Entries are listed oldest first: the order of the two owners depends on the clock.
        expect(r.stderr).to.contain('Apply failed with 2 conflicts: conflict with "');
        for (const m of ['gantry', 'raw']) expect(r.stderr).to.contain(`conflict with "${m}" using v1: .data.b\n`);
      });

      it('a Pod: containers, env by name, volumeMounts by mountPath, an atomic list', async () => {
        const name = `pod-${v}`;
        const url = `/api/v1/namespaces/default/pods/${name}`;
        ok(await kubectl(['apply', '-f', '-'], JSON.stringify(pod(name))));
        const before = await get(url);
        ok(await kubectl(['apply', '--server-side', '--field-manager=gantry', '-f', '-'], JSON.stringify(pod(name))));
        const after = await get(url);
        expect(after.spec).to.deep.equal(before.spec);
        const c0 = at(owners(after)['gantry/Apply'], 'f:spec', 'f:containers', 'k:{"name":"c"}');
        expect(at(c0, 'f:volumeMounts')).to.include.keys('k:{"mountPath":"/data"}', 'k:{"mountPath":"/cache"}');
        expect(at(c0, 'f:env')).to.include.keys('k:{"name":"MODE"}', 'k:{"name":"LEVEL"}');
        // A second applier of the same values: co-owners, no conflict.
        ok(await kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], JSON.stringify(pod(name))));
        const o = owners(await get(url));
        expect(at(o['other/Apply'], 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:volumeMounts')).to.include.keys('k:{"mountPath":"/data"}', 'k:{"mountPath":"/cache"}');
        expect(o).to.include.keys('gantry/Apply');
        // A differing atomic list conflicts as a whole, a differing env value by its own path, with both owners.
        const changed = pod(name) as { spec: { containers: { args: string[]; env: { name: string; value: string }[] }[] } };
        changed.spec.containers[0]!.args = ['-v', '-x'];
        changed.spec.containers[0]!.env[1]!.value = 'debug';
        const r = await kubectl(['apply', '--server-side', '--field-manager=third', '-f', '-'], JSON.stringify(changed));
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain('Apply failed with 4 conflicts');
        for (const m of ['gantry', 'other']) {
          expect(r.stderr).to.contain(`conflict with "${m}" using v1: .spec.containers[name="c"].args\n`);
          expect(r.stderr).to.contain(`conflict with "${m}" using v1: .spec.containers[name="c"].env[name="LEVEL"].value\n`);
        }
      });
    });
  }
});
