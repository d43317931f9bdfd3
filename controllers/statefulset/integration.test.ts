// The StatefulSet controller against a real etcd and API server (processes), run by the
// controller manager in-process under its own identity, with the garbage collector (which
// carries out the claims' retention policy). No scheduler: the pods stay unbound, and a tiny
// in-test "kubelet" marks them Running and Ready (or holds one back). The test records the
// pods' watch stream and checks the order of creations and deletions at every step; the real
// kubectl scales, follows and undoes the rollout.

import { expect } from 'chai';
import type { ApiClient } from '../../common/client/apiClient.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import { NotFoundError } from '../../common/errors.js';
import { eventually } from '../../common/testing/eventually.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { kubectlFor, showRun, type Kubectl } from '../../common/testing/kubectl.js';
import type { ControllerManagerApp } from '../app.js';
import { garbageCollectorControllerFactory } from '../garbagecollector/index.js';
import { controllerRevisionsResource, type ControllerRevision } from '../history/types.js';
import { isPodReady } from '../replicaset/podState.js';
import { controllerManagerUser } from '../testing/controllerManagerProcess.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet } from '../testing/tinyKubelet.js';
import { statefulSetControllerFactory } from './index.js';
import { claimsResource, podsResource, revisionLabel, statefulSetsResource, type PersistentVolumeClaim, type Pod, type StatefulSet } from './types.js';

interface Step {
  type: 'ADDED' | 'DELETED' | 'MODIFIED';
  pod: string;
  /** Live pods (not terminating) after the event: name -> ready, revision. */
  live: Map<string, { ready: boolean; revision: string | undefined }>;
}

/** Every pod event of a namespace, in watch order, with the live pods after it. */
class PodStream {
  readonly steps: Step[] = [];
  private readonly pods: Informer<Pod>;

  constructor(client: RestClient, ns: string) {
    this.pods = new Informer<Pod>({ client, path: `/api/v1/namespaces/${ns}/pods` });
    const record = (type: Step['type'], pod: Pod): void => {
      const live = new Map<string, { ready: boolean; revision: string | undefined }>();
      for (const p of this.pods.store.list()) if (!p.metadata.deletionTimestamp) live.set(p.metadata.name ?? '', { ready: p.status?.phase === 'Running' && isPodReady(p), revision: p.metadata.labels?.[revisionLabel] });
      this.steps.push({ type, pod: pod.metadata.name ?? '', live });
    };
    this.pods.addEventHandler({ onAdd: (p) => record('ADDED', p), onUpdate: (_o, p) => record('MODIFIED', p), onDelete: (p) => record('DELETED', p) });
  }

  async start(): Promise<void> {
    this.pods.start();
    await this.pods.waitForSync();
  }

  stop(): Promise<void> {
    return this.pods.stop();
  }

  /** The names of ADDED (or DELETED) events from step `from` on. */
  names(type: Step['type'], from = 0): string[] {
    return this.steps.slice(from).filter((s) => s.type === type).map((s) => s.pod);
  }
}

describe('StatefulSet controller integration (etcd + API server processes, controller manager in-process)', function () {
  this.timeout(300_000);
  const ns = 'sts-it';
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp;
  let kubelet: TinyKubelet;
  let kubectl: Kubectl;
  let stream: PodStream;

  const getSet = (name = 'web'): Promise<StatefulSet> => admin.get<StatefulSet>(statefulSetsResource, ns, name);
  const livePods = async (): Promise<Pod[]> => (await admin.list<Pod>(podsResource, ns)).items.filter((p) => !p.metadata.deletionTimestamp);
  const claim = (name: string): Promise<PersistentVolumeClaim> => admin.get<PersistentVolumeClaim>(claimsResource, ns, name);
  const claimOrGone = async (name: string): Promise<PersistentVolumeClaim | 'gone'> => {
    try {
      return await claim(name);
    } catch (e) {
      if (e instanceof NotFoundError) return 'gone';
      throw e;
    }
  };
  /** Gone, or held by the kubernetes.io/pvc-protection finalizer with its deletion under way. */
  const claimDeleted = async (name: string): Promise<true | undefined> => {
    const pvc = await claimOrGone(name);
    return pvc === 'gone' || pvc.metadata.deletionTimestamp ? true : undefined;
  };
  /** Exactly `names` live and Ready, and the status says so with one revision in force. */
  const settled = (names: string[], set = 'web'): Promise<StatefulSet> =>
    eventually(`${names.join(',')} ready and the status settled`, async () => {
      const pods = (await livePods()).filter((p) => p.metadata.name?.startsWith(`${set}-`));
      const s = await getSet(set);
      const ok =
        pods.length === names.length &&
        names.every((n) => pods.some((p) => p.metadata.name === n && isPodReady(p))) &&
        s.status?.observedGeneration === s.metadata.generation &&
        s.status?.readyReplicas === names.length &&
        s.status?.currentRevision === s.status?.updateRevision;
      return ok ? s : undefined;
    }, 60_000);
  const events = async (): Promise<string[]> =>
    (await admin.list<KubeObject & { reason?: string; message?: string; involvedObject?: { kind?: string } }>(resourceFor('Event'), ns)).items.filter((e) => e.involvedObject?.kind === 'StatefulSet').map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  /** Fails the test with the recorded steps when a step breaks `rule`. */
  const everyStep = (from: number, what: string, rule: (s: Step) => boolean): void => {
    const bad = stream.steps.slice(from).findIndex((s) => !rule(s));
    if (bad >= 0) {
      const show = stream.steps.slice(from, from + bad + 1).map((s) => `${s.type} ${s.pod}: ${[...s.live].map(([n, v]) => `${n}${v.ready ? '+' : '-'}`).join(' ')}`);
      expect.fail(`${what} broken at step ${bad}:\n${show.join('\n')}`);
    }
  };

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    await createNamespace(admin, ns);
    kubelet = new TinyKubelet(admin);
    kubelet.start();
    stream = new PodStream(harness.cluster.client, ns);
    await stream.start();
    app = await startTestManager({ kubeconfig: harness.cluster.kubeconfig, client: harness.client, registry: { statefulset: statefulSetControllerFactory, garbagecollector: garbageCollectorControllerFactory } });
    kubectl = kubectlFor(harness.cluster.kubeconfig, harness.cluster.dir);
  });
  after(async () => {
    await stream?.stop();
    await app?.stop();
    await kubelet?.stop();
    await harness?.close();
  });

  it('OrderedReady: web-0, web-1, web-2 in order, each after the one before is Running and Ready; never past an unready pod; claims first and kept', async () => {
    // web-1 is held back until the test lets it be Ready.
    let holdWeb1 = true;
    kubelet.ready = (p) => !(holdWeb1 && p.metadata.name === 'web-1');
    await admin.create<StatefulSet>(statefulSetsResource, ns, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 3,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    await eventually('web-1 running, not ready', async () => ((await livePods()).some((p) => p.metadata.name === 'web-1' && p.status?.phase === 'Running') ? true : undefined), 30_000);
    // Time for a wrong controller to go on: several syncs.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await livePods()).map((p) => p.metadata.name).sort(), 'nothing past the unready web-1').to.deep.equal(['web-0', 'web-1']);
    expect(await claimOrGone('data-web-2'), 'no claim for web-2 yet').to.equal('gone');
    const waiting = await getSet();
    expect(waiting.status).to.include({ replicas: 2, readyReplicas: 1 });
    holdWeb1 = false;

    await settled(['web-0', 'web-1', 'web-2']);
    expect(stream.names('ADDED')).to.deep.equal(['web-0', 'web-1', 'web-2']);
    everyStep(0, 'each pod added only once the one before it is Ready', (s) => {
      if (s.type !== 'ADDED') return true;
      const ord = Number(s.pod.slice(4));
      return ord === 0 || s.live.get(`web-${ord - 1}`)?.ready === true;
    });

    for (const ord of [0, 1, 2]) {
      const pod = (await livePods()).find((p) => p.metadata.name === `web-${ord}`)!;
      expect(pod.spec).to.deep.include({ hostname: `web-${ord}`, subdomain: 'web' });
      expect(pod.metadata.labels).to.include({ app: 'web', 'statefulset.kubernetes.io/pod-name': `web-${ord}`, 'apps.kubernetes.io/pod-index': String(ord) });
      expect(pod.spec?.volumes).to.deep.include({ name: 'data', persistentVolumeClaim: { claimName: `data-web-${ord}` } });
      const pvc = await claim(`data-web-${ord}`);
      expect(pvc.metadata.labels).to.deep.equal({ app: 'web' });
      expect(pvc.metadata.ownerReferences ?? [], 'Retain: no owner').to.deep.equal([]);
    }
    const set = await getSet();
    expect(set.status).to.include({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, collisionCount: 0 });
    expect(set.status?.currentRevision).to.match(/^web-[a-z0-9]+$/);
    const revisions = (await admin.list<ControllerRevision>(controllerRevisionsResource, ns)).items;
    expect(revisions.map((r) => [r.metadata.name, r.revision])).to.deep.equal([[set.status?.currentRevision, 1]]);
    expect(await events()).to.include.members(['SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success', 'SuccessfulCreate: create Pod web-2 in StatefulSet web successful']);
  });

  it('kubectl scale down: web-2 goes before web-1, one at a time; the claims stay and are used again on scale up; a failed or deleted pod comes back under its name with its claim', async () => {
    const claimUids = await Promise.all([0, 1, 2].map(async (o) => (await claim(`data-web-${o}`)).metadata.uid));
    const from = stream.steps.length;
    const scaled = await kubectl(['scale', 'sts/web', '--replicas=1', '-n', ns]);
    expect(scaled.code, showRun(scaled)).to.equal(0);
    await settled(['web-0']);
    expect(stream.names('DELETED', from)).to.deep.equal(['web-2', 'web-1']);
    for (const o of [1, 2]) expect((await claim(`data-web-${o}`)).metadata.deletionTimestamp, `data-web-${o} kept`).to.equal(undefined);

    const up = stream.steps.length;
    expect((await kubectl(['scale', 'sts/web', '--replicas=3', '-n', ns])).code).to.equal(0);
    await settled(['web-0', 'web-1', 'web-2']);
    expect(stream.names('ADDED', up)).to.deep.equal(['web-1', 'web-2']);
    expect(await Promise.all([0, 1, 2].map(async (o) => (await claim(`data-web-${o}`)).metadata.uid)), 'the same claims').to.deep.equal(claimUids);

    const victim = (await livePods()).find((p) => p.metadata.name === 'web-1')!;
    await admin.patch(podsResource, ns, 'web-1', 'merge', { status: { phase: 'Failed' } }, { subresource: 'status' });
    const again = await eventually('web-1 made again', async () => (await livePods()).find((p) => p.metadata.name === 'web-1' && p.metadata.uid !== victim.metadata.uid && isPodReady(p)), 30_000);
    expect(again.spec?.volumes).to.deep.include({ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } });
    expect(await events()).to.include(`RecreatingFailedPod: StatefulSet ${ns}/web is recreating failed Pod web-1`);
    await settled(['web-0', 'web-1', 'web-2']);

    const deleted = await kubectl(['delete', 'pod', 'web-0', '-n', ns]);
    expect(deleted.code, showRun(deleted)).to.equal(0);
    const back = await eventually('web-0 made again', async () => (await livePods()).find((p) => p.metadata.name === 'web-0' && isPodReady(p)), 30_000);
    expect(back.spec?.volumes).to.deep.include({ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } });
    expect((await claim('data-web-0')).metadata.uid).to.equal(claimUids[0]);
    await settled(['web-0', 'web-1', 'web-2']);
  });

  it('rolling update: partition 2 updates web-2 only (kubectl rollout status: partitioned roll out complete); partition 0 then updates web-1, web-0 in reverse, one unavailable at most', async () => {
    const before = await getSet();
    const oldRevision = before.status?.currentRevision;
    await admin.patch(statefulSetsResource, ns, 'web', 'strategic', { spec: { updateStrategy: { rollingUpdate: { partition: 2 } }, template: { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } } } });
    const partitioned = await eventually('web-2 updated', async () => {
      const s = await getSet();
      return s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3 && s.status.observedGeneration === s.metadata.generation ? s : undefined;
    }, 60_000);
    const status = await kubectl(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=60s']);
    expect(status.code, showRun(status)).to.equal(0);
    expect(status.stdout).to.contain('partitioned roll out complete: 1 new pods have been updated...');
    const updateRevision = partitioned.status?.updateRevision;
    expect(updateRevision).to.not.equal(oldRevision);
    expect(partitioned.status?.currentRevision).to.equal(oldRevision);
    const byName = new Map((await livePods()).map((p) => [p.metadata.name, p.metadata.labels?.[revisionLabel]]));
    expect(Object.fromEntries(byName)).to.deep.equal({ 'web-0': oldRevision, 'web-1': oldRevision, 'web-2': updateRevision });

    const from = stream.steps.length;
    await admin.patch(statefulSetsResource, ns, 'web', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    // Started after the change: before it, the partitioned roll out was complete.
    const follow = kubectl(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=90s']);
    const done = await settled(['web-0', 'web-1', 'web-2']);
    expect(done.status).to.include({ currentRevision: updateRevision, updatedReplicas: 3, currentReplicas: 3 });
    const followed = await follow;
    expect(followed.code, showRun(followed)).to.equal(0);
    expect(followed.stdout).to.contain('partitioned roll out complete: 3 new pods have been updated...');
    expect(stream.names('DELETED', from)).to.deep.equal(['web-1', 'web-0']);
    everyStep(from, 'at most one of web-0..2 unavailable', (s) => ['web-0', 'web-1', 'web-2'].filter((n) => !s.live.get(n)?.ready).length <= 1);
  });

  it('kubectl rollout history and undo: back to the first template, its revision renumbered 3; kubectl rollout status reaches it', async () => {
    const before = await getSet();
    const history = await kubectl(['rollout', 'history', 'sts/web', '-n', ns]);
    expect(history.code, showRun(history)).to.equal(0);
    expect(history.stdout).to.match(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const revisions = new Map((await admin.list<ControllerRevision>(controllerRevisionsResource, ns)).items.map((r) => [r.revision, r.metadata.name]));
    const first = revisions.get(1)!;

    const from = stream.steps.length;
    const undo = await kubectl(['rollout', 'undo', 'sts/web', '-n', ns]);
    expect(undo.code, showRun(undo)).to.equal(0);
    expect(undo.stdout).to.contain('statefulset.apps/web rolled back');
    const status = await kubectl(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=90s']);
    expect(status.code, showRun(status)).to.equal(0);
    const after = await settled(['web-0', 'web-1', 'web-2']);
    expect(after.status?.updateRevision, 'the first revision is in force again').to.equal(first);
    expect(after.status?.currentRevision).to.equal(first);
    expect(after.metadata.generation).to.be.greaterThan(before.metadata.generation ?? 0);
    const images = (await livePods()).map((p) => (p.spec?.containers as { image: string }[])[0]!.image);
    expect(images).to.deep.equal(['busybox:1.36', 'busybox:1.36', 'busybox:1.36']);
    expect(stream.names('DELETED', from)).to.deep.equal(['web-2', 'web-1', 'web-0']);
    const renumbered = (await admin.list<ControllerRevision>(controllerRevisionsResource, ns)).items.map((r) => [r.metadata.name, r.revision]).sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(renumbered).to.deep.equal([
      [revisions.get(2), 2],
      [first, 3],
    ]);
    const again = await kubectl(['rollout', 'history', 'sts/web', '-n', ns]);
    expect(again.stdout).to.match(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    for (const minor of [27, 33]) {
      const other = await kubectlFor(harness.cluster.kubeconfig, harness.cluster.dir, minor)(['rollout', 'history', 'sts/web', '-n', ns]);
      expect(other.stdout, `kubectl 1.${minor}: ${showRun(other)}`).to.match(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
    }
    const shown = await kubectl(['rollout', 'history', 'sts/web', '-n', ns, '--revision=2']);
    expect(shown.code, showRun(shown)).to.equal(0);
    expect(shown.stdout).to.contain('Image:\tbusybox:1.37');
  });

  it('a controller manager stopped mid scale-up and started again finishes it, in order', async () => {
    let hold = true;
    kubelet.ready = (p) => !(hold && p.metadata.name === 'web-3');
    const from = stream.steps.length;
    await admin.patch(statefulSetsResource, ns, 'web', 'merge', { spec: { replicas: 5 } });
    await eventually('web-3 made', async () => ((await livePods()).some((p) => p.metadata.name === 'web-3' && p.status?.phase === 'Running') ? true : undefined), 30_000);
    await app.stop();
    hold = false;
    await eventually('web-3 ready', async () => ((await livePods()).some((p) => p.metadata.name === 'web-3' && isPodReady(p)) ? true : undefined), 30_000);
    app = await startTestManager({ kubeconfig: harness.cluster.kubeconfig, client: harness.client, registry: { statefulset: statefulSetControllerFactory, garbagecollector: garbageCollectorControllerFactory } });
    await settled(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
    expect(stream.names('ADDED', from)).to.deep.equal(['web-3', 'web-4']);
    await admin.patch(statefulSetsResource, ns, 'web', 'merge', { spec: { replicas: 3 } });
    await settled(['web-0', 'web-1', 'web-2']);
    expect(stream.names('DELETED', from)).to.deep.equal(['web-4', 'web-3']);
  });

  it('orphaned by `kubectl delete --cascade=orphan`, then adopted by a new set of the same name: same pods, same history', async () => {
    const pods = new Map((await livePods()).map((p) => [p.metadata.name, p.metadata.uid]));
    const old = await getSet();
    const orphan = await kubectl(['delete', 'sts', 'web', '--cascade=orphan', '-n', ns]);
    expect(orphan.code, showRun(orphan)).to.equal(0);
    await eventually('pods and revisions orphaned', async () => {
      const owned = [...(await livePods()), ...(await admin.list<ControllerRevision>(controllerRevisionsResource, ns)).items].filter((o) => o.metadata.ownerReferences?.length);
      return owned.length === 0 ? true : undefined;
    }, 30_000);
    const { metadata, spec } = old;
    await admin.create<StatefulSet>(statefulSetsResource, ns, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: metadata.name, namespace: ns }, spec });
    const adopted = await settled(['web-0', 'web-1', 'web-2']);
    expect(new Map((await livePods()).map((p) => [p.metadata.name, p.metadata.uid])), 'no pod replaced').to.deep.equal(pods);
    for (const p of await livePods()) expect(p.metadata.ownerReferences?.[0]).to.include({ kind: 'StatefulSet', uid: adopted.metadata.uid, controller: true });
    expect(adopted.status?.updateRevision).to.equal(old.status?.updateRevision);
    const history = await kubectl(['rollout', 'history', 'sts/web', '-n', ns]);
    expect(history.stdout, showRun(history)).to.match(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
  });

  it('retention Delete/Delete (Parallel): scaled-down claims go with their pod, the others with the set', async () => {
    await admin.create<StatefulSet>(statefulSetsResource, ns, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        replicas: 3,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'db' } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const db = await settled(['db-0', 'db-1', 'db-2'], 'db');
    for (const o of [0, 1, 2]) {
      const refs = await eventually(`data-db-${o} owned by the set`, async () => {
        const r = (await claim(`data-db-${o}`)).metadata.ownerReferences ?? [];
        return r.length ? r : undefined;
      });
      expect(refs).to.deep.equal([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: db.metadata.uid }]);
    }
    await admin.patch(statefulSetsResource, ns, 'db', 'merge', { spec: { replicas: 1 } });
    await settled(['db-0'], 'db');
    for (const o of [1, 2]) await eventually(`data-db-${o} deleted with its pod`, () => claimDeleted(`data-db-${o}`), 30_000);
    expect((await claim('data-db-0')).metadata.deletionTimestamp, 'data-db-0 stays while the set does').to.equal(undefined);

    await admin.delete(statefulSetsResource, ns, 'db', { propagationPolicy: 'Background' });
    await eventually('data-db-0 deleted with the set', () => claimDeleted('data-db-0'), 30_000);
    // The other set's claims are not touched.
    expect((await claim('data-web-0')).metadata.deletionTimestamp).to.equal(undefined);
  });
});
