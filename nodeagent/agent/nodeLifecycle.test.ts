import { expect } from 'chai';
import { RestClient } from '../../common/client/restClient.js';
import { FakeClock, settle } from '../../common/clock.js';
import { memoryLogger } from '../../common/controller/testLogger.js';
import type { Logger } from '../../common/logging.js';
import { freePort } from '../../common/proc/ports.js';
import { NodeLifecycle } from './nodeLifecycle.js';

/** A lifecycle of node n1 whose API server refuses every request (nothing listens at its port). */
async function refusedClient(): Promise<RestClient> {
  return new RestClient({ server: `https://127.0.0.1:${await freePort()}`, caPem: '', token: 't' });
}

function lifecycleFor(client: RestClient, clock: FakeClock, logger: Logger): NodeLifecycle {
  return new NodeLifecycle({
    client,
    identity: { nodeName: 'n1', address: '127.0.0.1', port: 10250, podSubnet: '10.0.0.0/24', maxPods: 110, reservedCpu: '0', reservedMemory: '0', evictionMemoryAvailable: '0', runtimeVersion: 'test://0' },
    host: { cpuCores: 1, memoryBytes: 1n << 30n, hostname: 'n1', machineId: 'm', bootId: 'b', kernelVersion: 'k', osImage: 'o', architecture: 'amd64' },
    leaseDurationSeconds: 40,
    statusReportSeconds: 300,
    health: () => Promise.reject(new Error('not used')),
    diskBytes: () => Promise.resolve(0n),
    clock,
    logger,
  });
}

/** Lets a refused request come back (real I/O) until the lifecycle waits on the fake clock again. */
async function untilWaiting(clock: FakeClock): Promise<void> {
  for (let j = 0; j < 50 && clock.pendingTimers() === 0; j++) await new Promise((r) => setTimeout(r, 10));
}

describe('NodeLifecycle.register retries', () => {
  it('backs off 0.5 s doubling to 10 s on the injected clock while the API server is away, and stop() ends the wait', async () => {
    const client = await refusedClient();
    const clock = new FakeClock(0);
    const { logger, entries } = memoryLogger();
    const lifecycle = lifecycleFor(client, clock, logger);
    let returned = false;
    const done = lifecycle.register().then(() => (returned = true));
    const retries = (): number[] => entries.filter((e) => e.message === 'registering the node failed; retrying').map((e) => e.retryInMs as number);
    for (let i = 0; i < 8 && retries().length < 7; i++) {
      await untilWaiting(clock);
      await clock.advanceAsync(10_000);
    }
    expect(retries().slice(0, 7)).to.deep.equal([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    await untilWaiting(clock);
    expect(clock.pendingTimers(), 'waiting out a back-off').to.equal(1);
    lifecycle.stop();
    await settle();
    await done;
    expect(returned).to.equal(true);
    expect(clock.pendingTimers()).to.equal(0);
    client.close();
  });
});

describe('NodeLifecycle lease renewal', () => {
  it('renews every quarter of the lease duration; a failed renewal is retried after 200 ms doubling to 7 s, not a whole period later', async () => {
    const client = await refusedClient();
    const clock = new FakeClock(0);
    const { logger, entries } = memoryLogger();
    const lifecycle = lifecycleFor(client, clock, logger);
    lifecycle.start();
    try {
      const retries = (): number[] => entries.filter((e) => e.message === 'lease renewal failed; retrying').map((e) => e.retryInMs as number);
      await untilWaiting(clock);
      // Nothing before the first period (40 s / 4).
      await clock.advanceAsync(9_999);
      await settle();
      expect(retries()).to.deep.equal([]);
      await clock.advanceAsync(1);
      for (let i = 0; i < 8 && retries().length < 7; i++) {
        await untilWaiting(clock);
        await clock.advanceAsync(retries().at(-1) ?? 0);
      }
      expect(retries().slice(0, 7)).to.deep.equal([200, 400, 800, 1_600, 3_200, 6_400, 7_000]);
    } finally {
      lifecycle.stop();
      await settle();
      client.close();
    }
    expect(clock.pendingTimers()).to.equal(0);
  });
});
