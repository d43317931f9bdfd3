// The runtime over the real image store: images pulled from a real registry (buildah-built,
// through a docker.io mirror) run under runc, and two pods of one image share its layer
// directories while their writes stay apart.

import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import type { RegistryImageService } from '../images/imageService.js';
import { buildTestImages } from '../../common/images/testImages.js';
import { mirrorTo, openService } from '../testing/imageFixtures.js';
import { startRegistry, type LocalRegistry } from '../../common/images/registryProcess.js';
import type { RuncRuntime } from './runtime.js';
import { makeRuncTestEnv, type RuncTestEnv } from './testing/testEnv.js';

function sandbox(name: string, logDirectory: string): PodSandboxConfig {
  return { metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 }, hostname: name, logDirectory };
}

function container(name: string, image: string, command?: string[]): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: { image }, logPath: `${name}.log`, ...(command ? { command } : {}) };
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}`);
}

describe('runc runtime over the real image store (registry + buildah images)', function () {
  this.timeout(180_000);
  let registry: LocalRegistry;
  let env: RuncTestEnv;
  let images: RegistryImageService;
  let runtime: RuncRuntime;
  let storeRoot: string;

  before(async () => {
    env = await makeRuncTestEnv('img');
    storeRoot = path.join(env.root, 'imagestore');
    registry = await startRegistry({ dir: path.join(env.root, 'registry') });
    await buildTestImages(registry);
    images = await openService(storeRoot, { registries: mirrorTo(registry) });
    runtime = await env.open({ imageLayers: images });
  });

  after(async () => {
    const problems = env ? await env.cleanup() : [];
    images?.close();
    await registry?.stop();
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('pulls busybox through the docker.io mirror and runs it, with its output in the CRI log', async () => {
    await images.pullImage({ image: 'busybox' });
    const pod = sandbox('echo', env.logDir);
    const sb = await runtime.runPodSandbox(pod);
    const id = await runtime.createContainer(sb, container('c', 'busybox', ['echo', 'hello from the image store']), pod);
    await runtime.startContainer(id);
    const status = await until('the container to exit', async () => {
      const s = await runtime.containerStatus(id);
      return s.state === 'CONTAINER_EXITED' ? s : undefined;
    });
    expect(status.exitCode).to.equal(0);
    const log = fs.readFileSync(path.join(env.logDir, 'c.log'), 'utf8');
    expect(log).to.match(/^\S+ stdout F hello from the image store$/m);
    await runtime.stopPodSandbox(sb);
    await runtime.removePodSandbox(sb);
  });

  it('serves gantry/web:v1 in two pods that share its layer directories, each writing only to its own layer', async () => {
    await images.pullImage({ image: 'gantry/web:v1' });
    const resolved = await images.resolve('gantry/web:v1');
    const ips: string[] = [];
    const ids: string[] = [];
    const sandboxes: string[] = [];
    for (const name of ['web-a', 'web-b']) {
      const pod = sandbox(name, env.logDir);
      const sb = await runtime.runPodSandbox(pod);
      sandboxes.push(sb);
      const id = await runtime.createContainer(sb, { ...container(name, 'gantry/web:v1'), logPath: `${name}.log` }, pod);
      await runtime.startContainer(id);
      ids.push(id);
      ips.push((await runtime.podSandboxStatus(sb)).network!.ip);
    }
    expect(ips[0]).to.not.equal(ips[1]);
    for (const ip of ips) expect(await until(`the page at ${ip}`, () => httpGet(`http://${ip}:8080/`))).to.equal('gantry web v1\n');

    // A write in one container changes neither the other nor the shared layers.
    const wrote = await runtime.execSync(ids[0]!, ['sh', '-c', 'echo changed > /www/index.html'], { timeoutSeconds: 5 });
    expect(wrote.exitCode).to.equal(0);
    expect(await httpGet(`http://${ips[0]}:8080/`)).to.equal('changed\n');
    expect(await httpGet(`http://${ips[1]}:8080/`)).to.equal('gantry web v1\n');
    const topLayer = resolved.layerDirs[resolved.layerDirs.length - 1]!;
    expect(fs.readFileSync(path.join(topLayer, 'www', 'index.html'), 'utf8')).to.equal('gantry web v1\n');

    for (const id of ids) await runtime.stopContainer(id, 1);
    for (const sb of sandboxes) {
      await runtime.stopPodSandbox(sb);
      await runtime.removePodSandbox(sb);
    }
  });
});
