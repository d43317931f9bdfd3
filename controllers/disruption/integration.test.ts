// The disruption controller and the budget-aware eviction subresource against a real etcd
// and API server (processes), with the ReplicaSet and disruption controllers in-process under
// the controller manager's identity. The pods' template names the node (no scheduler); a tiny
// in-test "kubelet" marks pods Running and Ready. Then: concurrent evictions never spend more
// than the budget allows, and the real kubectl 1.33's drain waits on the budget and proceeds
// once a replacement is Ready.

import path from 'node:path';
import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { ApiClient } from '../../common/client/apiClient.js';
import { ApiError } from '../../common/errors.js';
import { makeNode } from '../../common/testing/builders.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { eventually } from '../../common/testing/eventually.js';
import { kubectlBinary, runKubectl } from '../../common/testing/kubectl.js';
import type { ControllerManagerApp } from '../app.js';
import { isPodReady } from '../replicaset/podState.js';
import { replicaSetControllerFactory } from '../replicaset/index.js';
import { controllerManagerUser } from '../testing/controllerManagerProcess.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet } from '../testing/tinyKubelet.js';
import { podDisruptionBudgetsResource } from './controller.js';
import { disruptionControllerFactory } from './index.js';

const pods = resourceFor('Pod', '');
const replicaSets = resourceFor('ReplicaSet', 'apps');
const nodes = resourceFor('Node', '');
type Obj = Record<string, unknown>;

describe('disruption controller and evictions (etcd + API server processes, controller manager in-process)', function () {
  this.timeout(240_000);
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp;
  let kubelet: TinyKubelet;

  const livePods = async (ns: string): Promise<KubeObject[]> => (await admin.list(pods, ns)).items.filter((p) => !p.metadata.deletionTimestamp);
  const status = async (ns: string): Promise<Obj> => (await admin.get(podDisruptionBudgetsResource, ns, 'web')).status as Obj;
  const setUp = async (ns: string, node: string, replicas: number, pdbSpec: Obj): Promise<void> => {
    await createNamespace(admin, ns);
    await admin.create(replicaSets, ns, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: ns },
      spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { nodeName: node, containers: [{ name: 'w', image: 'busybox:1.36' }] } } },
    });
    await admin.create(podDisruptionBudgetsResource, ns, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: ns }, spec: { selector: { matchLabels: { app: 'web' } }, ...pdbSpec } });
    await eventually('the budget counted the ready pods', async () => {
      const s = await status(ns);
      return s.currentHealthy === replicas && s.observedGeneration === 1 ? s : undefined;
    }, 60_000);
  };

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    kubelet = new TinyKubelet(admin);
    kubelet.start();
    app = await startTestManager({ kubeconfig: harness.cluster.kubeconfig, client: harness.client, registry: { replicaset: replicaSetControllerFactory, disruption: disruptionControllerFactory } });
  });
  after(async () => {
    await app?.stop();
    await kubelet?.stop();
    await harness?.close();
  });

  it('status from the ReplicaSet\'s scale; eight concurrent evictions spend exactly the two allowed, the rest get 429', async () => {
    const ns = 'pdb-race';
    await admin.create(nodes, undefined, makeNode().name('race').obj() as unknown as KubeObject);
    await setUp(ns, 'race', 5, { maxUnavailable: '40%' });
    const s = await status(ns);
    expect({ expected: s.expectedPods, desired: s.desiredHealthy, allowed: s.disruptionsAllowed }).to.deep.equal({ expected: 5, desired: 3, allowed: 2 });
    expect((s.conditions as Obj[])[0]).to.include({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' });

    const original = await livePods(ns);
    const victims = original.slice(0, 4).map((p) => p.metadata.name!);
    // Replacements never become Ready here, so nothing replenishes the allowance during the race.
    const originalNames = new Set(original.map((p) => p.metadata.name));
    kubelet.ready = (p) => p.metadata.namespace !== ns || originalNames.has(p.metadata.name);
    // Each pod twice: eight requests racing for two allowances.
    const results = await Promise.allSettled([...victims, ...victims].map((name) => admin.createSubresource(pods, ns, name, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } })));
    const evicted = new Set(victims.filter((_n, i) => results[i]!.status === 'fulfilled' || results[i + victims.length]!.status === 'fulfilled'));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as ApiError);
    // A second eviction of a pod already terminating succeeds without spending anything, as upstream.
    expect(evicted.size, 'exactly the allowance of distinct pods').to.equal(2);
    const live = new Set((await livePods(ns)).map((p) => p.metadata.name));
    expect(victims.filter((v) => !live.has(v)).sort(), 'the evicted ones, and only they, are going').to.deep.equal([...evicted].sort());
    for (const e of refused) {
      // The other copy of an evicted pod may find it being deleted (taking nothing) or gone (404).
      if (e.code === 404) continue;
      expect(e.code, e.message).to.equal(429);
      expect(e.message).to.equal('Cannot evict pod as it would violate the pod\'s disruption budget.');
    }
    const after = await eventually('the controller recounted', async () => {
      const st = await status(ns);
      return st.currentHealthy === 3 ? st : undefined;
    }, 30_000);
    expect(after.disruptionsAllowed).to.equal(0);
    kubelet.ready = () => true;
  });

  it('kubectl 1.33 drain waits on the budget ("will retry after 5s") and finishes once a replacement is Ready', async () => {
    const ns = 'pdb-drain';
    await admin.create(nodes, undefined, makeNode().name('n1').obj() as unknown as KubeObject);
    await setUp(ns, 'n1', 2, { minAvailable: 2 });
    expect((await status(ns)).disruptionsAllowed).to.equal(0);
    const drain = runKubectl(harness.cluster.kubeconfig, path.join(harness.cluster.dir, 'kubectl-cache'), ['drain', 'n1', '--grace-period=0', '--timeout=120s'], { binary: kubectlBinary(33), timeoutMs: 150_000 });
    // kubectl prints the refusals on stderr; once it has tried (it cordons first), it waits 5 s between tries.
    await eventually('drain cordoned and tried to evict', async () => (drain.stdout().includes('evicting pod') ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 6_000));
    const node = await admin.get(nodes, undefined, 'n1');
    expect((node.spec as Obj).unschedulable, 'cordoned first').to.equal(true);
    expect((await livePods(ns)).length, 'nothing evicted while the budget refuses').to.equal(2);
    // More replicas: the budget allows one disruption at a time, and replacements keep it so.
    await admin.patch(replicaSets, ns, 'web', 'merge', { spec: { replicas: 3 } });
    const r = await drain.done;
    expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
    expect(r.stderr).to.match(/error when evicting pods\/"web-[a-z0-9]+" -n "pdb-drain" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    expect(r.stdout).to.include('node/n1 drained');
    const left = await livePods(ns);
    expect(left.filter((p) => isPodReady(p as never)).length, 'the budget held: at least two ready').to.be.at.least(2);
  });
});
