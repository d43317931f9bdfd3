// apps/v1 DaemonSets and ControllerRevisions through the real kubectl against a real API
// server and etcd: `apply -f`, `get` (short name, wide), `describe`, `explain`, bad manifests
// answered with field paths, for kubectl 1.27 and 1.33. (Protobuf bodies of both kinds are
// covered by apiserver/protobuf/kubectlProtobuf.test.ts, which walks every served kind.)

import { expect } from 'chai';
import { kubectlSuite } from '../../testing/kubectlSuite.js';

const versions = [27, 33] as const;

const manifest = (image: string, extra = ''): string => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers:
      - name: agent
        image: ${image}
${extra}`;

describe('DaemonSets and ControllerRevisions with the real kubectl (integration)', function () {
  this.timeout(180_000);
  const { cluster: c, run, ok, getJson, ns } = kubectlSuite({ versions, namespacePrefix: 'ds' });

  it('apply -f: created with Kubernetes\' defaults, unchanged, configured (a new template generation)', async () => {
    for (const v of versions) {
      expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest('busybox:1.36'))).to.equal('daemonset.apps/agent created\n');
      expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest('busybox:1.36'))).to.equal('daemonset.apps/agent unchanged\n');
      const ds = await getJson(`/apis/apps/v1/namespaces/${ns(v)}/daemonsets/agent`);
      expect(ds.spec).to.deep.include({ revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
      expect((ds.metadata as { annotations: Record<string, string> }).annotations).to.include({ 'deprecated.daemonset.template.generation': '1' });
      expect(ds.status).to.deep.equal({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
      expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest('busybox:1.37'))).to.equal('daemonset.apps/agent configured\n');
      const next = await getJson(`/apis/apps/v1/namespaces/${ns(v)}/daemonsets/agent`);
      expect((next.metadata as { annotations: Record<string, string>; generation: number }).annotations).to.include({ 'deprecated.daemonset.template.generation': '2' });
      expect((next.metadata as { generation: number }).generation).to.equal(2);
    }
  });

  it('get ds (short name, -o wide), get all, api-resources', async () => {
    for (const v of versions) {
      const lines = (await ok(v, ['get', 'ds', '-n', ns(v)])).split('\n');
      expect(lines[0]).to.match(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
      expect(lines[1]).to.match(/^agent\s+0\s+0\s+0\s+0\s+0\s+kubernetes\.io\/os=linux\s+\d+s$/);
      const wide = (await ok(v, ['get', 'daemonsets', '-o', 'wide', '-n', ns(v)])).split('\n');
      expect(wide[0]).to.match(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
      expect(wide[1]).to.match(/\sagent\s+busybox:1\.37\s+app=agent$/);
      expect(await ok(v, ['get', 'all', '-n', ns(v)])).to.contain('daemonset.apps/agent');
      const resources = await ok(v, ['api-resources', '--api-group=apps', '--no-headers']);
      expect(resources).to.match(/^controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision$/m);
      expect(resources).to.match(/^daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet$/m);
    }
  });

  it('describe ds', async () => {
    for (const v of versions) {
      const described = await ok(v, ['describe', 'ds', 'agent', '-n', ns(v)]);
      expect(described).to.match(/^Name:\s+agent$/m);
      expect(described).to.match(/^Selector:\s+app=agent$/m);
      expect(described).to.match(/^Node-Selector:\s+kubernetes\.io\/os=linux$/m);
      expect(described).to.match(/^Desired Number of Nodes Scheduled: 0$/m);
      expect(described).to.match(/^\s+Image:\s+busybox:1\.37$/m);
    }
  });

  it('explain ds.spec', async () => {
    for (const v of versions) {
      const spec = await ok(v, ['explain', 'ds.spec']);
      expect(spec).to.contain('DaemonSet');
      expect(spec).to.match(/updateStrategy\s+<(Object|DaemonSetUpdateStrategy)>/);
      expect(spec).to.match(/revisionHistoryLimit\s+<integer>/);
      expect(await ok(v, ['explain', 'ds.spec.updateStrategy.rollingUpdate'])).to.contain('maxUnavailable');
    }
  });

  it('bad manifests: 422 with field paths', async () => {
    const never = manifest('busybox', '        ports: []\n').replace('      containers:', '      restartPolicy: Never\n      containers:');
    const both = `${manifest('busybox')}  updateStrategy:\n    rollingUpdate: {maxUnavailable: 0, maxSurge: 0}\n`.replace('name: agent\nspec', 'name: stuck\nspec');
    for (const v of versions) {
      const bad = await run(v, ['create', '-n', ns(v), '-f', '-'], never.replace('name: agent\nspec', 'name: bad\nspec'));
      expect(bad.code).to.not.equal(0);
      expect(bad.stderr).to.contain('The DaemonSet "bad" is invalid').and.to.contain('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
      const zero = await run(v, ['create', '-n', ns(v), '-f', '-'], both);
      expect(zero.code).to.not.equal(0);
      expect(zero.stderr).to.contain('spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0');
      const selector = await run(v, ['apply', '-n', ns(v), '-f', '-'], manifest('busybox:1.37').replace(/matchLabels: \{app: agent\}/, 'matchLabels: {app: agent, tier: x}'));
      expect(selector.code).to.not.equal(0);
      expect(selector.stderr).to.contain('spec.selector: Invalid value');
    }
  });

  it('ControllerRevisions: created, listed with kubectl\'s columns, data immutable', async () => {
    const v = 33;
    const ds = await getJson(`/apis/apps/v1/namespaces/${ns(v)}/daemonsets/agent`);
    const uid = (ds.metadata as { uid: string }).uid;
    const cr = `apiVersion: apps/v1\nkind: ControllerRevision\nmetadata:\n  name: agent-1\n  ownerReferences:\n  - {apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: ${uid}, controller: true}\ndata: {spec: {template: {spec: {containers: [{name: a, image: busybox}]}}}}\nrevision: 1\n`;
    expect(await ok(v, ['create', '-n', ns(v), '-f', '-'], cr)).to.equal('controllerrevision.apps/agent-1 created\n');
    const lines = (await ok(v, ['get', 'controllerrevisions', '-n', ns(v)])).split('\n');
    expect(lines[0]).to.match(/^NAME\s+CONTROLLER\s+REVISION\s+AGE$/);
    expect(lines[1]).to.match(/^agent-1\s+daemonset\.apps\/agent\s+1\s+\d+s$/);
    const changed = await run(v, ['replace', '-n', ns(v), '-f', '-'], cr.replace('image: busybox', 'image: alpine'));
    expect(changed.code).to.not.equal(0);
    expect(changed.stderr).to.contain('data: Invalid value').and.to.contain('field is immutable');
  });

  it('the status subresource and deletion', async () => {
    const v = 33;
    const p = `/apis/apps/v1/namespaces/${ns(v)}/daemonsets/agent/status`;
    const patched = await c.client.request('PATCH', p, { body: { status: { desiredNumberScheduled: 2, numberReady: 1 } }, contentType: 'application/merge-patch+json' });
    expect(patched.status, patched.text).to.equal(200);
    expect(await ok(v, ['get', 'ds', 'agent', '-n', ns(v), '-o', 'jsonpath={.status.desiredNumberScheduled}'])).to.equal('2');
    expect(await ok(v, ['delete', 'ds', 'agent', '-n', ns(v)])).to.equal('daemonset.apps "agent" deleted\n');
  });
});
