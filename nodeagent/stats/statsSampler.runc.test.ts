// The sampler and /stats/summary against real runc pods: a container spinning in a shell loop
// under a half-core CFS limit shows CPU near that limit and a non-zero working set, read
// from the cgroups runc made; an idle one shows next to nothing. Also measures what a sweep
// costs with a handful of pods (the figure in the report).

import { expect } from 'chai';
import path from 'node:path';
import type { StatsSummary } from '../../common/api/statsSummary.js';
import { createLogger } from '../../common/logging.js';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import { detectCgroupVersion } from '../runtime/cgroups.js';
import type { RuncRuntime } from '../runtime/runtime.js';
import { makeRuncTestEnv, type RuncTestEnv } from '../runtime/testing/testEnv.js';
import { get, startTestServer, type TestServer } from '../server/serverTestKit.js';
import { CgroupReader } from './cgroupReader.js';
import { StatsSampler } from './statsSampler.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('stats sampler on real runc pods', function () {
  this.timeout(120_000);
  let env: RuncTestEnv;
  let rt: RuncRuntime;
  let sampler: StatsSampler | undefined;
  let server: TestServer | undefined;
  let seq = 0;

  before(async () => {
    env = await makeRuncTestEnv('stats');
    rt = await env.open();
  });
  after(async () => {
    sampler?.stop();
    await server?.close();
    if (!env) return;
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
    const problems = await env.cleanup();
    expect(problems, 'cleanup had to force').to.deep.equal([]);
  });

  const runPod = async (name: string, command: string[], resources: ContainerConfig['linux'] = {}): Promise<{ uid: string; id: string }> => {
    const uid = `${name}-uid-${++seq}`;
    const config: PodSandboxConfig = { metadata: { name, uid, namespace: 'stats', attempt: 0 }, hostname: name, logDirectory: path.join(env.logDir, `${name}-${seq}`) };
    const sandbox = await rt.runPodSandbox(config);
    const id = await rt.createContainer(sandbox, { metadata: { name: 'main', attempt: 0 }, image: { image: 'busybox' }, logPath: 'main.log', command, linux: resources }, config);
    await rt.startContainer(id);
    return { uid, id };
  };

  it('reports a busy container near its CPU limit, an idle one near zero, both with memory', async () => {
    const burn = await runPod('burn', ['sh', '-c', 'while :; do :; done'], { resources: { cpuQuota: 50_000, cpuPeriod: 100_000 } });
    const idle = await runPod('idle', ['sleep', '3600']);
    const extra = await Promise.all([1, 2, 3].map((i) => runPod(`idle-${i}`, ['sleep', '3600'])));
    sampler = new StatsSampler({
      nodeName: 'stats-node',
      runtime: rt,
      reader: new CgroupReader({ version: detectCgroupVersion() }),
      cgroupRoot: env.cgroupRoot,
      intervalMs: 1000,
      logger: createLogger('test', { level: 'error' }),
    });
    sampler.start();
    server = await startTestServer({ stats: sampler });
    // Two samples a second apart, plus slack for a busy machine.
    let summary: StatsSummary | undefined;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await get(server.port, '/stats/summary');
      if (res.status === 200) {
        summary = JSON.parse(res.body) as StatsSummary;
        const pod = summary.pods.find((p) => p.podRef.uid === burn.uid);
        if (pod?.containers[0]?.cpu.usageNanoCores !== undefined && pod.cpu.usageNanoCores! > 0) break;
      }
      if (Date.now() > deadline) throw new Error(`no rate for the busy pod: ${res.status} ${res.body.slice(0, 500)}`);
      await sleep(200);
    }
    await sleep(2500); // a window wholly inside the loop's run
    summary = JSON.parse((await get(server.port, '/stats/summary')).body) as StatsSummary;

    expect(summary.node.nodeName).to.equal('stats-node');
    expect(summary.node.cpu.usageNanoCores).to.be.greaterThan(0);
    expect(summary.node.memory.workingSetBytes).to.be.greaterThan(0);
    expect(summary.pods.map((p) => p.podRef.uid).sort()).to.deep.equal([burn.uid, idle.uid, ...extra.map((e) => e.uid)].sort());

    const busy = summary.pods.find((p) => p.podRef.uid === burn.uid)!;
    expect(busy.podRef).to.include({ name: 'burn', namespace: 'stats' });
    const c = busy.containers.find((x) => x.name === 'main')!;
    // Half a core allowed; a 2-core machine shared with other work may give it less, never much more.
    expect(c.cpu.usageNanoCores, 'busy container nanocores').to.be.within(0.15e9, 0.6e9);
    expect(c.cpu.windowSeconds).to.be.within(0.5, 3);
    expect(busy.cpu.usageNanoCores!, 'the pod includes its container').to.be.at.least(c.cpu.usageNanoCores! * 0.9);
    expect(c.memory.workingSetBytes).to.be.greaterThan(0);
    expect(c.memory.usageBytes).to.be.at.least(c.memory.workingSetBytes);

    const quiet = summary.pods.find((p) => p.podRef.uid === idle.uid)!;
    expect(quiet.containers[0]!.cpu.usageNanoCores, 'idle container nanocores').to.be.below(0.02e9);
    expect(quiet.containers[0]!.memory.workingSetBytes).to.be.greaterThan(0);

    // The sampling cost: six cgroups' worth of files per pod sweep, measured on this machine.
    const costs: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < 10; i++) {
      await sampler.sampleOnce();
      costs.push(sampler.lastSweepMs);
    }
    const cpu = process.cpuUsage(cpuBefore);
    costs.sort((a, b) => a - b);
    process.stdout.write(
      `      stats sweep of ${summary.pods.length} pods (${summary.pods.length * 2 + 1} cgroups): wall median ${costs[5]!.toFixed(1)} ms, max ${costs[9]!.toFixed(1)} ms; CPU ${((cpu.user + cpu.system) / 10 / 1000).toFixed(1)} ms per sweep\n`,
    );
  });

  it('drops a container and its pod once they are gone', async () => {
    const gone = await runPod('short', ['sleep', '3600']);
    await sampler!.sampleOnce();
    expect(sampler!.summary()!.pods.some((p) => p.podRef.uid === gone.uid)).to.equal(true);
    const sandbox = (await rt.listContainers()).find((c) => c.id === gone.id)!.podSandboxId;
    await rt.stopPodSandbox(sandbox);
    await rt.removePodSandbox(sandbox);
    await sampler!.sampleOnce();
    expect(sampler!.summary()!.pods.some((p) => p.podRef.uid === gone.uid)).to.equal(false);
  });
});
