// The Job controller against a real etcd and API server (separate processes), run by the
// controller manager in-process under its own identity (system:kube-controller-manager, so
// the API server's rules for it are exercised). A tiny in-test "kubelet" marks pods Running
// and, per namespace, ends them with an exit code. Every test records the job's and its
// pods' watch streams and checks them at every step, not only the end state.

import { expect } from 'chai';
import path from 'node:path';
import type { ApiClient } from '../../common/client/apiClient.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import { eventually } from '../../common/testing/eventually.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { kubectl } from '../../common/testing/kubectl.js';
import type { ControllerManagerApp } from '../app.js';
import { controllerManagerUser } from '../testing/controllerManagerProcess.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet, type PodOutcome } from '../testing/tinyKubelet.js';
import { garbageCollectorControllerFactory } from '../garbagecollector/index.js';
import { jobControllerFactory } from './index.js';
import { completionIndexKey, jobsResource, podsResource, trackingFinalizer, type Job, type JobCondition, type JobSpec, type Pod } from './types.js';

interface JobState {
  rv: number;
  active: number;
  succeeded: number;
  failed: number;
  conditions: string[];
}

/** The job's status and its live pods after every watch event, in the order the API server sent them. */
class StreamRecorder {
  readonly jobStates: JobState[] = [];
  /** Pods neither finished nor terminating, after each pod event. */
  readonly livePods: number[] = [];
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;

  constructor(client: RestClient, ns: string) {
    this.jobs = new Informer<Job>({ client, path: `/apis/batch/v1/namespaces/${ns}/jobs` });
    this.pods = new Informer<Pod>({ client, path: `/api/v1/namespaces/${ns}/pods` });
    const job = (j: Job): void => {
      const s = j.status ?? {};
      this.jobStates.push({
        rv: Number(j.metadata.resourceVersion),
        active: s.active ?? 0,
        succeeded: s.succeeded ?? 0,
        failed: s.failed ?? 0,
        conditions: (s.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type),
      });
    };
    this.jobs.addEventHandler({ onAdd: job, onUpdate: (_o, j) => job(j) });
    const live = (): void => {
      this.livePods.push(this.pods.store.list().filter((x) => !x.metadata.deletionTimestamp && x.status?.phase !== 'Succeeded' && x.status?.phase !== 'Failed').length);
    };
    this.pods.addEventHandler({ onAdd: live, onUpdate: live, onDelete: live });
  }

  async start(): Promise<void> {
    this.jobs.start();
    this.pods.start();
    await Promise.all([this.jobs.waitForSync(), this.pods.waitForSync()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.jobs.stop(), this.pods.stop()]);
  }

  /** Invariants of every recorded state: counters never go back, active and live pods never pass parallelism. */
  check(parallelism: number): void {
    expect(this.jobStates.length, 'recorded job states').to.be.greaterThan(2);
    expect(this.livePods.length, 'recorded pod states').to.be.greaterThan(2);
    for (let i = 1; i < this.jobStates.length; i++) {
      const [a, b] = [this.jobStates[i - 1]!, this.jobStates[i]!];
      expect(b.succeeded, `succeeded went back at ${i}: ${JSON.stringify(this.jobStates)}`).to.be.at.least(a.succeeded);
      expect(b.failed, `failed went back at ${i}`).to.be.at.least(a.failed);
    }
    for (const s of this.jobStates) expect(s.active, JSON.stringify(s)).to.be.at.most(parallelism);
    expect(Math.max(0, ...this.livePods), `live pods: ${this.livePods.join(',')}`).to.be.at.most(parallelism);
  }
}

describe('Job controller integration (etcd + API server processes, controller manager in-process)', function () {
  this.timeout(240_000);
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp;
  let kubelet: TinyKubelet;
  /** How pods end, by namespace: undefined keeps them running. */
  const outcomes = new Map<string, (pod: Pod) => PodOutcome | undefined>();
  const startManager = (): Promise<ControllerManagerApp> =>
    startTestManager({ kubeconfig: harness.cluster.kubeconfig, client: harness.client, registry: { job: jobControllerFactory, garbagecollector: garbageCollectorControllerFactory } });

  const createJob = (ns: string, name: string, spec: JobSpec): Promise<Job> =>
    admin.create<Job>(jobsResource, ns, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: ns },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['true'] }] } }, ...spec },
    });
  const getJob = (ns: string, name: string): Promise<Job> => admin.get<Job>(jobsResource, ns, name);
  const podsOf = async (ns: string): Promise<Pod[]> => (await admin.list<Pod>(podsResource, ns)).items;
  const conditionOf = (job: Job, type: string): JobCondition | undefined => job.status?.conditions?.find((x) => x.type === type);
  const until = (ns: string, name: string, what: string, ok: (j: Job) => boolean, timeoutMs = 60_000): Promise<Job> =>
    eventually(`${ns}/${name} ${what}`, async () => {
      const j = await getJob(ns, name);
      return ok(j) ? j : undefined;
    }, timeoutMs);
  const events = async (ns: string): Promise<string[]> =>
    (await admin.list<KubeObject & { reason?: string; message?: string }>(resourceFor('Event'), ns)).items.filter((e) => (e as { involvedObject?: { kind?: string } }).involvedObject?.kind === 'Job').map((e) => `${e.reason}: ${e.message}`);
  const recorder = async (ns: string): Promise<StreamRecorder> => {
    const r = new StreamRecorder(harness.cluster.client, ns);
    await r.start();
    return r;
  };

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    kubelet = new TinyKubelet(admin);
    kubelet.finish = (pod) => outcomes.get(pod.metadata.namespace ?? '')?.(pod);
    kubelet.start();
    app = await startManager();
  });
  after(async () => {
    await app?.stop();
    await kubelet?.stop();
    await harness?.close();
  });

  it('completions 5, parallelism 2: never more than 2 pods, Complete once 5 succeeded, every finalizer gone; kubectl wait returns', async () => {
    const ns = 'job-complete';
    await createNamespace(admin, ns);
    outcomes.set(ns, () => ({ exitCode: 0 }));
    const rec = await recorder(ns);
    await createJob(ns, 'five', { completions: 5, parallelism: 2 });
    const wait = kubectl(harness.cluster.kubeconfig, path.join(harness.cluster.dir, 'kubectl-cache'), ['wait', '--for=condition=complete', 'job/five', '-n', ns, '--timeout=60s'], { binary: '/usr/lib/google-cloud-sdk/bin/kubectl.1.33' });
    const job = await until(ns, 'five', 'Complete', (j) => conditionOf(j, 'Complete')?.status === 'True');
    const waited = await wait;
    expect(waited.code, waited.stderr).to.equal(0);
    expect(waited.stdout).to.equal('job.batch/five condition met\n');

    expect(job.status).to.include({ succeeded: 5, ready: 0, terminating: 0 });
    expect(job.status?.failed).to.equal(undefined);
    expect(job.status?.active).to.equal(undefined);
    expect(job.status?.uncountedTerminatedPods).to.deep.equal({});
    expect(job.status?.startTime).to.be.a('string');
    expect(job.status?.completionTime).to.be.a('string');
    expect(job.status?.conditions?.map((x) => [x.type, x.status, x.reason])).to.deep.equal([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    const pods = await podsOf(ns);
    expect(pods).to.have.length(5);
    for (const p of pods) {
      expect(p.status?.phase).to.equal('Succeeded');
      expect(p.metadata.finalizers ?? [], p.metadata.name).to.not.include(trackingFinalizer);
      expect(p.metadata.ownerReferences?.[0]).to.include({ kind: 'Job', name: 'five', uid: job.metadata.uid, controller: true });
      expect(p.metadata.labels?.['batch.kubernetes.io/controller-uid']).to.equal(job.metadata.uid);
    }
    await eventually('the recorder saw the end', async () => (rec.jobStates.at(-1)?.conditions.includes('Complete') ? true : undefined));
    rec.check(2);
    // Complete appears only when all five are counted, after SuccessCriteriaMet.
    const first = rec.jobStates.findIndex((s) => s.conditions.includes('Complete'));
    expect(rec.jobStates[first]!.succeeded).to.equal(5);
    expect(rec.jobStates.findIndex((s) => s.conditions.includes('SuccessCriteriaMet'))).to.be.at.most(first);
    expect(rec.jobStates.map((s) => s.succeeded).filter((n, i, a) => a[i - 1] !== n)).to.deep.equal([0, ...[1, 2, 3, 4, 5].filter((n) => rec.jobStates.some((s) => s.succeeded === n))]);
    const evs = await events(ns);
    expect(evs.filter((e) => e.startsWith('SuccessfulCreate: Created pod: five-'))).to.have.length(5);
    expect(evs).to.include('Completed: Job completed');
    await rec.stop();
  });

  it('a work queue (no completions), parallelism 3: done once one pod succeeded and the others finished', async () => {
    const ns = 'job-queue';
    await createNamespace(admin, ns);
    const rec = await recorder(ns);
    await createJob(ns, 'queue', { parallelism: 3 });
    await until(ns, 'queue', '3 active', (j) => j.status?.active === 3, 30_000);
    // The first pod to finish ends the queue; the others then finish too.
    outcomes.set(ns, () => ({ exitCode: 0 }));
    const job = await until(ns, 'queue', 'Complete', (j) => conditionOf(j, 'Complete')?.status === 'True');
    expect(job.spec?.completions).to.equal(undefined);
    expect(job.status?.succeeded).to.equal(3);
    expect(await podsOf(ns)).to.have.length(3);
    rec.check(3);
    await rec.stop();
  });

  it('lowering parallelism deletes the extra pods without counting them as failures', async () => {
    const ns = 'job-scale';
    await createNamespace(admin, ns);
    const rec = await recorder(ns);
    await createJob(ns, 'wide', { parallelism: 3, completions: 6 });
    await until(ns, 'wide', '3 active', (j) => j.status?.active === 3, 30_000);
    await admin.patch(jobsResource, ns, 'wide', 'merge', { spec: { parallelism: 1 } });
    const job = await until(ns, 'wide', '1 active', (j) => j.status?.active === 1);
    expect(job.status?.failed).to.equal(undefined);
    await eventually('one pod left', async () => ((await podsOf(ns)).length === 1 ? true : undefined));
    rec.check(3);
    await rec.stop();
  });

  it('Indexed, completions 4, parallelism 2: each index once, with its env, hostname and labels; completedIndexes 0-3', async () => {
    const ns = 'job-indexed';
    await createNamespace(admin, ns);
    outcomes.set(ns, () => ({ exitCode: 0 }));
    const rec = await recorder(ns);
    await createJob(ns, 'idx', { completions: 4, parallelism: 2, completionMode: 'Indexed' });
    const job = await until(ns, 'idx', 'Complete', (j) => conditionOf(j, 'Complete')?.status === 'True');
    expect(job.status).to.include({ succeeded: 4, completedIndexes: '0-3' });
    const pods = await podsOf(ns);
    const indexes = pods.map((p) => p.metadata.annotations?.[completionIndexKey]).sort();
    expect(indexes).to.deep.equal(['0', '1', '2', '3']);
    for (const p of pods) {
      const ix = p.metadata.annotations?.[completionIndexKey];
      expect(p.metadata.labels?.[completionIndexKey]).to.equal(ix);
      expect(p.metadata.name).to.match(new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      expect(p.spec?.hostname).to.equal(`idx-${ix}`);
      const env = (p.spec?.containers as { env?: { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[] }[])[0]!.env;
      expect(env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath).to.equal(`metadata.annotations['${completionIndexKey}']`);
    }
    rec.check(2);
    await rec.stop();
  });

  it('failing pods: replaced after the 10 s back-off, then Failed with BackoffLimitExceeded past backoffLimit', async () => {
    const ns = 'job-backoff';
    await createNamespace(admin, ns);
    outcomes.set(ns, () => ({ exitCode: 3 }));
    const rec = await recorder(ns);
    await createJob(ns, 'flaky', { backoffLimit: 1 });
    const job = await until(ns, 'flaky', 'Failed', (j) => conditionOf(j, 'Failed')?.status === 'True', 90_000);
    expect(job.status?.failed).to.equal(2);
    expect(job.status?.succeeded).to.equal(undefined);
    expect(job.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message])).to.deep.equal([
      ['FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(job.status?.completionTime).to.equal(undefined);
    const pods = (await podsOf(ns)).sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    expect(pods).to.have.length(2);
    const firstEnded = Date.parse((pods[0]!.status?.containerStatuses?.[0] as { state?: { terminated?: { finishedAt?: string } } }).state!.terminated!.finishedAt!);
    const secondMade = Date.parse(pods[1]!.metadata.creationTimestamp!);
    // Second precision on both sides: at least 9 s between the failure and its replacement.
    expect(secondMade - firstEnded).to.be.at.least(9_000);
    for (const p of pods) expect(p.metadata.finalizers ?? []).to.not.include(trackingFinalizer);
    expect(await events(ns)).to.include('BackoffLimitExceeded: Job has reached the specified backoff limit');
    rec.check(1);
    await rec.stop();
  });

  it('activeDeadlineSeconds: running pods are deleted and counted failed, Failed with DeadlineExceeded', async () => {
    const ns = 'job-deadline';
    await createNamespace(admin, ns);
    const rec = await recorder(ns);
    await createJob(ns, 'slow', { parallelism: 2, completions: 2, activeDeadlineSeconds: 3 });
    await until(ns, 'slow', '2 active', (j) => j.status?.active === 2, 30_000);
    const job = await until(ns, 'slow', 'Failed', (j) => conditionOf(j, 'Failed')?.status === 'True', 30_000);
    expect(conditionOf(job, 'Failed')).to.include({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(job.status?.failed).to.equal(2);
    expect(job.status?.active).to.equal(undefined);
    expect(Date.parse(conditionOf(job, 'Failed')!.lastTransitionTime!) - Date.parse(job.status!.startTime!)).to.be.at.least(3_000);
    await eventually('the pods are gone', async () => ((await podsOf(ns)).length === 0 ? true : undefined));
    rec.check(2);
    await rec.stop();
  });

  it('suspend deletes the active pods without counting failures; resume starts them again', async () => {
    const ns = 'job-suspend';
    await createNamespace(admin, ns);
    const rec = await recorder(ns);
    await createJob(ns, 'pausable', { parallelism: 2, completions: 4 });
    await until(ns, 'pausable', '2 active', (j) => j.status?.active === 2, 30_000);
    await admin.patch(jobsResource, ns, 'pausable', 'merge', { spec: { suspend: true } });
    const suspended = await until(ns, 'pausable', 'Suspended', (j) => conditionOf(j, 'Suspended')?.status === 'True' && !j.status?.active);
    expect(conditionOf(suspended, 'Suspended')).to.include({ reason: 'JobSuspended', message: 'Job suspended' });
    expect(suspended.status?.failed).to.equal(undefined);
    await eventually('no pods', async () => ((await podsOf(ns)).length === 0 ? true : undefined));
    await admin.patch(jobsResource, ns, 'pausable', 'merge', { spec: { suspend: false } });
    const resumed = await until(ns, 'pausable', 'resumed', (j) => conditionOf(j, 'Suspended')?.status === 'False' && j.status?.active === 2, 30_000);
    expect(conditionOf(resumed, 'Suspended')).to.include({ reason: 'JobResumed', message: 'Job resumed' });
    expect(Date.parse(resumed.status!.startTime!)).to.be.at.least(Date.parse(conditionOf(suspended, 'Suspended')!.lastTransitionTime!));
    const evs = await events(ns);
    expect(evs).to.include('Suspended: Job suspended').and.to.include('Resumed: Job resumed');
    rec.check(2);
    await rec.stop();
  });

  const policyTemplate = { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }] } };
  const podFailurePolicy = {
    rules: [
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ],
  };

  it('podFailurePolicy FailJob: exit code 42 fails the job at once (PodFailurePolicy, the Kubernetes message), the other pod is terminated', async () => {
    const ns = 'job-pfp-failjob';
    await createNamespace(admin, ns);
    const rec = await recorder(ns);
    await createJob(ns, 'fatal', { parallelism: 2, completions: 4, backoffLimit: 6, template: policyTemplate, podFailurePolicy });
    await until(ns, 'fatal', '2 active', (j) => j.status?.active === 2, 30_000);
    // One pod exits 42; the other keeps running.
    let doomed: string | undefined;
    outcomes.set(ns, (pod) => {
      doomed ??= pod.metadata.uid;
      return pod.metadata.uid === doomed ? { exitCode: 42 } : undefined;
    });
    const job = await until(ns, 'fatal', 'Failed', (j) => conditionOf(j, 'Failed')?.status === 'True', 30_000);
    const failedPod = (await podsOf(ns)).find((p) => p.metadata.uid === doomed);
    expect(failedPod?.status?.phase).to.equal('Failed');
    const message = `Container main for pod ${ns}/${failedPod!.metadata.name!} failed with exit code 42 matching FailJob rule at index 0`;
    expect(job.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message])).to.deep.equal([
      ['FailureTarget', 'True', 'PodFailurePolicy', message],
      ['Failed', 'True', 'PodFailurePolicy', message],
    ]);
    // At once: no replacement was made, far from backoffLimit 6; the running pod was deleted and counts as failed.
    expect(job.status?.failed).to.equal(2);
    expect(job.status?.active).to.equal(undefined);
    expect(job.status?.succeeded).to.equal(undefined);
    const finishedAt = Date.parse((failedPod!.status?.containerStatuses?.[0] as { state: { terminated: { finishedAt: string } } }).state.terminated.finishedAt);
    expect(Date.parse(conditionOf(job, 'FailureTarget')!.lastTransitionTime!) - finishedAt, 'FailureTarget soon after the failure').to.be.below(5_000);
    const pods = await eventually('only the failed pod is left', async () => {
      const left = await podsOf(ns);
      return left.length === 1 ? left : undefined;
    });
    expect(pods[0]!.metadata.uid).to.equal(doomed);
    expect(pods[0]!.metadata.finalizers ?? []).to.not.include(trackingFinalizer);
    expect(await events(ns)).to.include(`PodFailurePolicy: ${message}`);
    rec.check(2);
    await rec.stop();
  });

  it('podFailurePolicy Ignore: a DisruptionTarget failure does not count toward backoffLimit 0; the pod is replaced and the job completes', async () => {
    const ns = 'job-pfp-ignore';
    await createNamespace(admin, ns);
    const rec = await recorder(ns);
    const created = await createJob(ns, 'sturdy', { completions: 1, backoffLimit: 0, template: policyTemplate, podFailurePolicy });
    expect(created.spec?.podReplacementPolicy, 'defaulted with a policy').to.equal('Failed');
    const running = await eventually('a running, ready pod', async () => {
      const pods = await podsOf(ns);
      return pods.length === 1 && pods[0]!.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? pods[0] : undefined;
    });
    // What an eviction or a node drain leaves: phase Failed with DisruptionTarget (exit code 137).
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const terminated = { exitCode: 137, reason: 'Error', startedAt: now, finishedAt: now };
    await admin.patch(podsResource, ns, running!.metadata.name!, 'merge', {
      status: {
        phase: 'Failed',
        conditions: [
          { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: now },
          { type: 'Ready', status: 'False', lastTransitionTime: now },
        ],
        containerStatuses: [{ name: 'main', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { terminated } }],
      },
    }, { subresource: 'status' });
    // The replacement (after the failure back-off, as Kubernetes waits for ignored failures too) succeeds.
    outcomes.set(ns, (pod) => (pod.metadata.uid === running!.metadata.uid ? undefined : { exitCode: 0 }));
    const job = await until(ns, 'sturdy', 'Complete', (j) => conditionOf(j, 'Complete')?.status === 'True', 60_000);
    expect(job.status?.failed, 'the ignored failure is not counted').to.equal(undefined);
    expect(job.status?.succeeded).to.equal(1);
    expect(conditionOf(job, 'Failed')).to.equal(undefined);
    expect(conditionOf(job, 'FailureTarget')).to.equal(undefined);
    expect(rec.jobStates.every((st) => st.failed === 0 && !st.conditions.includes('FailureTarget')), JSON.stringify(rec.jobStates)).to.equal(true);
    const pods = await podsOf(ns);
    expect(pods).to.have.length(2);
    for (const p of pods) expect(p.metadata.finalizers ?? [], p.metadata.name).to.not.include(trackingFinalizer);
    rec.check(1);
    await rec.stop();
  });

  it('no result is lost or counted twice when the controller is down while pods finish', async () => {
    const ns = 'job-restart';
    await createNamespace(admin, ns);
    const rec = await recorder(ns);
    await createJob(ns, 'sturdy', { parallelism: 3, completions: 3 });
    await until(ns, 'sturdy', '3 active', (j) => j.status?.active === 3, 30_000);
    await app.stop();
    // While nobody counts: two succeed, one fails. Their finalizers keep them.
    let n = 0;
    const fate = new Map<string, number>();
    outcomes.set(ns, (pod) => {
      const uid = pod.metadata.uid ?? '';
      if (!fate.has(uid)) fate.set(uid, n++ === 0 ? 1 : 0);
      return { exitCode: fate.get(uid)! };
    });
    await eventually('all three finished', async () => {
      const pods = await podsOf(ns);
      return pods.length === 3 && pods.every((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') ? true : undefined;
    });
    for (const p of await podsOf(ns)) expect(p.metadata.finalizers, 'the finalizer holds the result').to.include(trackingFinalizer);
    outcomes.set(ns, () => ({ exitCode: 0 }));
    app = await startManager();
    const job = await until(ns, 'sturdy', 'Complete', (j) => conditionOf(j, 'Complete')?.status === 'True', 60_000);
    expect(job.status).to.include({ succeeded: 3, failed: 1 });
    expect(job.status?.uncountedTerminatedPods).to.deep.equal({});
    expect(await podsOf(ns)).to.have.length(4);
    rec.check(3);
    await rec.stop();
  });

  it('kubectl delete job: the garbage collector deletes the pods and the Job controller lets them go; orphaned pods lose the finalizer too', async () => {
    const ns = 'job-delete';
    await createNamespace(admin, ns);
    await createJob(ns, 'gone', { parallelism: 2, completions: 2 });
    await createJob(ns, 'orphaned', { parallelism: 1, completions: 1 });
    await until(ns, 'gone', '2 active', (j) => j.status?.active === 2, 30_000);
    await until(ns, 'orphaned', '1 active', (j) => j.status?.active === 1, 30_000);
    const out = await kubectl(harness.cluster.kubeconfig, path.join(harness.cluster.dir, 'kubectl-cache'), ['delete', 'job', 'gone', '-n', ns], { binary: '/usr/lib/google-cloud-sdk/bin/kubectl.1.33' });
    expect(out.code, out.stderr).to.equal(0);
    await eventually('the job\'s pods are gone', async () => ((await podsOf(ns)).filter((p) => p.metadata.name?.startsWith('gone-')).length === 0 ? true : undefined), 30_000);
    await admin.delete(jobsResource, ns, 'orphaned', { propagationPolicy: 'Orphan' });
    // Two writers, in either order: the Job controller removes the finalizer, the garbage collector the owner reference.
    const left = await eventually('the orphaned pod lost its finalizer and its owner reference', async () => {
      const pods = await podsOf(ns);
      return pods.length === 1 && !(pods[0]!.metadata.finalizers ?? []).includes(trackingFinalizer) && (pods[0]!.metadata.ownerReferences ?? []).length === 0 ? pods : undefined;
    });
    expect(left[0]!.metadata.ownerReferences ?? []).to.deep.equal([]);
  });
});
