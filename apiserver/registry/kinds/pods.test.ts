// Pod updates: what may change in a pod's spec (the table), and, against a real etcd and
// API server driven by the real kubectl, that the shortcuts taken for unchanged specs
// (status writes) never let a spec change through: a status write that carries one has it
// ignored, a main-resource write that carries one is refused.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../../common/api/meta.js';
import { kubectl } from '../../../common/testing/kubectl.js';
import { suiteTestCluster } from '../../testing/suiteCluster.js';
import { podStrategy } from './pods.js';

const spec = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  containers: [{ name: 'c', image: 'busybox:1', command: ['sleep', '1'] }],
  restartPolicy: 'Always',
  tolerations: [{ key: 'a', operator: 'Exists' }],
  ...over,
});
const pod = (s: Record<string, unknown>, status: Record<string, unknown> = { phase: 'Pending' }): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec: s, status });

describe('pod spec updates (podStrategy.validateUpdate)', () => {
  const cases: { name: string; old: Record<string, unknown>; next: Record<string, unknown>; forbidden: boolean }[] = [
    { name: 'unchanged spec (a status write)', old: spec(), next: spec(), forbidden: false },
    { name: 'unchanged spec with an empty nodeName', old: spec({ nodeName: '' }), next: spec({ nodeName: '' }), forbidden: false },
    { name: 'a new image', old: spec(), next: spec({ containers: [{ name: 'c', image: 'busybox:2', command: ['sleep', '1'] }] }), forbidden: false },
    { name: 'activeDeadlineSeconds and tolerations', old: spec(), next: spec({ activeDeadlineSeconds: 5, tolerations: [] }), forbidden: false },
    { name: 'binding sets nodeName once', old: spec(), next: spec({ nodeName: 'n1' }), forbidden: false },
    { name: 'nodeName changed after binding', old: spec({ nodeName: 'n1' }), next: spec({ nodeName: 'n2' }), forbidden: true },
    { name: 'a container command', old: spec(), next: spec({ containers: [{ name: 'c', image: 'busybox:1', command: ['sleep', '2'] }] }), forbidden: true },
    { name: 'a field added', old: spec(), next: spec({ hostNetwork: true }), forbidden: true },
    { name: 'a field removed', old: spec(), next: (({ restartPolicy: _r, ...rest }) => rest)(spec()), forbidden: true },
    { name: 'the same values in another member order', old: spec(), next: { tolerations: spec().tolerations, restartPolicy: 'Always', containers: spec().containers }, forbidden: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const causes = podStrategy.validateUpdate!(pod(tc.next, { phase: 'Running' }), pod(tc.old));
      expect(causes.map((c) => [c.reason, c.field])).to.deep.equal(tc.forbidden ? [['FieldValueForbidden', 'spec']] : []);
    });
  }
});

describe('pod status writes keep the spec (real etcd, kubectl)', function () {
  this.timeout(60_000);
  const c = suiteTestCluster();
  let cacheDir: string;
  before(() => (cacheDir = fs.mkdtempSync(path.join(c.dir, 'kubectl-cache-'))));

  const k = (...args: string[]): ReturnType<typeof kubectl> => kubectl(c.kubeconfig, cacheDir, args);
  const getPod = async (name: string): Promise<KubeObject> => {
    const out = await k('get', 'pod', name, '-o', 'json');
    expect(out.code, out.stderr).to.equal(0);
    return JSON.parse(out.stdout) as KubeObject;
  };

  it('kubectl patch --subresource=status with a spec change: the status is written, the spec change ignored', async () => {
    const created = await k('run', 'sneaky', '--image=busybox:1', '--restart=Never', '--command', '--', 'sleep', '1');
    expect(created.code, created.stderr).to.equal(0);
    const before = await getPod('sneaky');
    const patch = { status: { phase: 'Running', podIP: '10.1.2.3' }, spec: { containers: [{ name: 'sneaky', image: 'busybox:1', command: ['sh', '-c', 'evil'] }], hostNetwork: true } };
    const out = await k('patch', 'pod', 'sneaky', '--subresource=status', '--type=merge', '-p', JSON.stringify(patch), '-o', 'json');
    expect(out.code, out.stderr).to.equal(0);
    const after = await getPod('sneaky');
    expect(after.status).to.include({ phase: 'Running', podIP: '10.1.2.3' });
    expect(after.spec, 'spec as before').to.deep.equal(before.spec);
    expect(after.metadata.resourceVersion).to.not.equal(before.metadata.resourceVersion);
    // A status write that carries nothing else (what node agents send).
    const plain = await k('patch', 'pod', 'sneaky', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Succeeded' } }));
    expect(plain.code, plain.stderr).to.equal(0);
    const last = await getPod('sneaky');
    expect(last.status).to.include({ phase: 'Succeeded', podIP: '10.1.2.3' });
    expect(last.spec).to.deep.equal(before.spec);
    const cached = await c.client.request<KubeObject>('GET', '/api/v1/namespaces/default/pods/sneaky', { query: { resourceVersion: '0' } });
    const { managedFields, ...meta } = cached.body.metadata;
    expect(managedFields?.map((f) => f.subresource ?? '')).to.include('status');
    // The watch cache's copy (resourceVersion=0) is the same object as etcd's.
    expect({ ...cached.body, metadata: meta }, 'kubectl shows no managedFields').to.deep.equal(last);
  });

  it('kubectl patch with a spec change on the main resource: refused, naming spec', async () => {
    const created = await k('run', 'fixed', '--image=busybox:1', '--restart=Never', '--command', '--', 'sleep', '1');
    expect(created.code, created.stderr).to.equal(0);
    const out = await k('patch', 'pod', 'fixed', '--type=merge', '-p', JSON.stringify({ spec: { hostNetwork: true } }));
    expect(out.code).to.not.equal(0);
    expect(out.stderr).to.match(/is invalid: spec: Forbidden: pod updates may not change fields/);
    const image = await k('set', 'image', 'pod/fixed', 'fixed=busybox:2');
    expect(image.code, image.stderr).to.equal(0);
    expect(((await getPod('fixed')).spec as { containers: { image: string }[] }).containers[0]!.image).to.equal('busybox:2');
  });
});
