// The garbage collector against a real etcd and API server (separate processes), driven by
// the real kubectl: `kubectl delete deployment` in the background, foreground and orphan
// cascade modes, and dangling owner references (owners that never existed, owners in
// another namespace, one of two owners gone).

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { NotFoundError } from '../../common/errors.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { eventually } from '../../common/testing/eventually.js';
import { makePod } from '../../common/testing/builders.js';
import type { GarbageCollector } from './garbageCollector.js';
import { garbageCollectorControllerFactory } from './index.js';
import { runControllers, type RunningControllers } from './testRunner.js';
import { resourceOf } from './testObjects.js';
import { createWorkload, gone, kubectl } from './workloadFixtures.js';

const pods = resourceOf('Pod');
const rsets = resourceOf('ReplicaSet');
const deployments = resourceOf('Deployment');
const configMaps = resourceOf('ConfigMap');
const namespaces = resourceOf('Namespace');

describe('garbage collector integration (etcd + API server processes, kubectl 1.33)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let run: RunningControllers;
  let gc: GarbageCollector;

  before(async () => {
    c = await startProcessCluster();
    run = await runControllers(c.client, [
      (ctx) => {
        const reg = garbageCollectorControllerFactory(ctx);
        gc = reg.reconciler as GarbageCollector;
        return reg;
      },
    ]);
  });
  after(async () => {
    await run?.stop();
    await c?.close();
  });

  const allGone = async (objs: KubeObject[]): Promise<true | undefined> => ((await Promise.all(objs.map((o) => gone(run.api, o)))).every(Boolean) ? true : undefined);

  it('kubectl delete deployment (background) removes its ReplicaSet and their pods', async () => {
    const w = await createWorkload(run.api, 'default', 'bg', 3);
    const out = await kubectl(c.kubeconfig, 'delete', 'deployment', 'bg');
    expect(out.status, out.stderr).to.equal(0);
    expect(out.stdout).to.contain('deployment.apps "bg" deleted');
    await eventually('the ReplicaSet and pods to be collected', () => allGone([w.replicaSet, ...w.pods]), 20_000);
  });

  it('--cascade=foreground keeps the owner until the blocking dependents are gone', async () => {
    // A finalizer on one pod holds it, and with it the foreground chain above it.
    const w = await createWorkload(run.api, 'default', 'fg', 2, ['example.com/hold']);
    const out = await kubectl(c.kubeconfig, 'delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false');
    expect(out.status, out.stderr).to.equal(0);
    // The ReplicaSet has dependents of its own, so it is deleted in the foreground too.
    const rs = await eventually('the ReplicaSet to be deleted in the foreground', async () => {
      const r = await run.api.get(rsets, 'default', 'fg-rs');
      return r.metadata.deletionTimestamp ? r : undefined;
    }, 20_000);
    expect(rs.metadata.finalizers).to.include('foregroundDeletion');
    await eventually('the pods to be marked for deletion', async () => {
      const p = await Promise.all(w.pods.map((x) => run.api.get(pods, 'default', x.metadata.name!)));
      return p.every((x) => x.metadata.deletionTimestamp) ? true : undefined;
    }, 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const d = await run.api.get(deployments, 'default', 'fg');
    expect(d.metadata.deletionTimestamp, 'the owner waits').to.be.a('string');
    expect(d.metadata.finalizers).to.deep.equal(['foregroundDeletion']);
    expect(await gone(run.api, w.replicaSet)).to.equal(false);

    for (const p of w.pods) await run.api.patch(pods, 'default', p.metadata.name!, 'merge', { metadata: { finalizers: null } });
    await eventually('pods, ReplicaSet and then the Deployment to go', () => allGone([...w.pods, w.replicaSet, w.deployment]), 20_000);
  });

  it('kubectl delete --cascade=foreground (waiting) returns once the dependents and then the owner are gone', async () => {
    const w = await createWorkload(run.api, 'default', 'fgwait', 2);
    const out = await kubectl(c.kubeconfig, 'delete', 'deployment', 'fgwait', '--cascade=foreground');
    expect(out.status, out.stderr).to.equal(0);
    // kubectl waited for the Deployment, which could only go after its dependents.
    for (const o of [w.deployment, w.replicaSet, ...w.pods]) expect(await gone(run.api, o), o.metadata.name).to.equal(true);
  });

  it('--cascade=orphan leaves the dependents without the owner reference', async () => {
    const w = await createWorkload(run.api, 'default', 'orph', 2);
    const out = await kubectl(c.kubeconfig, 'delete', 'deployment', 'orph', '--cascade=orphan');
    expect(out.status, out.stderr + out.stdout).to.equal(0);
    await eventually('the Deployment to go', () => allGone([w.deployment]), 20_000);
    const rs = await run.api.get(rsets, 'default', 'orph-rs');
    expect(rs.metadata.uid).to.equal(w.replicaSet.metadata.uid);
    expect(rs.metadata.ownerReferences ?? []).to.deep.equal([]);
    // The pods still belong to the ReplicaSet, which was not deleted.
    for (const p of w.pods) {
      const now = await run.api.get(pods, 'default', p.metadata.name!);
      expect(now.metadata.ownerReferences?.map((r) => r.uid)).to.deep.equal([rs.metadata.uid]);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await gone(run.api, w.replicaSet)).to.equal(false);
    // Cleaning up in the background: the pods follow their ReplicaSet.
    expect((await kubectl(c.kubeconfig, 'delete', 'replicaset', 'orph-rs')).status).to.equal(0);
    await eventually('the pods to be collected', () => allGone(w.pods), 20_000);
  });

  it('deletes an object whose only owner never existed (verified with a live GET)', async () => {
    const pod = makePod().name('dangling').image('busybox:1').obj() as unknown as KubeObject;
    delete pod.metadata.uid;
    delete pod.status;
    pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'never', uid: '9b1f3c5e-0000-4000-8000-000000000001', controller: true }];
    const created = await run.api.create(pods, 'default', pod);
    await eventually('the pod to be collected', () => allGone([created]), 20_000);
  });

  it('removes only the dangling reference when another owner is still there', async () => {
    const owner = await run.api.create<KubeObject>(configMaps, 'default', { metadata: { name: 'owner' } });
    const cm = await run.api.create<KubeObject>(configMaps, 'default', {
      metadata: {
        name: 'two-owners',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! },
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '9b1f3c5e-0000-4000-8000-000000000002' },
        ],
      },
    });
    await eventually('the dangling reference to be removed', async () => {
      const now = await run.api.get(configMaps, 'default', 'two-owners');
      return now.metadata.ownerReferences?.length === 1 ? now : undefined;
    }, 20_000);
    const now = await run.api.get(configMaps, 'default', 'two-owners');
    expect(now.metadata.uid).to.equal(cm.metadata.uid);
    expect(now.metadata.ownerReferences!.map((r) => r.name)).to.deep.equal(['owner']);
    // An owner of a kind this server does not serve is never taken for absent.
    const foreign = await run.api.create<KubeObject>(configMaps, 'default', { metadata: { name: 'foreign', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '9b1f3c5e-0000-4000-8000-000000000003' }] } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await gone(run.api, foreign)).to.equal(false);
  });

  it('an owner in another namespace is invalid: OwnerRefInvalidNamespace, and the dependent is collected', async () => {
    await run.api.create(namespaces, undefined, { metadata: { name: 'other' } });
    const rs = await run.api.create<KubeObject>(rsets, 'other', {
      metadata: { name: 'elsewhere' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } },
    });
    await eventually('the collector to observe the owner', async () => (gc.graph.get(rs.metadata.uid!)?.virtual === false ? true : undefined), 20_000);
    const cm = await run.api.create<KubeObject>(configMaps, 'default', { metadata: { name: 'cross-ns', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'elsewhere', uid: rs.metadata.uid! }] } });
    await eventually('the dependent to be collected', () => allGone([cm]), 20_000);
    const events = await eventually('the OwnerRefInvalidNamespace event', async () => {
      const list = await run.api.list(resourceOf('Event'), 'default', { fieldSelector: 'involvedObject.name=cross-ns' });
      return list.items.find((e) => e.reason === 'OwnerRefInvalidNamespace');
    }, 20_000);
    expect(events.type).to.equal('Warning');
    expect(String(events.message)).to.contain(`does not exist in namespace "default"`);
    // The owner itself is untouched.
    expect((await run.api.get(rsets, 'other', 'elsewhere')).metadata.uid).to.equal(rs.metadata.uid);
  });

  it('an object with a live owner is left alone', async () => {
    const w = await createWorkload(run.api, 'default', 'kept', 1);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const o of [w.deployment, w.replicaSet, ...w.pods]) expect(await gone(run.api, o), o.metadata.name).to.equal(false);
    await run.api.delete(deployments, 'default', 'kept', { propagationPolicy: 'Background' }).catch((e: unknown) => {
      if (!(e instanceof NotFoundError)) throw e;
    });
    await eventually('cleanup', () => allGone([w.replicaSet, ...w.pods]), 20_000);
  });
});
