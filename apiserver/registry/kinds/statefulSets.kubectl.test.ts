// apps/v1 StatefulSets through the real kubectl against a real API server and etcd:
// `create -f` and `apply -f` (Kubernetes' defaults), `get` (short name, wide, all),
// `describe`, `scale`, `explain`, updates Kubernetes forbids, bad manifests answered with
// field paths, for kubectl 1.27 and 1.33. (Protobuf bodies: apiserver/protobuf/kubectlProtobuf.test.ts
// walks every served kind.)

import { expect } from 'chai';
import { kubectlSuite } from '../../testing/kubectlSuite.js';

type Obj = Record<string, unknown>;
const versions = [27, 33] as const;

const manifest = (name: string, image: string, extra = ''): string => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: ${name}
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: db
        image: ${image}
        volumeMounts:
        - {name: data, mountPath: /data}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 1Gi}
${extra}`;

describe('StatefulSets with the real kubectl (integration)', function () {
  this.timeout(180_000);
  const { cluster: c, run, ok, getJson, ns } = kubectlSuite({ versions, namespacePrefix: 'sts' });
  const stsPath = (v: number, name: string): string => `/apis/apps/v1/namespaces/${ns(v)}/statefulsets/${name}`;

  it('create -f: stored with Kubernetes\' defaults, claim templates defaulted like claims', async () => {
    for (const v of versions) {
      expect(await ok(v, ['create', '-n', ns(v), '-f', '-'], manifest('db', 'busybox:1.36'))).to.equal('statefulset.apps/db created\n');
      const sts = await getJson(stsPath(v, 'db'));
      const spec = sts.spec as Obj;
      expect(spec).to.deep.include({
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        replicas: 2,
      });
      expect(spec.volumeClaimTemplates).to.deep.equal([
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
          status: { phase: 'Pending' },
        },
      ]);
      expect((spec.template as { spec: Obj }).spec).to.include({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
      expect(sts.status).to.deep.equal({ replicas: 0, availableReplicas: 0 });
      expect((sts.metadata as Obj).generation).to.equal(1);
    }
  });

  it('apply -f again: nothing stored changes; a new template moves the generation', async () => {
    for (const v of versions) {
      expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest('web', 'busybox:1.36'))).to.equal('statefulset.apps/web created\n');
      const before = (await getJson(stsPath(v, 'web'))).metadata as Obj;
      // The claim templates are an atomic list the server defaults, so kubectl's three-way patch
      // resends them (it prints "configured", as against Kubernetes): the patch is a no-op.
      expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest('web', 'busybox:1.36'))).to.match(/^statefulset\.apps\/web (unchanged|configured)\n$/);
      const after = (await getJson(stsPath(v, 'web'))).metadata as Obj;
      expect([after.resourceVersion, after.generation]).to.deep.equal([before.resourceVersion, 1]);
      expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest('web', 'busybox:1.37'))).to.equal('statefulset.apps/web configured\n');
      expect(((await getJson(stsPath(v, 'web'))).metadata as Obj).generation).to.equal(2);
    }
  });

  it('get sts (short name, -o wide), get all, api-resources', async () => {
    for (const v of versions) {
      const lines = (await ok(v, ['get', 'sts', '-n', ns(v)])).trim().split('\n');
      expect(lines[0]).to.match(/^NAME\s+READY\s+AGE$/);
      expect(lines[1]).to.match(/^db\s+0\/2\s+\d+s$/);
      const wide = (await ok(v, ['get', 'statefulsets', 'web', '-o', 'wide', '-n', ns(v)])).trim().split('\n');
      expect(wide[0]).to.match(/^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES$/);
      expect(wide[1]).to.match(/^web\s+0\/2\s+\d+s\s+db\s+busybox:1\.37$/);
      expect(await ok(v, ['get', 'all', '-n', ns(v)])).to.contain('statefulset.apps/db');
      const resources = await ok(v, ['api-resources', '--api-group=apps', '--no-headers']);
      expect(resources).to.match(/^statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet$/m);
    }
  });

  it('describe sts', async () => {
    for (const v of versions) {
      const described = await ok(v, ['describe', 'sts', 'db', '-n', ns(v)]);
      expect(described).to.match(/^Name:\s+db$/m);
      expect(described).to.match(/^Selector:\s+app=db$/m);
      expect(described).to.match(/^Replicas:\s+2 desired \| 0 total$/m);
      expect(described).to.match(/^Update Strategy:\s+RollingUpdate$/m);
      expect(described).to.match(/^\s+Image:\s+busybox:1\.36$/m);
      expect(described).to.match(/^Volume Claims:\n\s+Name:\s+data$/m);
      expect(described).to.match(/^\s+Capacity:\s+1Gi$/m);
    }
  });

  it('scale sts: the scale subresource moves spec.replicas', async () => {
    for (const v of versions) {
      expect(await ok(v, ['scale', 'sts', 'db', '--replicas=5', '-n', ns(v)])).to.equal('statefulset.apps/db scaled\n');
      expect((await getJson(stsPath(v, 'db'))).spec).to.deep.include({ replicas: 5 });
      const scale = await getJson(`${stsPath(v, 'db')}/scale`);
      expect(scale).to.deep.include({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 5 }, status: { replicas: 0, selector: 'app=db' } });
      const negative = await run(v, ['scale', 'sts', 'db', '--replicas=-1', '-n', ns(v)]);
      expect(negative.code).to.not.equal(0);
    }
  });

  it('explain sts.spec', async () => {
    for (const v of versions) {
      const spec = await ok(v, ['explain', 'sts.spec']);
      expect(spec).to.contain('StatefulSet');
      expect(spec).to.match(/volumeClaimTemplates\s+<\[\]Object|volumeClaimTemplates\s+<\[\]PersistentVolumeClaim>/);
      expect(spec).to.match(/podManagementPolicy\s+<string>/);
    }
  });

  it('updates Kubernetes forbids: the claim templates, the selector, the service name', async () => {
    for (const v of versions) {
      const bigger = await run(v, ['apply', '-n', ns(v), '-f', '-'], manifest('web', 'busybox:1.37').replace('storage: 1Gi', 'storage: 2Gi'));
      expect(bigger.code).to.not.equal(0);
      expect(bigger.stderr).to.contain('The StatefulSet "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\', \'revisionHistoryLimit\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden');
      const renamed = await run(v, ['patch', 'sts', 'web', '-n', ns(v), '--type=merge', '-p', '{"spec":{"serviceName":"other"}}']);
      expect(renamed.code).to.not.equal(0);
      expect(renamed.stderr).to.contain('spec: Forbidden: updates to statefulset spec');
      // What may change does.
      expect(await ok(v, ['patch', 'sts', 'web', '-n', ns(v), '--type=merge', '-p', '{"spec":{"minReadySeconds":3,"updateStrategy":{"rollingUpdate":{"partition":1}}}}'])).to.equal('statefulset.apps/web patched\n');
    }
  });

  it('bad manifests: 422 with kubectl\'s "is invalid" and field paths', async () => {
    const cases: { name: string; yaml: string; want: string[] }[] = [
      {
        name: 'a selector that misses the template',
        yaml: manifest('bad1', 'busybox').replace('matchLabels: {app: bad1}', 'matchLabels: {app: other}'),
        want: ['The StatefulSet "bad1" is invalid: spec.template.metadata.labels: Invalid value: {"app":"bad1"}: `selector` does not match template `labels`'],
      },
      {
        name: 'no selector',
        yaml: manifest('bad2', 'busybox').replace('  selector:\n    matchLabels: {app: bad2}\n', ''),
        want: ['The StatefulSet "bad2" is invalid', 'spec.selector: Required value'],
      },
      {
        name: 'restartPolicy Never, an unknown policy, a negative partition',
        yaml: manifest('bad3', 'busybox', '  podManagementPolicy: Random\n  updateStrategy:\n    rollingUpdate: {partition: -1}\n').replace('      containers:', '      restartPolicy: Never\n      containers:'),
        want: [
          'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
          'spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\'',
          'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
        ],
      },
      {
        name: 'a claim template without a size or access modes',
        yaml: manifest('bad4', 'busybox').replace('      accessModes: [ReadWriteOnce]\n', '').replace('      resources:\n        requests: {storage: 1Gi}\n', '      resources: {}\n'),
        want: ['spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required', 'spec.volumeClaimTemplates[0].spec.resources[storage]: Required value'],
      },
    ];
    for (const v of versions) {
      for (const tc of cases) {
        const out = await run(v, ['create', '-n', ns(v), '-f', '-'], tc.yaml);
        expect(out.code, tc.name).to.not.equal(0);
        for (const w of tc.want) expect(out.stderr, `${tc.name} (kubectl 1.${v})`).to.contain(w);
      }
    }
  });

  it('the status subresource and deletion', async () => {
    const v = 33;
    const patched = await c.client.request('PATCH', `${stsPath(v, 'db')}/status`, { body: { status: { replicas: 2, readyReplicas: 2 } }, contentType: 'application/merge-patch+json' });
    expect(patched.status, patched.text).to.equal(200);
    const lines = (await ok(v, ['get', 'sts', 'db', '-n', ns(v), '--no-headers'])).trim();
    expect(lines).to.match(/^db\s+2\/5\s+\d+s$/);
    // The main resource ignores status; the status subresource ignores spec.
    const both = await c.client.request('PATCH', `${stsPath(v, 'db')}/status`, { body: { spec: { replicas: 9 } }, contentType: 'application/merge-patch+json' });
    expect(both.status, both.text).to.equal(200);
    expect((await getJson(stsPath(v, 'db'))).spec).to.deep.include({ replicas: 5 });
    expect(await ok(v, ['delete', 'sts', 'db', '-n', ns(v)])).to.equal('statefulset.apps "db" deleted\n');
  });
});
