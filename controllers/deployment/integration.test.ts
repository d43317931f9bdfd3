// The Deployment controller against a real etcd and API server (separate processes), with the
// real ReplicaSet controller under the real Manager and a tiny in-test kubelet that marks pods
// Ready. Rolling updates are checked over the recorded pod watch stream at every step; users'
// commands go through the real kubectl (1.33 and 1.27).

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { controllerOf } from '../../common/api/ownerRefs.js';
import { resourceFor } from '../../common/api/resources.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { eventually } from '../../common/testing/eventually.js';
import { deploymentComplete, getCondition } from './conditions.js';
import { deploymentManifest, kubectlFor, PodStreamRecorder, startControllers, startFakeKubelet, type FakeKubelet, type Kubectl, type RunningControllers } from './testHarness.js';
import { annotations, deploymentsResource, replicaSetsResource, wasAvailableLabel, type Deployment, type ReplicaSet } from './types.js';

const eventsResource = resourceFor('Event');

describe('deployment controller integration (etcd + API server processes, real kubectl)', function () {
  this.timeout(180_000);
  let c: ProcessCluster;
  let run: RunningControllers;
  let kubelet: FakeKubelet;
  let kubectl: Kubectl;

  before(async () => {
    c = await startProcessCluster();
    run = await startControllers(c.client);
    kubelet = startFakeKubelet(c.client, run.api);
    kubectl = kubectlFor(c.kubeconfig);
  });
  after(async () => {
    await kubelet?.stop();
    await run?.stop();
    kubectl?.cleanup();
    await c?.close();
  });

  const getDeployment = (name: string): Promise<Deployment> => run.api.get<Deployment>(deploymentsResource, 'default', name);
  const replicaSetsOf = async (d: Deployment): Promise<ReplicaSet[]> =>
    (await run.api.list<ReplicaSet>(replicaSetsResource, 'default')).items.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
  const create = async (d: Deployment): Promise<Deployment> => run.api.create<Deployment>(deploymentsResource, 'default', d);
  const complete = (name: string, timeoutMs = 30_000): Promise<Deployment> =>
    eventually(`deployment ${name} to complete`, async () => {
      const d = await getDeployment(name);
      return d.status && deploymentComplete(d, d.status) ? d : undefined;
    }, timeoutMs);
  const imageOf = (obj: { spec: { template?: { spec?: Record<string, unknown> } } }): string | undefined =>
    (obj.spec.template?.spec?.containers as { image?: string }[] | undefined)?.[0]?.image;
  const eventsOf = async (name: string): Promise<{ reason?: string; message?: string; type?: string }[]> =>
    (await run.api.list<KubeObject>(eventsResource, 'default', { fieldSelector: `involvedObject.name=${name}` })).items as unknown as { reason?: string; message?: string; type?: string }[];

  it('creates one ReplicaSet per template with pod-template-hash and revision 1; rollout status and wait --for=condition=Available finish (1.33, 1.27)', async () => {
    await create(deploymentManifest('first', 'web:1'));
    for (const v of ['1.33', '1.27']) {
      const st = await kubectl(v, 'rollout', 'status', 'deployment/first', '--timeout=60s');
      expect(st.code, st.stderr).to.equal(0);
      expect(st.stdout).to.contain('deployment "first" successfully rolled out');
      const w = await kubectl(v, 'wait', '--for=condition=Available', 'deployment/first', '--timeout=60s');
      expect(w.code, w.stderr).to.equal(0);
      expect(w.stdout).to.contain('deployment.apps/first condition met');
    }
    const d = await getDeployment('first');
    const rss = await replicaSetsOf(d);
    expect(rss).to.have.length(1);
    const rs = rss[0]!;
    const hash = rs.metadata.labels?.['pod-template-hash'];
    expect(hash).to.match(/^[a-z0-9]{1,63}$/);
    expect(rs.metadata.name).to.equal(`first-${hash}`);
    expect(rs.spec.selector?.matchLabels).to.deep.equal({ app: 'first', 'pod-template-hash': hash });
    expect(rs.metadata.annotations?.[annotations.revision]).to.equal('1');
    expect(d.metadata.annotations?.[annotations.revision]).to.equal('1');
    expect(d.status).to.include({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: d.metadata.generation });
    expect(getCondition(d.status, 'Available')).to.include({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(getCondition(d.status, 'Progressing')).to.include({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const get = await kubectl('1.33', 'get', 'deployment', 'first');
    expect(get.stdout).to.match(/first\s+3\/3\s+3\s+3/);
  });

  const rollingCases: { name: string; replicas: number; maxSurge: number | string; maxUnavailable: number | string; surge: number; unavailable: number }[] = [
    { name: 'roll-a', replicas: 4, maxSurge: 1, maxUnavailable: 1, surge: 1, unavailable: 1 },
    { name: 'roll-b', replicas: 4, maxSurge: 0, maxUnavailable: '25%', surge: 0, unavailable: 1 },
    { name: 'roll-c', replicas: 3, maxSurge: '50%', maxUnavailable: 0, surge: 2, unavailable: 0 },
    { name: 'roll-d', replicas: 5, maxSurge: '25%', maxUnavailable: '25%', surge: 2, unavailable: 1 },
  ];
  for (const tc of rollingCases) {
    it(`a rolling update (replicas ${tc.replicas}, maxSurge ${tc.maxSurge}, maxUnavailable ${tc.maxUnavailable}) stays within ${tc.replicas + tc.surge} pods and ${tc.replicas - tc.unavailable} ready at every step`, async () => {
      await create(deploymentManifest(tc.name, 'web:1', { replicas: tc.replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: tc.maxSurge, maxUnavailable: tc.maxUnavailable } } }));
      await complete(tc.name);
      const rec = new PodStreamRecorder(c.client, 'default', `app=${tc.name}`);
      await rec.start();
      try {
        const set = await kubectl('1.33', 'set', 'image', `deployment/${tc.name}`, 'app=web:2');
        expect(set.code, set.stderr).to.equal(0);
        const st = await kubectl('1.33', 'rollout', 'status', `deployment/${tc.name}`, '--timeout=90s');
        expect(st.code, st.stderr).to.equal(0);
        await eventually('the last old pod to be gone from the stream', async () => (rec.snapshots.at(-1)?.byHash.size === 1 && rec.snapshots.at(-1)?.ready === tc.replicas ? true : undefined), 20_000);
      } finally {
        await rec.stop();
      }
      expect(rec.snapshots.length).to.be.greaterThan(2 * tc.replicas);
      let mixed = 0;
      for (const [i, s] of rec.snapshots.entries()) {
        expect(s.total, `step ${i}: pods`).to.be.at.most(tc.replicas + tc.surge);
        expect(s.ready, `step ${i}: ready pods`).to.be.at.least(tc.replicas - tc.unavailable);
        if (s.byHash.size > 1) mixed++;
      }
      expect(mixed, 'old and new pods served side by side during the rollout').to.be.greaterThan(0);
      const d = await getDeployment(tc.name);
      const rss = await replicaSetsOf(d);
      expect(rss.map((rs) => rs.spec.replicas).sort()).to.deep.equal([0, tc.replicas]);
    });
  }

  it('Recreate never runs old and new pods at the same time', async () => {
    await create(deploymentManifest('recreate', 'web:1', { replicas: 3, strategy: { type: 'Recreate' } }));
    await complete('recreate');
    const rec = new PodStreamRecorder(c.client, 'default', 'app=recreate');
    await rec.start();
    try {
      const set = await kubectl('1.33', 'set', 'image', 'deployment/recreate', 'app=web:2');
      expect(set.code, set.stderr).to.equal(0);
      const st = await kubectl('1.33', 'rollout', 'status', 'deployment/recreate', '--timeout=90s');
      expect(st.code, st.stderr).to.equal(0);
    } finally {
      await rec.stop();
    }
    let sawEmpty = false;
    for (const [i, s] of rec.snapshots.entries()) {
      expect(s.byHash.size, `step ${i}: versions running`).to.be.at.most(1);
      if (s.total === 0) sawEmpty = true;
    }
    expect(sawEmpty, 'every old pod went before a new one came').to.equal(true);
    const last = rec.snapshots.at(-1)!;
    expect(last.total).to.equal(3);
  });

  for (const v of ['1.33', '1.27']) {
    it(`rollout history, undo and undo --to-revision reuse the old ReplicaSets as revision max+1 (kubectl ${v})`, async () => {
      const name = `hist-${v.replace('.', '')}`;
      await create(deploymentManifest(name, 'web:1', { replicas: 2 }, { [annotations.changeCause]: 'first version' }));
      await complete(name);
      for (const img of ['web:2', 'web:3']) {
        expect((await kubectl(v, 'set', 'image', `deployment/${name}`, `app=${img}`)).code).to.equal(0);
        expect((await kubectl(v, 'annotate', '--overwrite', `deployment/${name}`, `kubernetes.io/change-cause=image ${img}`)).code).to.equal(0);
        expect((await kubectl(v, 'rollout', 'status', `deployment/${name}`, '--timeout=60s')).code).to.equal(0);
      }
      const h = await kubectl(v, 'rollout', 'history', `deployment/${name}`);
      expect(h.code, h.stderr).to.equal(0);
      expect(h.stdout).to.match(/1\s+first version/);
      expect(h.stdout).to.match(/2\s+image web:2/);
      expect(h.stdout).to.match(/3\s+image web:3/);

      const undo = await kubectl(v, 'rollout', 'undo', `deployment/${name}`);
      expect(undo.code, undo.stderr).to.equal(0);
      expect(undo.stdout).to.contain('rolled back');
      expect((await kubectl(v, 'rollout', 'status', `deployment/${name}`, '--timeout=60s')).code).to.equal(0);
      let d = await complete(name);
      expect(imageOf(d)).to.equal('web:2');
      let rss = await replicaSetsOf(d);
      expect(rss, 'no new ReplicaSet for an old template').to.have.length(3);
      const v2 = rss.find((rs) => imageOf(rs) === 'web:2')!;
      expect(v2.metadata.annotations?.[annotations.revision]).to.equal('4');
      expect(v2.metadata.annotations?.[annotations.revisionHistory]).to.equal('2');
      expect(d.metadata.annotations?.[annotations.revision]).to.equal('4');

      const to1 = await kubectl(v, 'rollout', 'undo', `deployment/${name}`, '--to-revision=1');
      expect(to1.code, to1.stderr).to.equal(0);
      expect((await kubectl(v, 'rollout', 'status', `deployment/${name}`, '--timeout=60s')).code).to.equal(0);
      d = await complete(name);
      expect(imageOf(d)).to.equal('web:1');
      rss = await replicaSetsOf(d);
      expect(rss).to.have.length(3);
      expect(rss.find((rs) => imageOf(rs) === 'web:1')!.metadata.annotations?.[annotations.revision]).to.equal('5');
      const h2 = await kubectl(v, 'rollout', 'history', `deployment/${name}`);
      expect(h2.stdout).to.match(/3\s+image web:3/);
      expect(h2.stdout).to.match(/4\s+image web:2/);
      expect(h2.stdout).to.match(/5\s+first version/);
      expect(h2.stdout).not.to.match(/^1\s/m);
    });
  }

  it('pause holds a template change back; resume rolls it out; restart rolls out a new ReplicaSet', async () => {
    await create(deploymentManifest('pausy', 'web:1', { replicas: 2 }));
    await complete('pausy');
    expect((await kubectl('1.33', 'rollout', 'pause', 'deployment/pausy')).code).to.equal(0);
    expect((await kubectl('1.33', 'set', 'image', 'deployment/pausy', 'app=web:2')).code).to.equal(0);
    const paused = await eventually('the DeploymentPaused condition', async () => {
      const d = await getDeployment('pausy');
      return getCondition(d.status, 'Progressing')?.reason === 'DeploymentPaused' && d.status?.observedGeneration === d.metadata.generation ? d : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await replicaSetsOf(paused), 'no rollout while paused').to.have.length(1);
    expect((await kubectl('1.33', 'rollout', 'resume', 'deployment/pausy')).code).to.equal(0);
    const st = await kubectl('1.33', 'rollout', 'status', 'deployment/pausy', '--timeout=60s');
    expect(st.code, st.stderr).to.equal(0);
    let d = await complete('pausy');
    expect(imageOf((await replicaSetsOf(d)).find((rs) => rs.spec.replicas === 2)!)).to.equal('web:2');

    const restart = await kubectl('1.33', 'rollout', 'restart', 'deployment/pausy');
    expect(restart.code, restart.stderr).to.equal(0);
    expect((await kubectl('1.33', 'rollout', 'status', 'deployment/pausy', '--timeout=60s')).code).to.equal(0);
    d = await complete('pausy');
    const rss = await replicaSetsOf(d);
    expect(rss).to.have.length(3);
    const current = rss.find((rs) => rs.spec.replicas === 2)!;
    expect(current.spec.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).to.be.a('string');
    expect(current.metadata.annotations?.[annotations.revision]).to.equal('3');
  });

  it('a rollout without progress for progressDeadlineSeconds gets ProgressDeadlineExceeded and rollout status fails', async () => {
    await create(deploymentManifest('stuck', 'web:1', { replicas: 2, progressDeadlineSeconds: 2 }));
    await complete('stuck');
    expect((await kubectl('1.33', 'set', 'image', 'deployment/stuck', 'app=web:broken')).code).to.equal(0);
    const st = await kubectl('1.33', 'rollout', 'status', 'deployment/stuck', '--timeout=60s');
    expect(st.code).to.not.equal(0);
    expect(st.stderr).to.contain('exceeded its progress deadline');
    const d = await getDeployment('stuck');
    expect(getCondition(d.status, 'Progressing')).to.include({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    // Old pods keep serving: maxUnavailable 25% of 2 rounds down to 0.
    expect(d.status?.availableReplicas).to.equal(2);
    expect(imageOf(d)).to.equal('web:broken');
  });

  it(`with ${annotations.autoRollback}: "true", a rollout past its deadline rolls back to the last revision that became Available`, async () => {
    await create(deploymentManifest('auto', 'web:1', { replicas: 2, progressDeadlineSeconds: 2 }, { [annotations.autoRollback]: 'true' }));
    await complete('auto');
    expect((await kubectl('1.33', 'set', 'image', 'deployment/auto', 'app=web:broken')).code).to.equal(0);
    const ev = await eventually('an AutomaticRollback event', async () => (await eventsOf('auto')).find((e) => e.reason === 'AutomaticRollback'), 30_000);
    expect(ev.type).to.equal('Warning');
    expect(ev.message).to.match(/^Rolled back to revision 1 \(replica set auto-\w+\), the last revision that became available: the rollout of revision 2 \(replica set auto-\w+\) made no progress for 2s \(ProgressDeadlineExceeded\)$/);
    const d = await eventually('the rollback to complete', async () => {
      const x = await getDeployment('auto');
      return imageOf(x) === 'web:1' && x.status && deploymentComplete(x, x.status) && getCondition(x.status, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? x : undefined;
    }, 30_000);
    const rss = await replicaSetsOf(d);
    expect(rss).to.have.length(2);
    const good = rss.find((rs) => imageOf(rs) === 'web:1')!;
    const bad = rss.find((rs) => imageOf(rs) === 'web:broken')!;
    expect(good.metadata.annotations?.[annotations.revision]).to.equal('3');
    expect(good.metadata.labels?.[wasAvailableLabel]).to.equal('true');
    expect(bad.metadata.labels?.[wasAvailableLabel]).to.equal(undefined);
    expect(bad.spec.replicas).to.equal(0);
    expect(d.metadata.annotations?.[annotations.autoRollback]).to.equal('true');
  });

  it('scaling in the middle of a stuck rollout spreads the new replicas proportionally', async () => {
    await create(deploymentManifest('prop', 'web:1', { replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await complete('prop');
    expect((await kubectl('1.33', 'set', 'image', 'deployment/prop', 'app=web:broken')).code).to.equal(0);
    const sizes = async (): Promise<string> => {
      const rss = await replicaSetsOf(await getDeployment('prop'));
      return `${rss.find((rs) => imageOf(rs) === 'web:1')?.spec.replicas}/${rss.find((rs) => imageOf(rs) === 'web:broken')?.spec.replicas}`;
    };
    await eventually('the rollout to get stuck at 8 old / 5 new', async () => ((await sizes()) === '8/5' ? true : undefined), 20_000);
    const scale = await kubectl('1.33', 'scale', 'deployment/prop', '--replicas=15');
    expect(scale.code, scale.stderr).to.equal(0);
    await eventually('11 old / 7 new', async () => ((await sizes()) === '11/7' ? true : undefined), 20_000);
  });
});
