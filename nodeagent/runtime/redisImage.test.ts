// The example redis image (images/redis, Debian's redis-server packed by buildah) under the
// real runtime: a primary and a replica in two pod sandboxes on the CNI bridge; a client in
// the replica's pod writes to the primary over the pod network and the replica serves it.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import type { RegistryImageService } from '../images/imageService.js';
import { buildTestImages } from '../../common/images/testImages.js';
import { mirrorTo, openService } from '../testing/imageFixtures.js';
import { startRegistry, type LocalRegistry } from '../../common/images/registryProcess.js';
import type { RuncRuntime } from './runtime.js';
import { makeRuncTestEnv, type RuncTestEnv } from './testing/testEnv.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('gantry/redis under the runc runtime: primary and replica on the pod network', function () {
  this.timeout(180_000);
  let registry: LocalRegistry;
  let env: RuncTestEnv;
  let images: RegistryImageService;
  let runtime: RuncRuntime;
  const pods: Record<string, { sandbox: string; container: string; ip: string }> = {};

  /** A pod running gantry/redis:7 with the image's entrypoint and these args. */
  const runRedis = async (name: string, args: string[] = []): Promise<void> => {
    const config: PodSandboxConfig = { metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 }, hostname: name, logDirectory: env.logDir };
    const sandbox = await runtime.runPodSandbox(config);
    const c: ContainerConfig = { metadata: { name: 'redis', attempt: 0 }, image: { image: 'gantry/redis:7' }, logPath: `${name}.log`, args };
    const container = await runtime.createContainer(sandbox, c, config);
    pods[name] = { sandbox, container, ip: (await runtime.podSandboxStatus(sandbox)).network!.ip };
    await runtime.startContainer(container);
  };
  /** Runs a command in a pod's redis container; its stdout, trimmed (redis-cli exits 0 even on a server error). */
  const exec = async (name: string, cmd: string[]): Promise<string> => {
    const r = await runtime.execSync(pods[name]!.container, cmd, { timeoutSeconds: 10 });
    if (r.exitCode !== 0) throw new Error(`${cmd.join(' ')} in ${name} exited ${r.exitCode}: ${r.stderr.toString()}`);
    return r.stdout.toString().trim();
  };

  before(async () => {
    env = await makeRuncTestEnv('redis');
    registry = await startRegistry({ dir: path.join(env.root, 'registry') });
    await buildTestImages(registry);
    images = await openService(path.join(env.root, 'imagestore'), { registries: mirrorTo(registry) });
    runtime = await env.open({ imageLayers: images });
    await images.pullImage({ image: 'gantry/redis:7' });
    await runRedis('redis-primary');
  });

  after(async () => {
    if (runtime) {
      for (const p of Object.values(pods)) {
        await runtime.stopPodSandbox(p.sandbox).catch(() => undefined);
        await runtime.removePodSandbox(p.sandbox).catch(() => undefined);
      }
    }
    const problems = env ? await env.cleanup() : [];
    images?.close();
    await registry?.stop();
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('starts from the image entrypoint as uid 999, answers PING, and logs to stdout', async () => {
    expect(await until('PONG from the primary', async () => ((await exec('redis-primary', ['redis-cli', 'ping'])) === 'PONG' ? 'PONG' : undefined))).to.equal('PONG');
    expect(await exec('redis-primary', ['id', '-u'])).to.equal('999');
    const log = fs.readFileSync(path.join(env.logDir, 'redis-primary.log'), 'utf8');
    expect(log).to.match(/ stdout F .*Ready to accept connections/);
    // The image's config, not redis' built-in defaults: no protected mode, no snapshots.
    expect(await exec('redis-primary', ['redis-cli', 'config', 'get', 'protected-mode'])).to.equal('protected-mode\nno');
    expect(await exec('redis-primary', ['redis-cli', 'config', 'get', 'save'])).to.equal('save');
    expect(await exec('redis-primary', ['redis-cli', 'config', 'get', 'dir'])).to.equal('dir\n/data');
  });

  it('a replica started with --replicaof follows the primary; writes from another pod reach it', async () => {
    const primaryIp = pods['redis-primary']!.ip;
    await runRedis('redis-replica', ['--replicaof', primaryIp, '6379']);
    await until('the replica to finish its sync', async () => {
      const info = await exec('redis-replica', ['redis-cli', 'info', 'replication']);
      return /master_link_status:up/.test(info) ? info : undefined;
    });
    // A client in the replica's pod writes to the primary over the bridge: protected mode is off.
    expect(await exec('redis-replica', ['redis-cli', '-h', primaryIp, 'set', 'greeting', 'hello from the primary'])).to.equal('OK');
    expect(await until('the write on the replica', async () => (await exec('redis-replica', ['redis-cli', 'get', 'greeting'])) || undefined)).to.equal('hello from the primary');
    expect(await exec('redis-replica', ['redis-cli', 'set', 'greeting', 'x'])).to.match(/^READONLY/);
    const primaryInfo = await exec('redis-primary', ['redis-cli', 'info', 'replication']);
    expect(primaryInfo).to.contain('connected_slaves:1');
    expect(primaryInfo).to.contain(`ip=${pods['redis-replica']!.ip},port=6379,state=online`);
  });
});
