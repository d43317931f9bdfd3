// The TTL-after-finished controller against a real etcd and API server (processes), run by
// the controller manager in-process under its own identity, beside the Job controller and
// the garbage collector; a tiny in-test "kubelet" finishes the pods. The TTL controller alone
// runs on a FakeClock the test moves, so a 60-second TTL takes no minute.

import { expect } from 'chai';
import type { ApiClient } from '../../common/client/apiClient.js';
import { FakeClock } from '../../common/clock.js';
import { NotFoundError } from '../../common/errors.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { eventually } from '../../common/testing/eventually.js';
import type { ControllerManagerApp } from '../app.js';
import { garbageCollectorControllerFactory } from '../garbagecollector/index.js';
import { jobControllerFactory } from '../job/index.js';
import { jobsResource, podsResource, type Job, type Pod } from '../job/types.js';
import { controllerManagerUser } from '../testing/controllerManagerProcess.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet } from '../testing/tinyKubelet.js';
import { ttlAfterFinishedControllerFactory } from './index.js';
import { finishedAt } from './expiry.js';

describe('TTL-after-finished controller integration (etcd + API server processes, controller manager in-process, fake clock)', function () {
  this.timeout(180_000);
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp | undefined;
  let kubelet: TinyKubelet;
  const clock = new FakeClock(Date.now());
  const ns = 'ttl';

  const createJob = (name: string, ttl: number | undefined, exitCode: number): Promise<Job> =>
    admin.create<Job>(jobsResource, ns, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: ns, labels: { exit: String(exitCode) } },
      spec: { backoffLimit: 0, ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}), template: { metadata: { labels: { exit: String(exitCode) } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } as Job['spec'],
    });
  const finished = (name: string): Promise<Job> =>
    eventually(`${name} finished`, async () => {
      const j = await admin.get<Job>(jobsResource, ns, name);
      return typeof finishedAt(j) === 'number' ? j : undefined;
    }, 60_000);
  const exists = async (name: string): Promise<boolean> =>
    admin.get<Job>(jobsResource, ns, name).then(
      () => true,
      (e) => {
        if (e instanceof NotFoundError) return false;
        throw e;
      },
    );
  const podsOf = async (job: string): Promise<Pod[]> => (await admin.list<Pod>(podsResource, ns)).items.filter((p) => p.metadata.ownerReferences?.some((r) => r.name === job));

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    await createNamespace(admin, ns);
    kubelet = new TinyKubelet(admin);
    kubelet.finish = (pod) => ({ exitCode: Number(pod.metadata.labels?.exit ?? '0') });
    kubelet.start();
    app = await startTestManager({
      kubeconfig: harness.cluster.kubeconfig,
      client: harness.client,
      registry: { job: jobControllerFactory, garbagecollector: garbageCollectorControllerFactory, ttlafterfinished: (ctx) => ttlAfterFinishedControllerFactory({ ...ctx, clock }) },
    });
  });
  after(async () => {
    await app?.stop();
    await kubelet?.stop();
    await harness?.close();
  });

  it('a complete Job with a 60 s TTL stays until 60 s after it finished, then goes with its pods; one without a TTL stays', async () => {
    await createJob('short', 60, 0);
    await createJob('forever', undefined, 0);
    const job = await finished('short');
    await finished('forever');
    const expires = finishedAt(job)! + 60_000;
    await eventually('a timer for the expiry', async () => (clock.nextTimerAt() !== undefined ? true : undefined));
    expect(clock.nextTimerAt()).to.equal(expires);
    expect(await podsOf('short')).to.have.length(1);

    clock.advance(expires - 1_000 - clock.now());
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await exists('short'), 'a second before its TTL').to.equal(true);

    clock.advance(1_000);
    await eventually('the expired job is deleted', async () => ((await exists('short')) ? undefined : true), 15_000);
    await eventually('its pods are deleted by the garbage collector', async () => ((await podsOf('short')).length === 0 ? true : undefined), 30_000);
    expect(await exists('forever')).to.equal(true);
  });

  it('a failed Job counts from its Failed condition; a TTL raised before it runs out wins', async () => {
    // The clock is already about a minute ahead of real time (the first test moved it).
    await createJob('failing', 300, 1);
    const job = await finished('failing');
    expect(job.status?.conditions?.some((x) => x.type === 'Failed' && x.status === 'True')).to.equal(true);
    await admin.patch(jobsResource, ns, 'failing', 'merge', { spec: { ttlSecondsAfterFinished: 3600 } });
    const at = finishedAt(job)!;
    await eventually('the timer moved to the raised TTL', async () => (clock.nextTimerAt() === at + 3_600_000 ? true : undefined), 15_000);
    clock.advance(at + 301_000 - clock.now());
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await exists('failing'), 'the old TTL no longer applies').to.equal(true);
    clock.advance(at + 3_600_000 - clock.now());
    await eventually('deleted at the raised TTL', async () => ((await exists('failing')) ? undefined : true), 15_000);
    expect(clock.pendingTimers(), 'nothing left scheduled').to.equal(0);
  });
});
