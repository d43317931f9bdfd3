// A Deployment's whole life on `gantry up`, with real containers and the real kubectl:
// apply the example web application, wait for the rollout, read the page a container
// serves, roll out v2 with `set image`, read the history, roll back, scale, and delete
// (the garbage collector removes the ReplicaSets and pods). Every wait is kubectl's own
// (rollout status, wait --for=delete), bounded by a timeout: no sleeps.

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kubectl } from '../common/testing/kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webManifest = path.join(repoRoot, 'manifests/examples/web.yaml');

/** One pod of `kubectl get pods -o json`, the fields this test reads. */
interface PodView {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> };
  spec: { containers: Array<{ image: string }>; nodeName?: string };
  status: { phase?: string; containerStatuses?: Array<{ ready: boolean; containerID?: string; state?: { running?: unknown } }> };
}

describe('e2e: a Deployment with real containers (apply, rollout, set image, undo, scale, delete)', function () {
  this.timeout(90_000);
  let cluster: TestCluster | undefined;
  let kubectl: Kubectl;

  /** kubectl that must succeed; returns stdout. */
  const ok = async (args: string[], timeoutMs = 60_000): Promise<string> => {
    const r = await kubectl(args, { timeoutMs });
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  };

  /** `rollout status` until the Deployment is fully rolled out (kubectl watches; no polling here). */
  const rolledOut = async (): Promise<void> => {
    const out = await ok(['rollout', 'status', 'deployment/web', '--timeout=75s'], 80_000);
    expect(out).to.contain('deployment "web" successfully rolled out');
  };

  const webPods = async (): Promise<PodView[]> => (JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: PodView[] }).items;

  /** The page served on port 8080 inside a Running, not terminating pod of `image`, read by exec. */
  const servedPage = async (image: string): Promise<string> => {
    const pod = (await webPods()).find((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running' && p.spec.containers[0]!.image === image);
    expect(pod, `a Running pod of ${image}`).to.not.equal(undefined);
    return (await ok(['exec', pod!.metadata.name, '--', 'wget', '-qO-', 'http://127.0.0.1:8080/'])).trim();
  };

  before(async function () {
    // `up` builds the registry's images and waits for this machine's node.
    this.timeout(180_000);
    // Two API server processes: the controllers, scheduler and agents watch and write through
    // whichever worker their connections reach.
    cluster = await upForTests('gantry-e2e-deploy', { apiServerWorkers: 2 });
    kubectl = cluster.kubectl();
  });

  it('runs two API server workers, each with its identity Lease', async () => {
    const names = (await ok(['get', 'leases', '-n', 'kube-system', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver', '-o', 'name'])).trim().split('\n').sort();
    expect(names.map((n) => n.slice(-3))).to.deep.equal(['-w0', '-w1']);
  });

  after(async function () {
    this.timeout(120_000);
    await cluster?.down({ homeRemoved: true });
  });

  it('apply of the example goes to 3/3 with real containers serving v1', async () => {
    const out = await ok(['apply', '-f', webManifest]);
    expect(out).to.contain('deployment.apps/web created');
    await rolledOut();
    const ready = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}/{.spec.replicas} {.status.availableReplicas}']);
    expect(ready).to.equal('3/3 3');
    const running = (await webPods()).filter((p) => !p.metadata.deletionTimestamp);
    expect(running).to.have.length(3);
    for (const p of running) {
      expect(p.status.phase, p.metadata.name).to.equal('Running');
      expect(p.spec.nodeName, p.metadata.name).to.be.a('string').and.not.equal('');
      const c = p.status.containerStatuses?.[0];
      expect(c?.ready, p.metadata.name).to.equal(true);
      expect(c?.state?.running, p.metadata.name).to.not.equal(undefined);
      expect(c?.containerID, p.metadata.name).to.match(/^\w+:\/\/[0-9a-z]+/);
      // Owned by a ReplicaSet of the Deployment, named after the template's hash.
      expect(p.metadata.ownerReferences?.[0]?.kind).to.equal('ReplicaSet');
      expect(p.metadata.ownerReferences?.[0]?.name).to.equal(`web-${p.metadata.labels?.['pod-template-hash']}`);
    }
    expect(await servedPage('gantry/web:v1')).to.equal('gantry web v1');
  });

  it('set image rolls out v2 and the new pods serve it', async () => {
    const out = await ok(['set', 'image', 'deployment/web', 'web=gantry/web:v2']);
    expect(out).to.contain('deployment.apps/web image updated');
    await rolledOut();
    const current = (await webPods()).filter((p) => !p.metadata.deletionTimestamp);
    expect(current.map((p) => p.spec.containers[0]!.image)).to.deep.equal(['gantry/web:v2', 'gantry/web:v2', 'gantry/web:v2']);
    expect(await servedPage('gantry/web:v2')).to.equal('gantry web v2');
    // Two ReplicaSets: the new one holds every replica, the old one is scaled to zero and kept for rollback.
    const rs = await ok(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.template.spec.containers[0].image}={.spec.replicas}{"\\n"}{end}']);
    expect(rs.trim().split('\n').sort()).to.deep.equal(['gantry/web:v1=0', 'gantry/web:v2=3']);
  });

  it('rollout history lists both revisions', async () => {
    const out = await ok(['rollout', 'history', 'deployment/web']);
    expect(out).to.match(/^REVISION\s+CHANGE-CAUSE/m);
    const revisions = [...out.matchAll(/^(\d+)\s/gm)].map((m) => m[1]);
    expect(revisions).to.deep.equal(['1', '2']);
    const v2 = await ok(['rollout', 'history', 'deployment/web', '--revision=2']);
    expect(v2).to.contain('gantry/web:v2');
  });

  it('rollout undo brings v1 back as revision 3', async () => {
    const out = await ok(['rollout', 'undo', 'deployment/web']);
    expect(out).to.contain('deployment.apps/web rolled back');
    await rolledOut();
    expect(await servedPage('gantry/web:v1')).to.equal('gantry web v1');
    const history = await ok(['rollout', 'history', 'deployment/web']);
    expect([...history.matchAll(/^(\d+)\s/gm)].map((m) => m[1])).to.deep.equal(['2', '3']);
    // The v1 ReplicaSet was reused, not copied: still two ReplicaSets.
    const rs = await ok(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.template.spec.containers[0].image}={.spec.replicas}{"\\n"}{end}']);
    expect(rs.trim().split('\n').sort()).to.deep.equal(['gantry/web:v1=3', 'gantry/web:v2=0']);
  });

  it('scale --replicas=4 adds a fourth running container', async () => {
    const out = await ok(['scale', 'deployment/web', '--replicas=4']);
    expect(out).to.contain('deployment.apps/web scaled');
    await rolledOut();
    const ready = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}/{.spec.replicas}']);
    expect(ready).to.equal('4/4');
    const running = (await webPods()).filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running');
    expect(running).to.have.length(4);
  });

  it('delete deployment removes its ReplicaSets and pods (garbage collector)', async () => {
    const rsNames = (await ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().split('\n');
    expect(rsNames).to.have.length(2);
    const podNames = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'name'])).trim().split('\n');
    const out = await ok(['delete', 'deployment', 'web']);
    expect(out).to.contain('deployment.apps "web" deleted');
    // kubectl watches each named object until it is gone.
    await ok(['wait', '--for=delete', ...rsNames, '--timeout=30s'], 40_000);
    await ok(['wait', '--for=delete', ...podNames, '--timeout=60s'], 70_000);
    expect((await ok(['get', 'rs,pods', '-l', 'app=web', '-o', 'name'])).trim()).to.equal('');
  });
});
