import { expect } from 'chai';
import { RestClient } from '../../common/client/restClient.js';
import { FakeClock, settle } from '../../common/clock.js';
import { memoryLogger } from '../../common/controller/testLogger.js';
import { freePort } from '../../common/proc/ports.js';
import { NodeLifecycle } from './nodeLifecycle.js';

describe('NodeLifecycle.register retries', () => {
  it('backs off 0.5 s doubling to 10 s on the injected clock while the API server is away, and stop() ends the wait', async () => {
    // A port nothing listens on: every request is refused at once.
    const port = await freePort();
    const client = new RestClient({ server: `https://127.0.0.1:${port}`, caPem: '', token: 't' });
    const clock = new FakeClock(0);
    const { logger, entries } = memoryLogger();
    const lifecycle = new NodeLifecycle({
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
    let returned = false;
    const done = lifecycle.register().then(() => (returned = true));
    const retries = (): number[] => entries.filter((e) => e.message === 'registering the node failed; retrying').map((e) => e.retryInMs as number);
    for (let i = 0; i < 8 && retries().length < 7; i++) {
      // Let the refused request come back (real I/O), then move the fake clock past the wait.
      for (let j = 0; j < 50 && clock.pendingTimers() === 0; j++) await new Promise((r) => setTimeout(r, 10));
      await clock.advanceAsync(10_000);
    }
    expect(retries().slice(0, 7)).to.deep.equal([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    for (let j = 0; j < 50 && clock.pendingTimers() === 0; j++) await new Promise((r) => setTimeout(r, 10));
    expect(clock.pendingTimers(), 'waiting out a back-off').to.equal(1);
    lifecycle.stop();
    await settle();
    await done;
    expect(returned).to.equal(true);
    expect(clock.pendingTimers()).to.equal(0);
    client.close();
  });
});
