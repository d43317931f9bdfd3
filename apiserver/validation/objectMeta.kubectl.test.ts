// Label and annotation keys checked on every write through the real API server: a merge patch
// or an apply cannot store what a create may not.

import { expect } from 'chai';
import path from 'node:path';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { kubectl, kubectlBinary, showRun, type KubectlResult } from '../../common/testing/kubectl.js';

describe('labels and annotations validated on every write (real kubectl 1.33)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  const k = (args: string[], input?: string): Promise<KubectlResult> => kubectl(c.kubeconfig, path.join(c.dir, 'cache'), args, { input, binary: kubectlBinary(33) });
  const configMap = (labels: Record<string, string>): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'labelled', labels }, data: { a: '1' } });

  before(async () => {
    c = await startProcessCluster();
  });
  after(async () => {
    await c?.close();
  });

  it('create, merge patch, strategic patch and apply with a bad label key or value get 422 naming metadata.labels; the object keeps its labels', async () => {
    const created = await k(['create', '-f', '-'], configMap({ 'bad key': '1' }));
    expect(created.code, showRun(created)).to.equal(1);
    expect(created.stderr).to.contain('ConfigMap "labelled" is invalid: metadata.labels: Invalid value: "bad key"');

    const ok = await k(['create', '-f', '-'], configMap({ app: 'web' }));
    expect(ok.code, showRun(ok)).to.equal(0);
    const attempts: { args: string[]; input?: string; says: string }[] = [
      { args: ['patch', 'configmap', 'labelled', '--type=merge', '-p', '{"metadata":{"labels":{"bad key":"1"}}}'], says: 'metadata.labels: Invalid value: "bad key"' },
      { args: ['patch', 'configmap', 'labelled', '-p', '{"metadata":{"labels":{"app":"my web"}}}'], says: 'metadata.labels: Invalid value: "my web"' },
      { args: ['patch', 'configmap', 'labelled', '--type=merge', '-p', '{"metadata":{"annotations":{"a b":"x"}}}'], says: 'metadata.annotations: Invalid value: "a b"' },
      { args: ['apply', '--server-side', '-f', '-'], input: configMap({ 'x/y/z': '1' }), says: 'metadata.labels: Invalid value: "x/y/z"' },
    ];
    for (const a of attempts) {
      const r = await k(a.args, a.input);
      expect(r.code, showRun(r)).to.equal(1);
      expect(r.stderr, a.args.join(' ')).to.contain(a.says);
    }
    const labels = await k(['get', 'configmap', 'labelled', '-o', 'jsonpath={.metadata.labels}']);
    expect(JSON.parse(labels.stdout)).to.deep.equal({ app: 'web' });
  });
});
