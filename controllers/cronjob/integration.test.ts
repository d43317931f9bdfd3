// The CronJob controller against a real etcd and API server (separate processes), run by the
// controller manager in-process under its own identity (so the API server's rules for it,
// creating Jobs included, are exercised), beside the Job controller and the garbage
// collector so the Jobs it makes really run and finish (a tiny in-test "kubelet" ends their
// pods). The CronJob controller alone runs on a FakeClock that the tests move: no test waits
// for a minute to pass. Each test gets a fresh manager and clock, started near real time.

import { expect } from 'chai';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { ApiClient } from '../../common/client/apiClient.js';
import { FakeClock, rfc3339 } from '../../common/clock.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { eventually } from '../../common/testing/eventually.js';
import { kubectl, kubectlBinary, type KubectlResult } from '../../common/testing/kubectl.js';
import type { ControllerManagerApp } from '../app.js';
import { garbageCollectorControllerFactory } from '../garbagecollector/index.js';
import { jobControllerFactory } from '../job/index.js';
import { jobsResource, type Job, type Pod } from '../job/types.js';
import { controllerManagerUser } from '../testing/controllerManagerProcess.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet, type PodOutcome } from '../testing/tinyKubelet.js';
import { cronJobControllerFactory } from './index.js';
import { cronJobsResource, scheduledTimestampAnnotation, type CronJob, type CronJobSpec } from './types.js';

const minute = 60_000;
const nextMinute = (t: number): number => Math.floor(t / minute) * minute + minute;
const isFinished = (j: Job): boolean => (j.status?.conditions ?? []).some((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');

describe('CronJob controller integration (etcd + API server processes, controller manager in-process, fake schedule clock)', function () {
  this.timeout(240_000);
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp | undefined;
  let kubelet: TinyKubelet;
  let clock: FakeClock;
  const outcomes = new Map<string, (pod: Pod) => PodOutcome | undefined>();

  const run = async (args: string[]): Promise<KubectlResult> => kubectl(harness.cluster.kubeconfig, path.join(harness.cluster.dir, 'kubectl-cache'), args, { binary: kubectlBinary(33) });
  const createCronJob = (ns: string, name: string, spec: CronJobSpec): Promise<CronJob> =>
    admin.create<CronJob>(cronJobsResource, ns, {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, namespace: ns },
      spec: { jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['true'] }] } } } }, ...spec },
    });
  const getCronJob = (ns: string, name: string): Promise<CronJob> => admin.get<CronJob>(cronJobsResource, ns, name);
  const jobsOf = async (ns: string, cronJob: string): Promise<Job[]> => (await admin.list<Job>(jobsResource, ns)).items.filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === cronJob));
  const events = async (ns: string): Promise<string[]> =>
    (await admin.list<KubeObject & { reason?: string; message?: string; type?: string }>(resourceFor('Event'), ns)).items
      .filter((e) => (e as { involvedObject?: { kind?: string } }).involvedObject?.kind === 'CronJob')
      .map((e) => `${e.reason}: ${e.message}`);
  const eventSeen = (ns: string, text: string): Promise<string[]> => eventually(`event "${text}"`, async () => ((await events(ns)).some((e) => e.startsWith(text)) ? events(ns) : undefined), 15_000);
  /** Waits until the controller has set its timers for `count` CronJobs (it has seen them). */
  const timersSet = (count: number): Promise<boolean> => eventually(`${count} schedule timers`, async () => (clock.pendingTimers() >= count ? true : undefined), 15_000);
  /** Moves the schedule clock to `t` (timers due on the way fire and enqueue their CronJobs). */
  const moveTo = (t: number): void => clock.advance(Math.max(0, t - clock.now()));
  const jobName = (cj: string, t: number): string => `${cj}-${Math.floor(t / minute)}`;

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    kubelet = new TinyKubelet(admin);
    kubelet.finish = (pod) => outcomes.get(pod.metadata.namespace ?? '')?.(pod);
    kubelet.start();
  });
  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    app = await startTestManager({
      kubeconfig: harness.cluster.kubeconfig,
      client: harness.client,
      registry: { job: jobControllerFactory, garbagecollector: garbageCollectorControllerFactory, cronjob: (ctx) => cronJobControllerFactory({ ...ctx, clock }) },
    });
  });
  afterEach(async () => {
    // The next test's controller sees only its own CronJobs (its timers are counted).
    for (const cj of (await admin.list<CronJob>(cronJobsResource, undefined)).items) await admin.delete(cronJobsResource, cj.metadata.namespace, cj.metadata.name ?? '');
    await app?.stop();
    app = undefined;
  });
  after(async () => {
    await kubelet?.stop();
    await harness?.close();
  });

  it('kubectl create cronjob: a Job at the next minute, named and annotated for it, run to completion; kubectl create job --from=cronjob', async () => {
    const ns = 'cj-kubectl';
    await createNamespace(admin, ns);
    outcomes.set(ns, () => ({ exitCode: 0 }));
    const made = await run(['create', 'cronjob', 'x', '--image=busybox', '--schedule=*/1 * * * *', '-n', ns, '--', 'echo', 'hi']);
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stdout).to.equal('cronjob.batch/x created\n');
    const cj = await getCronJob(ns, 'x');
    await timersSet(1);
    expect(await jobsOf(ns, 'x'), 'nothing before the first scheduled time').to.have.length(0);

    const t1 = nextMinute(Math.max(clock.now(), Date.parse(cj.metadata.creationTimestamp ?? '')));
    moveTo(t1 + 200);
    const name = jobName('x', t1);
    const job = await eventually(`job ${name}`, async () => (await jobsOf(ns, 'x')).find((j) => j.metadata.name === name), 15_000);
    expect(job.metadata.annotations?.[scheduledTimestampAnnotation]).to.equal(rfc3339(t1));
    expect(job.metadata.ownerReferences).to.deep.equal([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'x', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const container = (job.spec?.template?.spec?.containers as { command?: string[] }[])[0];
    expect(container?.command).to.deep.equal(['echo', 'hi']);
    const running = await eventually('the CronJob lists the job as active', async () => {
      const now = await getCronJob(ns, 'x');
      return now.status?.active?.some((r) => r.name === name) ? now : undefined;
    }).catch(() => undefined);
    // It may already have completed: then it has left active.
    if (running) expect(running.status?.lastScheduleTime).to.equal(rfc3339(t1));

    const done = await eventually('the job completed and left active', async () => {
      const now = await getCronJob(ns, 'x');
      return !now.status?.active && now.status?.lastSuccessfulTime ? now : undefined;
    }, 60_000);
    const finished = (await jobsOf(ns, 'x')).find((j) => j.metadata.name === name)!;
    expect(done.status?.lastSuccessfulTime).to.equal(finished.status?.completionTime);
    expect(done.status?.lastScheduleTime).to.equal(rfc3339(t1));
    await eventSeen(ns, `SawCompletedJob: Saw completed job: ${name}, condition: Complete`);
    expect(await events(ns)).to.include(`SuccessfulCreate: Created job ${name}`);
    expect(await jobsOf(ns, 'x'), 'one run for one scheduled time').to.have.length(1);

    const table = await run(['get', 'cronjob', 'x', '-n', ns]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\nx\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+\S+\s+\S+\n$/);

    const manual = await run(['create', 'job', '--from=cronjob/x', 'by-hand', '-n', ns]);
    expect(manual.code, manual.stderr).to.equal(0);
    expect(manual.stdout).to.equal('job.batch/by-hand created\n');
    const byHand = await eventually('the job from the cronjob completes', async () => {
      const j = await admin.get<Job>(jobsResource, ns, 'by-hand');
      return isFinished(j) ? j : undefined;
    }, 60_000);
    expect(byHand.metadata.ownerReferences?.[0]).to.include({ kind: 'CronJob', name: 'x', uid: cj.metadata.uid });
    expect(byHand.status?.succeeded).to.equal(1);
  });

  it('after an outage: one catch-up run for the most recent missed time; past 100 misses a TooManyMissedTimes warning', async () => {
    const ns = 'cj-outage';
    await createNamespace(admin, ns);
    const cj = await createCronJob(ns, 'late', { schedule: '*/1 * * * *' });
    await timersSet(1);
    const start = Math.max(clock.now(), Date.parse(cj.metadata.creationTimestamp ?? ''));
    // Ten minutes pass with the controller idle: its one timer fires once.
    moveTo(nextMinute(start) + 9 * minute + 200);
    const first = jobName('late', clock.now());
    await eventually('the catch-up job', async () => ((await jobsOf(ns, 'late')).some((j) => j.metadata.name === first) ? true : undefined), 15_000);
    await eventually('lastScheduleTime', async () => ((await getCronJob(ns, 'late')).status?.lastScheduleTime === rfc3339(Math.floor(clock.now() / minute) * minute) ? true : undefined));
    expect((await jobsOf(ns, 'late')).map((j) => j.metadata.name)).to.deep.equal([first]);
    expect((await events(ns)).filter((e) => e.startsWith('TooManyMissedTimes')), 'ten misses are not too many').to.deep.equal([]);

    moveTo(clock.now() + 150 * minute);
    const second = jobName('late', clock.now());
    const evs = await eventSeen(ns, 'TooManyMissedTimes: too many missed start times: 150.');
    expect(evs).to.include('TooManyMissedTimes: too many missed start times: 150. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    await eventually('the second catch-up job', async () => ((await jobsOf(ns, 'late')).some((j) => j.metadata.name === second) ? true : undefined), 15_000);
    expect((await jobsOf(ns, 'late')).map((j) => j.metadata.name).sort()).to.deep.equal([first, second].sort());
  });

  it('a run whose Job already exists (made before a restart) is recorded, not made twice', async () => {
    const ns = 'cj-exists';
    await createNamespace(admin, ns);
    const cj = await createCronJob(ns, 'once', { schedule: '*/1 * * * *' });
    await timersSet(1);
    const t1 = nextMinute(Math.max(clock.now(), Date.parse(cj.metadata.creationTimestamp ?? '')));
    const name = jobName('once', t1);
    const pre = await admin.create<Job>(jobsResource, ns, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'once', uid: cj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }] },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    moveTo(t1 + 200);
    const now = await eventually('the existing job is the run', async () => {
      const x = await getCronJob(ns, 'once');
      return x.status?.lastScheduleTime === rfc3339(t1) ? x : undefined;
    }, 15_000);
    expect(now.status?.active?.map((r) => [r.name, r.uid])).to.deep.equal([[name, pre.metadata.uid]]);
    expect(await jobsOf(ns, 'once')).to.have.length(1);
    expect((await events(ns)).filter((e) => e.startsWith('SuccessfulCreate'))).to.deep.equal([]);
  });

  it('Forbid skips a run while one is active (JobAlreadyActive); Replace deletes the active one first', async () => {
    const ns = 'cj-concurrency';
    await createNamespace(admin, ns);
    // Pods keep running: the jobs stay active.
    const forbid = await createCronJob(ns, 'forbid', { schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid' });
    const replace = await createCronJob(ns, 'replace', { schedule: '*/1 * * * *', concurrencyPolicy: 'Replace' });
    await timersSet(2);
    const t1 = nextMinute(Math.max(clock.now(), Date.parse(forbid.metadata.creationTimestamp ?? ''), Date.parse(replace.metadata.creationTimestamp ?? '')));
    moveTo(t1 + 200);
    for (const name of ['forbid', 'replace']) {
      await eventually(`${name}: first run active`, async () => ((await getCronJob(ns, name)).status?.active?.[0]?.name === jobName(name, t1) ? true : undefined), 15_000);
    }
    moveTo(t1 + minute + 200);
    await eventSeen(ns, 'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid');
    const replaced = await eventually('replace: second run active, first gone', async () => {
      const x = await getCronJob(ns, 'replace');
      const jobs = (await jobsOf(ns, 'replace')).filter((j) => !j.metadata.deletionTimestamp);
      return x.status?.active?.map((r) => r.name).join() === jobName('replace', t1 + minute) && jobs.length === 1 ? jobs : undefined;
    }, 15_000);
    expect(replaced.map((j) => j.metadata.name)).to.deep.equal([jobName('replace', t1 + minute)]);
    await eventSeen(ns, `SuccessfulDelete: Deleted job ${jobName('replace', t1)}`);
    expect((await jobsOf(ns, 'forbid')).map((j) => j.metadata.name)).to.deep.equal([jobName('forbid', t1)]);
    expect((await getCronJob(ns, 'forbid')).status?.lastScheduleTime).to.equal(rfc3339(t1));
  });

  it('history limits keep the newest finished Jobs; a suspended CronJob makes none, and catches up once when resumed', async () => {
    const ns = 'cj-history';
    await createNamespace(admin, ns);
    outcomes.set(ns, () => ({ exitCode: 0 }));
    const cj = await createCronJob(ns, 'hist', { schedule: '*/1 * * * *', successfulJobsHistoryLimit: 1 });
    await timersSet(1);
    let t = nextMinute(Math.max(clock.now(), Date.parse(cj.metadata.creationTimestamp ?? '')));
    for (let i = 0; i < 3; i++, t += minute) {
      moveTo(t + 200);
      await eventually(`run ${i + 1} completed`, async () => {
        const x = await getCronJob(ns, 'hist');
        return x.status?.lastScheduleTime === rfc3339(t) && !x.status.active ? true : undefined;
      }, 60_000);
    }
    const kept = await eventually('only the newest finished job is kept', async () => {
      const jobs = (await jobsOf(ns, 'hist')).filter((j) => !j.metadata.deletionTimestamp);
      return jobs.length === 1 ? jobs : undefined;
    }, 15_000);
    expect(kept[0]!.metadata.name).to.equal(jobName('hist', t - minute));
    await eventSeen(ns, `SuccessfulDelete: Deleted job ${jobName('hist', t - 2 * minute)}`);
    expect(await events(ns)).to.include(`SuccessfulDelete: Deleted job ${jobName('hist', t - 3 * minute)}`);

    const suspended = await run(['patch', 'cronjob', 'hist', '-n', ns, '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    expect(suspended.code, suspended.stderr).to.equal(0);
    await eventually('no timer while suspended', async () => (clock.pendingTimers() === 0 ? true : undefined));
    moveTo(t + 5 * minute);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await jobsOf(ns, 'hist')).map((j) => j.metadata.name)).to.deep.equal([jobName('hist', t - minute)]);

    const resumed = await run(['patch', 'cronjob', 'hist', '-n', ns, '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    expect(resumed.code, resumed.stderr).to.equal(0);
    const catchUp = jobName('hist', t + 5 * minute);
    await eventually('one catch-up run after resuming', async () => ((await jobsOf(ns, 'hist')).some((j) => j.metadata.name === catchUp) ? true : undefined), 15_000);
    expect((await jobsOf(ns, 'hist')).filter((j) => j.metadata.name !== jobName('hist', t - minute)).map((j) => j.metadata.name)).to.deep.equal([catchUp]);

    await admin.delete(cronJobsResource, ns, 'hist');
    await eventually('a deleted CronJob leaves no timer', async () => (clock.pendingTimers() === 0 ? true : undefined));
  });
});
