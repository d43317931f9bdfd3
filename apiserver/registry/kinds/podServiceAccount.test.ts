// Pods and their ServiceAccount against a real etcd and API server, driven by the real
// kubectl: a pod that names no account runs as `default` (serviceAccountName and the
// deprecated serviceAccount, as Kubernetes' admission and conversion write them), one that
// names an account keeps it, and a pod is not refused because its account does not exist
// (yet): the ServiceAccount controller creates `default` shortly after the namespace.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../../common/api/meta.js';
import { kubectl } from '../../../common/testing/kubectl.js';
import { suiteTestCluster } from '../../testing/suiteCluster.js';

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
}

describe('pod ServiceAccount defaults (real etcd, kubectl)', function () {
  this.timeout(60_000);
  const c = suiteTestCluster();
  let cacheDir: string;
  before(() => (cacheDir = fs.mkdtempSync(path.join(c.dir, 'kubectl-cache-'))));

  const k = async (...args: string[]): Promise<string> => {
    const out = await kubectl(c.kubeconfig, cacheDir, args);
    expect(out.code, `kubectl ${args.join(' ')}: ${out.stderr}`).to.equal(0);
    return out.stdout;
  };

  it('kubectl run right after kubectl create namespace: the pod runs as default, not refused', async () => {
    await k('create', 'namespace', 'fresh');
    await k('run', 'web', '-n', 'fresh', '--image=busybox:1', '--restart=Never');
    const spec = JSON.parse(await k('get', 'pod', 'web', '-n', 'fresh', '-o', 'jsonpath={.spec}')) as PodSpec;
    expect({ name: spec.serviceAccountName, deprecated: spec.serviceAccount }).to.deep.equal({ name: 'default', deprecated: 'default' });
    // The field selector kubectl and controllers use sees it too.
    const names = await k('get', 'pods', '-n', 'fresh', '--field-selector', 'spec.serviceAccountName=default', '-o', 'name');
    expect(names.trim()).to.equal('pod/web');
  });

  const cases: { name: string; spec: PodSpec; want: PodSpec }[] = [
    { name: 'a named account is kept and mirrored', spec: { serviceAccountName: 'builder' }, want: { serviceAccountName: 'builder', serviceAccount: 'builder' } },
    { name: 'the deprecated field alone names the account', spec: { serviceAccount: 'legacy' }, want: { serviceAccountName: 'legacy', serviceAccount: 'legacy' } },
  ];
  for (const tc of cases) {
    it(`kubectl create -f: ${tc.name}`, async () => {
      const name = `sa-${tc.want.serviceAccountName}`;
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { ...tc.spec, containers: [{ name: 'c', image: 'busybox:1' }] } };
      const out = await kubectl(c.kubeconfig, cacheDir, ['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(pod) });
      expect(out.code, out.stderr).to.equal(0);
      const spec = (JSON.parse(out.stdout) as KubeObject).spec as PodSpec;
      expect({ serviceAccountName: spec.serviceAccountName, serviceAccount: spec.serviceAccount }).to.deep.equal(tc.want);
    });
  }

  it('a label change of a defaulted pod is accepted (the spec stays as admitted)', async () => {
    await k('label', 'pod', 'web', '-n', 'fresh', 'tier=front');
    const spec = JSON.parse(await k('get', 'pod', 'web', '-n', 'fresh', '-o', 'jsonpath={.spec}')) as PodSpec;
    expect(spec.serviceAccountName).to.equal('default');
  });

  it('a Deployment template names no account (its pods get `default` when created)', async () => {
    await k('create', 'deployment', 'd', '--image=busybox:1');
    const spec = JSON.parse(await k('get', 'deployment', 'd', '-o', 'jsonpath={.spec.template.spec}')) as PodSpec;
    expect(spec.serviceAccountName).to.equal(undefined);
    expect(spec.serviceAccount).to.equal(undefined);
  });
});
