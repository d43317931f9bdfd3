// The namespace controller (with the garbage collector and the ServiceAccount controller, as
// the controller manager runs them) against a real etcd and API server, driven by the real
// kubectl: `kubectl delete namespace` empties the namespace of every kind and then the
// namespace goes; while content remains (a finalizer, a pod its node agent has not yet
// stopped) the namespace stays Terminating and its conditions say what remains.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { NotFoundError } from '../../common/errors.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { eventually } from '../../common/testing/eventually.js';
import { makePod } from '../../common/testing/builders.js';
import { garbageCollectorControllerFactory } from '../garbagecollector/index.js';
import { runControllers, type RunningControllers } from '../garbagecollector/testRunner.js';
import { resourceOf } from '../garbagecollector/testObjects.js';
import { createWorkload, kubectl } from '../garbagecollector/workloadFixtures.js';
import { serviceAccountControllerFactory } from '../serviceaccount/index.js';
import type { NamespaceCondition } from './conditions.js';
import { namespaceControllerFactory } from './index.js';
import { apiFinalizer } from './namespaceController.js';

const ns = resourceOf('Namespace');
const pods = resourceOf('Pod');
const configMaps = resourceOf('ConfigMap');
const serviceAccounts = resourceOf('ServiceAccount');

describe('namespace controller integration (etcd + API server processes, kubectl 1.33)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let run: RunningControllers;

  before(async () => {
    c = await startProcessCluster();
    run = await runControllers(c.client, [garbageCollectorControllerFactory, namespaceControllerFactory, serviceAccountControllerFactory]);
  });
  after(async () => {
    await run?.stop();
    await c?.close();
  });

  const exists = async (name: string): Promise<KubeObject | undefined> => {
    try {
      return await run.api.get(ns, undefined, name);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };
  const conditions = (o: KubeObject | undefined): Record<string, NamespaceCondition> =>
    Object.fromEntries((((o?.status as { conditions?: NamespaceCondition[] } | undefined)?.conditions) ?? []).map((x) => [x.type, x]));
  const makeNamespace = async (name: string): Promise<void> => {
    await run.api.create(ns, undefined, { metadata: { name } });
    // The ServiceAccount controller gives it its default ServiceAccount.
    await eventually('the default ServiceAccount', async () => (await run.api.get(serviceAccounts, name, 'default')) ?? undefined, 20_000);
  };

  it('kubectl delete namespace removes configmaps, secrets, services, leases, pods, deployments... then the namespace', async () => {
    await makeNamespace('doomed');
    await run.api.create(configMaps, 'doomed', { metadata: { name: 'cfg' }, data: { a: '1' } });
    await run.api.create(resourceOf('Secret'), 'doomed', { metadata: { name: 's' }, stringData: { p: 'x' } });
    await run.api.create(resourceOf('Service'), 'doomed', { metadata: { name: 'svc' }, spec: { selector: { app: 'w' }, ports: [{ port: 80 }] } });
    await run.api.create(resourceOf('Lease'), 'doomed', { metadata: { name: 'l' }, spec: { holderIdentity: 'x' } });
    await createWorkload(run.api, 'doomed', 'w', 2);

    const out = await kubectl(c.kubeconfig, 'delete', 'namespace', 'doomed');
    expect(out.status, out.stderr).to.equal(0);
    expect(out.stdout).to.contain('namespace "doomed" deleted');
    expect(await exists('doomed')).to.equal(undefined);
    for (const plural of ['configmaps', 'secrets', 'services', 'pods', 'serviceaccounts', 'events']) {
      const got = await run.api.list(resourceOf(plural === 'events' ? 'Event' : kindOf(plural)), 'doomed');
      expect(got.items.map((i) => i.metadata.name), plural).to.deep.equal([]);
    }
    for (const r of [resourceOf('Deployment'), resourceOf('ReplicaSet'), resourceOf('Lease')]) {
      expect((await run.api.list(r, 'doomed')).items, r.plural).to.deep.equal([]);
    }
  });

  it('stays Terminating with conditions while content with finalizers remains, then goes', async () => {
    await makeNamespace('held');
    await run.api.create(configMaps, 'held', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await run.api.create(configMaps, 'held', { metadata: { name: 'free' } });
    const out = await kubectl(c.kubeconfig, 'delete', 'namespace', 'held', '--wait=false');
    expect(out.status, out.stderr).to.equal(0);

    const waiting = await eventually('the remaining-content conditions', async () => {
      const o = await exists('held');
      return conditions(o).NamespaceFinalizersRemaining?.status === 'True' ? o : undefined;
    }, 20_000);
    const cs = conditions(waiting);
    expect(cs.NamespaceContentRemaining).to.deep.include({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    expect(cs.NamespaceFinalizersRemaining).to.deep.include({ reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(cs.NamespaceDeletionContentFailure).to.deep.include({ status: 'False', reason: 'ContentDeleted' });
    expect((waiting.status as { phase?: string }).phase).to.equal('Terminating');
    expect((waiting.spec as { finalizers?: string[] }).finalizers).to.deep.equal(['kubernetes']);
    const shown = await kubectl(c.kubeconfig, 'get', 'namespace', 'held', '--no-headers');
    expect(shown.stdout).to.match(/^held\s+Terminating/);
    // Everything else is gone, and the default ServiceAccount is not made again.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await run.api.list(configMaps, 'held')).items.map((i) => i.metadata.name)).to.deep.equal(['held']);
    expect((await run.api.list(serviceAccounts, 'held')).items).to.deep.equal([]);

    await run.api.patch(configMaps, 'held', 'held', 'merge', { metadata: { finalizers: null } });
    await eventually('the namespace to go', async () => ((await exists('held')) ? undefined : true), 20_000);
  });

  it('PUT namespaces/{name}/finalize without `kubernetes` lets the API server remove the namespace', async () => {
    await makeNamespace('forced');
    await run.api.create(configMaps, 'forced', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    expect((await kubectl(c.kubeconfig, 'delete', 'namespace', 'forced', '--wait=false')).status).to.equal(0);
    const o = await eventually('the namespace to be terminating', async () => {
      const x = await exists('forced');
      return conditions(x).NamespaceContentRemaining?.status === 'True' ? x : undefined;
    }, 20_000);
    await apiFinalizer(run.api)(o, []);
    expect(await exists('forced')).to.equal(undefined);
    await run.api.patch(configMaps, 'forced', 'held', 'merge', { metadata: { finalizers: null } });
  });

  it('waits for pods until their node agent confirms they stopped', async () => {
    await makeNamespace('graceful');
    const pod = makePod().name('running').namespace('graceful').nodeName('n1').image('busybox:1').obj() as unknown as KubeObject;
    delete pod.metadata.uid;
    delete pod.status;
    (pod.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds = 30;
    await run.api.create(pods, 'graceful', pod);
    expect((await kubectl(c.kubeconfig, 'delete', 'namespace', 'graceful', '--wait=false')).status).to.equal(0);
    await eventually('the pod to be terminating', async () => ((await run.api.get(pods, 'graceful', 'running')).metadata.deletionTimestamp ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const o = await exists('graceful');
    expect(conditions(o).NamespaceContentRemaining?.message).to.equal('Some resources are remaining: pods. has 1 resource instances');
    // What the node agent does once the containers have stopped.
    await run.api.delete(pods, 'graceful', 'running', { gracePeriodSeconds: 0 });
    await eventually('the namespace to go', async () => ((await exists('graceful')) ? undefined : true), 30_000);
  });
});

function kindOf(plural: string): string {
  return { configmaps: 'ConfigMap', secrets: 'Secret', services: 'Service', pods: 'Pod', serviceaccounts: 'ServiceAccount' }[plural] ?? plural;
}
