// kill -9 of the controller-manager process in the middle of a rolling update (issue 10): the
// real controllers/main process runs the Deployment and ReplicaSet controllers against a real
// etcd and API server; it is SIGKILLed once the new ReplicaSet has some but not all of its pods,
// a second process takes the Lease when it expires and must finish the rollout within the
// surge/unavailability bounds, without creating a pod the clean rollout would not have.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { controllerOf } from '../../common/api/ownerRefs.js';
import { resourceFor } from '../../common/api/resources.js';
import { ApiClient } from '../../common/client/apiClient.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { eventually } from '../../common/testing/eventually.js';
import { controllerManagerUser, logTail, spawnControllerManager, type ControllerManagerProcess } from '../testing/controllerManagerProcess.js';
import { deploymentManifest, PodStreamRecorder, startFakeKubelet, type FakeKubelet } from './testHarness.js';
import { annotations, deploymentsResource, replicaSetsResource, type Deployment, type Pod, type ReplicaSet } from './types.js';

const replicas = 30;
// 25% of 30: maxSurge rounds up, maxUnavailable down (as Kubernetes does).
const surge = 8;
const unavailable = 7;
/** New pods seen before the kill: past the first surge wave, well short of all 30. */
const killAtNewPods = 12;
// A short Lease so the successor does not wait 15 s for the dead leader's to expire.
const managerFlags = ['--controllers', 'deployment,replicaset', '--metrics-port', '-1', '--lease-duration-seconds', '3', '--renew-deadline-seconds', '2', '--retry-period-seconds', '1'];

describe('kill -9 of the controller-manager process mid-rollout (etcd + API server + controller-manager processes)', function () {
  this.timeout(90_000);
  let c: ProcessCluster;
  let admin: ApiClient;
  let kubelet: FakeKubelet;
  const managers: ControllerManagerProcess[] = [];

  before(async () => {
    c = await startProcessCluster({ extraTokens: [controllerManagerUser] });
    admin = new ApiClient({ client: c.client, qps: 0 });
    // Readiness a little after creation, so the rollout takes several steps worth interrupting.
    kubelet = startFakeKubelet(c.client, admin, 300);
  });
  after(async () => {
    for (const m of managers) await stopChild(m.child, 5_000);
    await kubelet?.stop();
    await c?.close();
  });

  const getDeployment = (): Promise<Deployment> => admin.get<Deployment>(deploymentsResource, 'default', 'roll');
  const replicaSetsOf = async (d: Deployment): Promise<ReplicaSet[]> =>
    (await admin.list<ReplicaSet>(replicaSetsResource, 'default')).items.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
  const leaseHolder = async (): Promise<string | undefined> =>
    (await admin.get<KubeObject & { spec?: { holderIdentity?: string } }>(resourceFor('Lease'), 'kube-system', 'kube-controller-manager')).spec?.holderIdentity;
  /** The rollout of `image` done: every replica updated and available, only the newest ReplicaSet scaled up. */
  const rolledOut = (image: string, timeoutMs: number): Promise<{ d: Deployment; rss: ReplicaSet[] }> =>
    eventually(
      `the rollout of ${image} to complete`,
      async () => {
        const d = await getDeployment();
        const s = d.status ?? {};
        if (s.observedGeneration !== d.metadata.generation || s.replicas !== replicas || s.updatedReplicas !== replicas || s.availableReplicas !== replicas) return undefined;
        const rss = await replicaSetsOf(d);
        const scaled = rss.filter((rs) => (rs.spec.replicas ?? 0) > 0 || (rs.status as { replicas?: number } | undefined)?.replicas);
        const containers = scaled[0]?.spec.template?.spec?.containers as { image?: string }[] | undefined;
        return scaled.length === 1 && containers?.[0]?.image === image ? { d, rss } : undefined;
      },
      timeoutMs,
    );

  it('the successor completes the rollout within maxSurge/maxUnavailable and creates no pod a clean rollout would not', async () => {
    // Every pod creation, by owning ReplicaSet name (a Set: a replayed ADDED is not a new pod).
    const created = new Map<string, Set<string>>();
    let oldRs: string | undefined;
    let doomed: ControllerManagerProcess | undefined;
    let newPodsAtKill = 0;
    let killed!: () => void;
    const killedMidRollout = new Promise<void>((r) => (killed = r));
    let watchEnded = false;
    const w = c.client.watch('/api/v1/namespaces/default/pods', { labelSelector: 'app=roll' }, (ev) => {
      if (ev.type !== 'ADDED') return;
      const pod = ev.object as unknown as Pod;
      const owner = controllerOf(pod)?.name ?? '(none)';
      const names = created.get(owner) ?? new Set<string>();
      names.add(pod.metadata.name ?? '');
      created.set(owner, names);
      // The kill happens here, on the event itself: the new ReplicaSet exists and has some pods.
      if (doomed && oldRs && owner !== oldRs && names.size === killAtNewPods && doomed.child.exitCode === null) {
        newPodsAtKill = names.size;
        doomed.child.kill('SIGKILL');
        killed();
      }
    });
    void w.done.then(() => (watchEnded = true));
    const rec = new PodStreamRecorder(c.client, 'default', 'app=roll');
    try {
      doomed = spawnControllerManager(c, 'doomed', managerFlags);
      managers.push(doomed);
      const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
      await admin.create(deploymentsResource, 'default', deploymentManifest('roll', 'web:1', { replicas, strategy }));
      const first = await rolledOut('web:1', 40_000);
      expect(await leaseHolder()).to.equal('doomed');
      expect(first.rss).to.have.length(1);
      const oldName = first.rss[0]!.metadata.name ?? '';
      oldRs = oldName;

      await rec.start();
      await admin.patch(deploymentsResource, 'default', 'roll', 'merge', { spec: { template: { spec: { containers: [{ name: 'app', image: 'web:2' }] } } } });
      // 30 new pods cannot exist before the 12th has been seen, so only a stall can get past this.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        killedMidRollout,
        new Promise((_r, reject) => (timer = setTimeout(() => reject(new Error(`no ${killAtNewPods} new pods within 30 s of the image change`)), 30_000))),
      ]).finally(() => clearTimeout(timer));
      expect(await doomed.exited, logTail(doomed.log)).to.equal(null);
      expect(doomed.child.signalCode).to.equal('SIGKILL');
      // Whatever the dead process had in flight has landed or never will: the new set is part-way.
      const d = await getDeployment();
      const newRs = (await replicaSetsOf(d)).find((rs) => rs.metadata.name !== oldRs);
      expect(newRs, 'the new ReplicaSet exists at the kill').to.not.equal(undefined);
      const newName = newRs!.metadata.name ?? '';
      const newPodsNow = (await admin.list<Pod>(resourceFor('Pod'), 'default', { labelSelector: `app=roll,pod-template-hash=${newRs!.metadata.labels?.['pod-template-hash']}` })).items;
      expect(newPodsNow.length, 'new pods right after the kill').to.be.within(newPodsAtKill, replicas - 1);

      const successor = spawnControllerManager(c, 'successor', managerFlags);
      managers.push(successor);
      const done = await rolledOut('web:2', 45_000).catch((e: Error) => {
        throw new Error(`${e.message}\n--- successor log ---\n${logTail(successor.log)}`);
      });
      expect(await leaseHolder()).to.equal('successor');
      expect(done.d.metadata.annotations?.[annotations.revision]).to.equal('2');
      const byName = new Map(done.rss.map((rs) => [rs.metadata.name, rs]));
      expect(done.rss).to.have.length(2);
      expect(byName.get(oldName)?.spec.replicas).to.equal(0);
      expect(byName.get(newName)?.spec.replicas).to.equal(replicas);
      await eventually('the last old pod to be gone from the stream', async () => {
        const s = rec.snapshots.at(-1);
        return s?.byHash.size === 1 && s.total === replicas && s.ready === replicas ? true : undefined;
      }, 20_000);

      // The bounds hold at every step of the recorded stream, across the kill and the takeover.
      expect(rec.snapshots.length).to.be.greaterThan(2 * replicas);
      for (const [i, s] of rec.snapshots.entries()) {
        expect(s.total, `step ${i}: pods not terminating`).to.be.at.most(replicas + surge);
        expect(s.ready, `step ${i}: available pods`).to.be.at.least(replicas - unavailable);
      }
      // A clean rollout creates each ReplicaSet's pods once: 30 old, 30 new, nothing else.
      expect(watchEnded, 'the pod watch ran throughout').to.equal(false);
      expect(Object.fromEntries([...created].map(([rs, names]) => [rs, names.size]))).to.deep.equal({ [oldName]: replicas, [newName]: replicas });
    } finally {
      w.stop();
      await rec.stop();
    }
  });
});
