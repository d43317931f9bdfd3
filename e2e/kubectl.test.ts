// The real kubectl against `gantry up`: the workflows users run every day.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RestClient } from '../common/client/restClient.js';
import type { Kubectl } from '../common/testing/kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';
import { eventually } from '../common/testing/eventually.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): string => path.join(fixtures, name);


describe('e2e: the real kubectl against gantry up', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let kubectl: Kubectl;
  let client: RestClient;

  before(async function () {
    // `up` builds the registry's images and waits for this machine's node.
    this.timeout(180_000);
    cluster = await upForTests('gantry-e2e');
    kubectl = cluster.kubectl();
    client = cluster.client();
  });

  after(async () => {
    await cluster?.down({ homeRemoved: true });
  });

  it('reports version 1.32 so the dispatcher picks kubectl 1.32', async () => {
    const r = await kubectl(['version', '-o', 'json']);
    expect(r.code, r.stderr).to.equal(0);
    const v = JSON.parse(r.stdout) as { serverVersion: { minor: string }; clientVersion: { minor: string } };
    expect(v.serverVersion.minor).to.equal('32');
  });

  it('lists the bootstrap namespaces with the usual columns', async () => {
    const r = await kubectl(['get', 'namespaces']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^NAME\s+STATUS\s+AGE/);
    for (const ns of ['default', 'kube-system']) expect(r.stdout).to.match(new RegExp(`^${ns}\\s+Active`, 'm'));
  });

  it('apply creates, configures, then leaves unchanged', async () => {
    const first = await kubectl(['apply', '-f', fixture('web-v1.yaml')]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('deployment.apps/web created');
    const second = await kubectl(['apply', '-f', fixture('web-v2.yaml')]);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.contain('deployment.apps/web configured');
    const third = await kubectl(['apply', '-f', fixture('web-v2.yaml')]);
    expect(third.code, third.stderr).to.equal(0);
    expect(third.stdout).to.contain('deployment.apps/web unchanged');
    const got = await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.generation}']);
    expect(got.stdout).to.equal('3 gantry/web:v2 2');
  });

  it('get -o yaml shows server defaults', async () => {
    const r = await kubectl(['get', 'deploy', 'web', '-o', 'yaml']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('kind: Deployment');
    expect(r.stdout).to.contain('type: RollingUpdate');
    expect(r.stdout).to.contain('terminationMessagePath: /dev/termination-log');
    expect(r.stdout).to.contain('kubectl.kubernetes.io/last-applied-configuration');
  });

  it('strict field validation rejects unknown fields, naming every one', async () => {
    const r = await kubectl(['apply', '-f', fixture('bad-fields.yaml')]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('spec.replicaz');
    expect(r.stderr).to.contain('imagePullPolice');
  });

  it('apply --server-side creates and then updates', async () => {
    const r = await kubectl(['apply', '--server-side', '-f', fixture('settings.yaml')]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('configmap/settings serverside-applied');
    const again = await kubectl(['apply', '--server-side', '-f', '-'], { input: fs.readFileSync(fixture('settings.yaml'), 'utf8').replace('mode: fast', 'mode: slow') });
    expect(again.code, again.stderr).to.equal(0);
    const got = await kubectl(['get', 'cm', 'settings', '-o', 'jsonpath={.data.mode}']);
    expect(got.stdout).to.equal('slow');
  });

  it('get -w prints changes another client makes', async () => {
    const watch = kubectl.spawn(['get', 'configmaps', '-w']);
    await eventually('watch header', async () => (watch.output().includes('NAME') ? true : undefined));
    const res = await client.request('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { a: '1' } } });
    expect(res.status).to.equal(201);
    await eventually('watched configmap in kubectl output', async () => (/^watched\s+1\s/m.test(watch.output()) ? true : undefined));
    await watch.stop();
  });

  it('label, annotate and patch --type=json', async () => {
    let r = await kubectl(['label', 'deployment', 'web', 'tier=frontend']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('deployment.apps/web labeled');
    r = await kubectl(['get', 'deploy', '-l', 'tier=frontend', '-o', 'name']);
    expect(r.stdout.trim()).to.equal('deployment.apps/web');
    r = await kubectl(['label', 'deployment', 'web', 'tier-']);
    expect(r.code, r.stderr).to.equal(0);
    r = await kubectl(['patch', 'deployment', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('deployment.apps/web patched');
    // "(no change)" needs an object nobody else writes meanwhile: the controllers keep
    // updating the Deployment's status, so a ConfigMap it is.
    r = await kubectl(['create', 'configmap', 'patch-target', '--from-literal=a=1']);
    expect(r.code, r.stderr).to.equal(0);
    r = await kubectl(['patch', 'configmap', 'patch-target', '--type=merge', '-p', '{"data":{"a":"1"}}']);
    expect(r.stdout).to.contain('patched (no change)');
  });

  it('scale goes through the scale subresource', async () => {
    const r = await kubectl(['scale', 'deployment', 'web', '--replicas=5']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('deployment.apps/web scaled');
    const got = await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
    expect(got.stdout).to.equal('5');
  });

  it('diff shows a pending change without persisting it', async () => {
    // The controllers keep writing the Deployment's status, so what must not move is the
    // spec: its generation and template.
    const persisted = ['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.generation} {.spec.template.spec.containers[0].image}'];
    const before = await kubectl(persisted);
    const r = await kubectl(['diff', '-f', fixture('web-v1.yaml')]);
    // kubectl diff exits 1 when there are differences.
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.contain('gantry/web:v1');
    const after = await kubectl(persisted);
    expect(after.stdout).to.equal(before.stdout);
    expect(after.stdout).not.to.contain('gantry/web:v1');
  });

  it('api-resources lists the served kinds with short names', async () => {
    const r = await kubectl(['api-resources']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^pods\s+po\s+v1\s+true\s+Pod/m);
    expect(r.stdout).to.match(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/m);
    expect(r.stdout).to.match(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/m);
  });

  it('explain reads the OpenAPI v3 schemas', async () => {
    const r = await kubectl(['explain', 'pods.spec.containers']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('KIND:');
    expect(r.stdout).to.match(/image\s+<string>/);
  });

  it('delete -f removes the objects and waits for them to go', async () => {
    const r = await kubectl(['delete', '-f', fixture('web-v2.yaml')]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('deployment.apps "web" deleted');
    const gone = await kubectl(['get', 'deployment', 'web']);
    expect(gone.code).to.not.equal(0);
    expect(gone.stderr).to.contain('NotFound');
  });

  it('the scheduler started by gantry up binds a pod to a node that fits', async () => {
    let r = await kubectl(['apply', '-f', fixture('node-a.yaml')]);
    expect(r.code, r.stderr).to.equal(0);
    r = await kubectl(['apply', '-f', fixture('pod-small.yaml')]);
    expect(r.code, r.stderr).to.equal(0);
    const node = await eventually('the pod to be bound', async () => {
      const got = await kubectl(['get', 'pod', 'small', '-o', 'jsonpath={.spec.nodeName}']);
      return got.stdout || undefined;
    }, 20_000);
    expect(node).to.equal('node-a');
    const wide = await kubectl(['get', 'pod', 'small', '-o', 'wide']);
    expect(wide.stdout).to.match(/small\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+node-a/);
  });

  it('errors come back as Status messages kubectl prints', async () => {
    const r = await kubectl(['get', 'pod', 'missing']);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('Error from server (NotFound): pods "missing" not found');
  });
});
