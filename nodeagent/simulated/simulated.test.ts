// What only the simulated runtime has: configured delays on injected time, the pod address
// pool, missing images, and its cost when thousands of containers sit idle.

import { expect } from 'chai';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { BadRequestError, ConflictError, NotFoundError } from '../../common/errors.js';
import { conformanceCommands as cc } from '../cri/conformance.js';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import { InvalidReferenceError } from '../images/errors.js';
import { SimulatedAddressPool } from './addressPool.js';
import { SimulatedHost, type SimulatedHostOptions } from './host.js';
import { SimulatedImageService } from './imageService.js';
import { SimulatedRuntime } from './runtime.js';
import { SimulatedManualTime } from './time.js';

let logRoot: string;
before(async () => {
  logRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-simulated-unit-'));
});
after(async () => {
  await fs.rm(logRoot, { recursive: true, force: true });
});

let seq = 0;
function sandboxConfig(extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const n = seq++;
  return { metadata: { name: `p${n}`, uid: `uid${n}`, namespace: 'ns', attempt: 0 }, hostname: `p${n}`, logDirectory: path.join(logRoot, `ns_p${n}`), ...extra };
}
function containerConfig(command: readonly string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' }, command: [...command], logPath: 'c/0.log', ...extra };
}

interface Node {
  host: SimulatedHost;
  time: SimulatedManualTime;
  rt: SimulatedRuntime;
  images: SimulatedImageService;
}
function makeNode(opts: SimulatedHostOptions = {}): Node {
  const time = new SimulatedManualTime();
  const host = new SimulatedHost({ clock: time, timers: time, preloadedImages: ['busybox'], ...opts });
  return { host, time, rt: new SimulatedRuntime(host), images: new SimulatedImageService(host) };
}
async function runPod(n: Node, extra: Partial<PodSandboxConfig> = {}): Promise<{ id: string; config: PodSandboxConfig }> {
  const config = sandboxConfig(extra);
  return { id: await n.rt.runPodSandbox(config), config };
}
async function runContainer(n: Node, command: readonly string[], extra: Partial<ContainerConfig> = {}): Promise<string> {
  const pod = await runPod(n);
  const id = await n.rt.createContainer(pod.id, containerConfig(command, extra), pod.config);
  await n.rt.startContainer(id);
  return id;
}

/** Whether `p` settles by the time pending continuations have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('simulated runtime: delays on injected time', () => {
  const cases: { name: string; delays: SimulatedHostOptions['delays']; ms: number; op: (n: Node) => Promise<() => Promise<unknown>> }[] = [
    { name: 'pull', delays: { pullDelayMs: 5000 }, ms: 5000, op: async (n) => () => n.images.pullImage({ image: 'nginx:1.25' }) },
    { name: 'run a sandbox', delays: { runPodSandboxDelayMs: 300 }, ms: 300, op: async (n) => () => n.rt.runPodSandbox(sandboxConfig()) },
    {
      name: 'create a container',
      delays: { createDelayMs: 200 },
      ms: 200,
      op: async (n) => {
        const pod = await runPod(n);
        return () => n.rt.createContainer(pod.id, containerConfig(cc.sleepForever), pod.config);
      },
    },
    {
      name: 'start a container',
      delays: { startDelayMs: 1000 },
      ms: 1000,
      op: async (n) => {
        const pod = await runPod(n);
        const id = await n.rt.createContainer(pod.id, containerConfig(cc.sleepForever), pod.config);
        return () => n.rt.startContainer(id);
      },
    },
    {
      name: 'stop a container that exits on SIGTERM',
      delays: { stopDelayMs: 700 },
      ms: 700,
      op: async (n) => {
        const id = await runContainer(n, cc.exitOnTerm(3));
        return () => n.rt.stopContainer(id, 30);
      },
    },
    {
      name: 'stop a container that ignores SIGTERM: the grace period',
      delays: {},
      ms: 30_000,
      op: async (n) => {
        const id = await runContainer(n, cc.sleepForever);
        return () => n.rt.stopContainer(id, 30);
      },
    },
  ];
  for (const tc of cases) {
    it(`${tc.name} takes ${tc.ms} ms`, async () => {
      const n = makeNode({ delays: tc.delays });
      const call = await tc.op(n);
      const p = call();
      await n.time.advance(tc.ms - 1);
      expect(await settled(p), 'settled early').to.equal(false);
      await n.time.advance(1);
      expect(await settled(p), 'settled on time').to.equal(true);
      await p;
      expect(n.time.pending(), 'timers left').to.equal(0);
    });
  }

  it('needs no timer when there is no delay', async () => {
    const n = makeNode();
    const id = await runContainer(n, cc.sleepForever);
    await n.rt.stopContainer(id, 0);
    await n.images.pullImage({ image: 'nginx' });
    expect(n.time.pending()).to.equal(0);
  });

  it('ends a grace period when the process exits on its own', async () => {
    const n = makeNode();
    const id = await runContainer(n, cc.sleepThenExit(2, 9));
    const stop = n.rt.stopContainer(id, 30);
    await n.time.advance(2000);
    await stop;
    const st = await n.rt.containerStatus(id);
    expect([st.state, st.exitCode]).to.deep.equal(['CONTAINER_EXITED', 9]);
  });

  it('ends a grace period when another caller kills the container', async () => {
    const n = makeNode();
    const id = await runContainer(n, cc.sleepForever);
    const stop = n.rt.stopContainer(id, 30);
    await n.rt.removeContainer(id);
    expect(await settled(stop)).to.equal(true);
    expect(n.time.pending()).to.equal(0);
    expect(n.host.pendingWatchers).to.equal(0);
  });

  it('exits a timed container when the clock passes its end, without a timer', async () => {
    const n = makeNode();
    const id = await runContainer(n, cc.sleepThenExit(10, 4));
    expect(n.time.pending()).to.equal(0);
    const started = (await n.rt.containerStatus(id)).startedAt;
    await n.time.advance(9999);
    expect((await n.rt.containerStatus(id)).state).to.equal('CONTAINER_RUNNING');
    await n.time.advance(5000);
    const st = await n.rt.containerStatus(id);
    expect([st.state, st.exitCode, st.reason, st.finishedAt - started]).to.deep.equal(['CONTAINER_EXITED', 4, 'Error', 10_000]);
  });
});

describe('simulated runtime: pod addresses', () => {
  const poolCases: { name: string; subnet: string; steps: (p: SimulatedAddressPool) => string[]; want: string[] }[] = [
    { name: 'skips network and gateway', subnet: '10.1.0.0/24', steps: (p) => [p.allocate(), p.allocate()], want: ['10.1.0.2', '10.1.0.3'] },
    {
      name: 'goes round-robin past released addresses',
      subnet: '10.1.0.0/24',
      steps: (p) => {
        const a = p.allocate();
        p.release(a);
        return [p.allocate()];
      },
      want: ['10.1.0.3'],
    },
    {
      name: 'wraps around to released addresses, never the broadcast',
      subnet: '10.1.0.0/29',
      steps: (p) => {
        const got = [1, 2, 3, 4, 5].map(() => p.allocate());
        p.release(got[1]!);
        return [...got, p.allocate()];
      },
      want: ['10.1.0.2', '10.1.0.3', '10.1.0.4', '10.1.0.5', '10.1.0.6', '10.1.0.3'],
    },
    { name: 'normalises the subnet', subnet: '10.1.0.77/30', steps: (p) => [p.subnet, p.gateway, p.allocate()], want: ['10.1.0.76/30', '10.1.0.77', '10.1.0.78'] },
  ];
  for (const tc of poolCases) {
    it(tc.name, () => {
      expect(tc.steps(new SimulatedAddressPool(tc.subnet))).to.deep.equal(tc.want);
    });
  }

  const badSubnets = ['10.1.0.0', '10.1.0.0/31', '300.1.0.0/16', 'fd00::/64'];
  for (const subnet of badSubnets) {
    it(`refuses the subnet ${subnet}`, () => {
      expect(() => new SimulatedAddressPool(subnet)).to.throw(BadRequestError);
    });
  }

  it('gives addresses to sandboxes, none to host-network ones, and takes them back at stop', async () => {
    const n = makeNode({ podSubnet: '10.2.0.0/29' });
    const pods = [await runPod(n), await runPod(n), await runPod(n), await runPod(n)];
    const hostNet = await runPod(n, { linux: { securityContext: { namespaceOptions: { network: 'NODE' } } } });
    const ips = await Promise.all(pods.map(async (p) => (await n.rt.podSandboxStatus(p.id)).network?.ip));
    expect(ips).to.deep.equal(['10.2.0.2', '10.2.0.3', '10.2.0.4', '10.2.0.5']);
    expect((await n.rt.podSandboxStatus(hostNet.id)).network).to.equal(undefined);
    await runPod(n);
    try {
      await runPod(n);
      expect.fail('a sixth sandbox got an address in a /29');
    } catch (e) {
      expect(e).to.be.instanceOf(ConflictError);
    }
    await n.rt.stopPodSandbox(pods[1]!.id);
    expect((await n.rt.podSandboxStatus(pods[1]!.id)).network).to.equal(undefined);
    expect(n.host.addresses.inUse).to.equal(4);
    expect((await n.rt.podSandboxStatus((await runPod(n)).id)).network?.ip).to.equal('10.2.0.3');
  });
});

describe('simulated images', () => {
  it('pulls with a deterministic id, shared by every node', async () => {
    const [a, b] = [makeNode(), makeNode()];
    const id = await a.images.pullImage({ image: 'gantry/web:v1' });
    expect(id).to.match(/^sha256:[a-f0-9]{64}$/);
    expect(await b.images.pullImage({ image: 'docker.io/gantry/web:v1' })).to.equal(id);
    expect(await a.images.pullImage({ image: 'gantry/web:v2' })).to.not.equal(id);
  });

  const missingCases: { name: string; missing: string[]; image: string; error?: new (...args: never[]) => Error }[] = [
    { name: 'a missing tag', missing: ['gantry/web:v1'], image: 'gantry/web:v1', error: NotFoundError },
    { name: 'another tag of it', missing: ['gantry/web:v1'], image: 'gantry/web:v2' },
    { name: 'any tag of a missing repository', missing: ['gantry/gone'], image: 'docker.io/gantry/gone:v9', error: NotFoundError },
    { name: 'an id not present', missing: [], image: `sha256:${'a'.repeat(64)}`, error: NotFoundError },
    { name: 'a malformed reference', missing: [], image: 'Bad:Ref:', error: InvalidReferenceError },
  ];
  for (const tc of missingCases) {
    it(`pull of ${tc.name}: ${tc.error ? tc.error.name : 'succeeds'}`, async () => {
      const n = makeNode({ missingImages: tc.missing });
      const p = n.images.pullImage({ image: tc.image });
      if (!tc.error) return void (await p);
      try {
        await p;
        expect.fail('pulled');
      } catch (e) {
        expect(e).to.be.instanceOf(tc.error);
      }
      expect(await n.images.listImages()).to.have.length(1); // busybox only
    });
  }

  it('lists, finds by id or reference, reports disk use and removes idempotently', async () => {
    const n = makeNode({ preloadedImages: [], imageConfigs: { nginx: { cmd: ['nginx', '-g', 'daemon off;'], exposedPorts: ['80/tcp'] } } });
    const id = await n.images.pullImage({ image: 'nginx:1.25' });
    const img = await n.images.imageStatus({ image: id });
    expect(img?.repoTags).to.deep.equal(['docker.io/library/nginx:1.25']);
    expect(img?.repoDigests[0]).to.match(/^docker\.io\/library\/nginx@sha256:[a-f0-9]{64}$/);
    expect(img?.spec.cmd).to.deep.equal(['nginx', '-g', 'daemon off;']);
    expect((await n.images.imageStatus({ image: id.slice('sha256:'.length) }))?.id).to.equal(id);
    expect(await n.images.listImages({ image: { image: 'nginx:1.25' } })).to.have.length(1);
    const [fsInfo] = await n.images.imageFsInfo();
    expect(fsInfo?.usedBytes).to.equal(img?.size);
    expect((await n.images.resolve('nginx:1.25')).imageId).to.equal(id);
    await n.images.removeImage({ image: 'nginx:1.25' });
    await n.images.removeImage({ image: 'nginx:1.25' });
    expect(await n.images.listImages()).to.deep.equal([]);
    expect(await n.images.imageStatus({ image: id })).to.equal(undefined);
  });

  it('shares one pull among concurrent callers', async () => {
    const n = makeNode({ delays: { pullDelayMs: 100 } });
    const pulls = [n.images.pullImage({ image: 'redis' }), n.images.pullImage({ image: 'docker.io/library/redis:latest' })];
    expect(n.time.pending()).to.equal(1);
    await n.time.advance(100);
    const [a, b] = await Promise.all(pulls);
    expect(a).to.equal(b);
  });
});

describe('simulated runtime: node behaviour', () => {
  it('a reopened runtime sees exits that happened while the agent was down, at their time', async () => {
    const n = makeNode();
    const id = await runContainer(n, cc.sleepThenExit(5, 2));
    const started = (await n.rt.containerStatus(id)).startedAt;
    await n.time.advance(60_000);
    const st = await new SimulatedRuntime(n.host).containerStatus(id);
    expect([st.state, st.exitCode, st.finishedAt]).to.deep.equal(['CONTAINER_EXITED', 2, started + 5000]);
  });

  it('simulateExit ends a container as a crash or an OOM kill would, and its execs with it', async () => {
    const n = makeNode();
    const id = await runContainer(n, cc.sleepForever);
    const session = await n.rt.exec(id, { cmd: ['sleep', 'infinity'], tty: false, stdin: false, stdout: true, stderr: false });
    session.stdout!.resume();
    n.host.simulateExit(id, 137, 'OOMKilled');
    const st = await n.rt.containerStatus(id);
    expect([st.state, st.exitCode, st.reason]).to.deep.equal(['CONTAINER_EXITED', 137, 'OOMKilled']);
    expect(await session.exitCode).to.equal(137);
  });

  it('services can be told to exit on SIGTERM', async () => {
    const n = makeNode({ serviceExitCodeOnTerm: 143 });
    const id = await runContainer(n, ['nginx']);
    await n.rt.stopContainer(id, 30);
    expect((await n.rt.containerStatus(id)).exitCode).to.equal(143);
  });

  it('runs the image command when the container gives none (a service for the default image)', async () => {
    const n = makeNode();
    const pod = await runPod(n);
    const id = await n.rt.createContainer(pod.id, { ...containerConfig([]), command: [] }, pod.config);
    await n.rt.startContainer(id);
    await n.time.advance(24 * 3600 * 1000);
    expect((await n.rt.containerStatus(id)).state).to.equal('CONTAINER_RUNNING');
  });

  it('exec with a TTY has one output stream with CR LF line ends', async () => {
    const n = makeNode();
    const id = await runContainer(n, cc.sleepForever);
    const s = await n.rt.exec(id, { cmd: [...cc.printThenExit('a', 0)], tty: true, stdin: false, stdout: true, stderr: true });
    const out: Buffer[] = [];
    s.stdout!.on('data', (c: Buffer) => out.push(c));
    expect(s.stderr).to.equal(undefined);
    expect(await s.exitCode).to.equal(0);
    expect(Buffer.concat(out).toString()).to.equal('a\r\na-err\r\n');
  });

  it('reports usage of a running container within its memory limit', async () => {
    const n = makeNode({ usage: { cpuNanoCores: 5e8, memoryBytes: 64 << 20 } });
    const id = await runContainer(n, cc.sleepForever, { linux: { resources: { memoryLimitInBytes: 32 << 20 } } });
    await n.time.advance(2000);
    const s = await n.rt.containerStats(id);
    expect([s.cpuUsageNanoCores, s.cpuUsageCoreNanoSeconds, s.memoryWorkingSetBytes, s.pids]).to.deep.equal([5e8, 1e9, 32 << 20, 1]);
  });
});

describe('simulated runtime: cost of idle containers', function () {
  this.timeout(60_000);
  const containers = 5000;
  const perPod = 5;

  const gc = (): void => {
    v8.setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  };

  async function startIdle(n: Node, logDir: string): Promise<void> {
    for (let p = 0; p < containers / perPod; p++) {
      const pod = await runPod(n, { logDirectory: path.join(logDir, `pod${p}`) });
      for (let i = 0; i < perPod; i++) {
        const id = await n.rt.createContainer(pod.id, containerConfig(cc.sleepForever, { metadata: { name: `c${i}`, attempt: 0 }, logPath: `c${i}/0.log` }), pod.config);
        await n.rt.startContainer(id);
      }
    }
  }

  it(`${containers} idle containers hold no timer, no file, and little memory`, async () => {
    const logDir = await fs.mkdtemp(path.join(logRoot, 'idle-'));
    const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timeouts();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    // Real timers here: a timer made anywhere in the runtime would show in the process's resources.
    const host = new SimulatedHost({ preloadedImages: ['busybox'], podSubnet: '10.3.0.0/16' });
    const n: Node = { host, time: new SimulatedManualTime(), rt: new SimulatedRuntime(host), images: new SimulatedImageService(host) };
    await startIdle(n, logDir);
    gc();
    const perContainer = (process.memoryUsage().heapUsed - heapBefore) / containers;
    expect((await n.rt.listContainers({ state: 'CONTAINER_RUNNING' })).length).to.equal(containers);
    expect(timeouts(), 'timers').to.equal(timersBefore);
    expect(await fs.readdir(logDir), 'files').to.deep.equal([]);
    // A record, the test's config object and a fifth of a sandbox: measured about 1.8 KiB.
    expect(perContainer, 'heap bytes per container').to.be.below(4096);
  });

  it(`${containers} idle containers on manual time schedule nothing`, async () => {
    const n = makeNode({ podSubnet: '10.4.0.0/16' });
    await startIdle(n, path.join(logRoot, 'idle-manual'));
    expect(n.time.pending()).to.equal(0);
    expect(n.host.pendingWatchers).to.equal(0);
  });
});

describe('simulated attach and port-forward leave nothing behind', () => {
  it('an attachment closed or ended by the exit holds no watcher; a forwarded connection neither once done', async () => {
    const n = makeNode();
    const pod = await runPod(n);
    const cat = await n.rt.createContainer(pod.id, containerConfig(cc.copyStdin, { stdin: true }), pod.config);
    await n.rt.startContainer(cat);
    const a = await n.rt.attach(cat, { stdin: true, stdout: true, stderr: false, tty: false });
    expect(n.host.pendingWatchers).to.equal(1);
    a.close();
    await a.ended;
    expect(n.host.pendingWatchers).to.equal(0);
    const b = await n.rt.attach(cat, { stdin: false, stdout: true, stderr: false, tty: false });
    n.host.simulateExit(cat, 137);
    await b.ended;
    expect(n.host.pendingWatchers).to.equal(0);

    const server = await n.rt.createContainer(pod.id, containerConfig(cc.echoServer(9000), { metadata: { name: 's', attempt: 0 }, logPath: 's/0.log' }), pod.config);
    await n.rt.startContainer(server);
    const conn = await n.rt.portForward(pod.id, 9000);
    expect(n.host.pendingWatchers).to.equal(1);
    conn.resume();
    conn.end('x');
    await new Promise((r) => conn.on('close', r));
    expect(n.host.pendingWatchers).to.equal(0);
  });
});
