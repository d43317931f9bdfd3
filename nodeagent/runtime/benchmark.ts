// The runtime's latency figures, each beside its floor measured in the same run:
//   - bare `runc run -d` of the image's root filesystem with runc's own minimal spec, and
//     with the spec the runtime generates (same isolation, no runtime around it);
//   - create+start of a container through the runtime (overlay, spec, conmon, records);
//   - a pod sandbox plus one container (netns, CNI, pause, container);
//   - a burst of containers created and started at once.
// Driven by benchmarkMain.ts (a separate process, so bench/ needs no import of nodeagent/).

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PodSandboxConfig } from '../cri/types.js';
import { mountOverlay, unmountAll } from './mounts.js';
import { run, runChecked } from '../../common/proc/run.js';
import type { RuncRuntime } from './runtime.js';
import { makeRuncTestEnv } from './testing/testEnv.js';

export interface BenchmarkOptions {
  iterations: number;
  sandboxIterations: number;
  burst: number;
  progress?: (line: string) => void;
}

export interface BenchmarkResult {
  bareRuncMinimalMs: number[];
  bareRuncRuntimeSpecMs: number[];
  createStartMs: number[];
  createMs: number[];
  startMs: number[];
  sandboxAndContainerMs: number[];
  sandboxMs: number[];
  burstWallMs: number;
  burstEachMs: number[];
  cleanupProblems: string[];
}

const now = (): number => performance.now();

/** `runc run -d`, timed. The container inherits runc's stdio, so it gets none (not our pipes). */
async function timeRuncRun(runcRoot: string, bundle: string, id: string): Promise<number> {
  const t = now();
  const child = spawn('runc', ['--root', runcRoot, '--log', path.join(runcRoot, `${id}.log`), 'run', '-d', '--bundle', bundle, id], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const took = now() - t;
  if (code !== 0) throw new Error(`runc run -d ${id} failed: ${await fs.readFile(path.join(runcRoot, `${id}.log`), 'utf8').catch(() => '')}`);
  return took;
}

async function killRunc(runcRoot: string, id: string): Promise<void> {
  await run('runc', ['--root', runcRoot, 'kill', id, 'KILL']);
  await run('runc', ['--root', runcRoot, 'delete', '--force', id]);
}

export async function runRuntimeBenchmark(o: BenchmarkOptions): Promise<BenchmarkResult> {
  const say = o.progress ?? (() => undefined);
  const env = await makeRuncTestEnv('bench');
  const result: BenchmarkResult = {
    bareRuncMinimalMs: [],
    bareRuncRuntimeSpecMs: [],
    createStartMs: [],
    createMs: [],
    startMs: [],
    sandboxAndContainerMs: [],
    sandboxMs: [],
    burstWallMs: 0,
    burstEachMs: [],
    cleanupProblems: [],
  };
  const bareRoot = path.join(env.root, 'bare-runc');
  await fs.mkdir(bareRoot, { recursive: true });
  // Interrupted: leave nothing behind (the environment's cleanup ends every container by id).
  const onSignal = (): void => {
    void env.cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bareIds: string[] = [];
  const mounted: string[] = [];
  try {
    const rt: RuncRuntime = await env.open();
    const podConfig = (name: string): PodSandboxConfig => ({
      metadata: { name, uid: `${name}-uid`, namespace: 'bench', attempt: 0 },
      hostname: name,
      logDirectory: path.join(env.logDir, name),
    });
    const container = (name: string) => ({ metadata: { name, attempt: 0 }, image: { image: 'busybox' }, command: ['sleep', '3600'], logPath: `${name}.log` });

    // Warm-up: first runs pay for page cache and binary loading.
    say('warm-up');
    const warm = podConfig('warm');
    const warmId = await rt.runPodSandbox(warm);
    const w = await rt.createContainer(warmId, container('w'), warm);
    await rt.startContainer(w);

    // Floor 1: runc's own minimal spec over the image layer (read-only root).
    say(`bare runc run -d, minimal spec, x${o.iterations}`);
    const minimal = path.join(env.root, 'bundle-minimal');
    await fs.mkdir(minimal, { recursive: true });
    await runChecked('runc', ['spec', '--bundle', minimal]);
    const spec = JSON.parse(await fs.readFile(path.join(minimal, 'config.json'), 'utf8')) as {
      process: { terminal: boolean; args: string[] };
      root: { path: string; readonly: boolean };
      linux: { cgroupsPath?: string };
    };
    spec.process.terminal = false;
    spec.process.args = ['/bin/sleep', '3600'];
    spec.root = { path: env.layers.baseLayer, readonly: true };
    for (let i = 0; i < o.iterations; i++) {
      const id = `bare-min-${i}`;
      // Under the run's own cgroup root, so the cleanup finds whatever runc leaves.
      spec.linux.cgroupsPath = `${env.cgroupRoot}/bare/${id}`;
      await fs.writeFile(path.join(minimal, 'config.json'), JSON.stringify(spec));
      result.bareRuncMinimalMs.push(await timeRuncRun(bareRoot, minimal, id));
      bareIds.push(id);
    }

    // Floor 2: the runtime's own generated spec (seccomp, masks, namespaces joined), fresh overlay each.
    say(`bare runc run -d, the runtime's spec, x${o.iterations}`);
    const runtimeSpec = JSON.parse(await fs.readFile(path.join(rt.containerPaths(w).bundle, 'config.json'), 'utf8')) as { root: { path: string }; linux: { cgroupsPath: string } };
    for (let i = 0; i < o.iterations; i++) {
      const id = `bare-rt-${i}`;
      const dir = path.join(env.root, 'bare', id);
      for (const d of ['rootfs', 'upper', 'work']) await fs.mkdir(path.join(dir, d), { recursive: true });
      await mountOverlay([env.layers.baseLayer], path.join(dir, 'upper'), path.join(dir, 'work'), path.join(dir, 'rootfs'));
      mounted.push(path.join(dir, 'rootfs'));
      const s = { ...runtimeSpec, root: { ...runtimeSpec.root, path: path.join(dir, 'rootfs') }, linux: { ...runtimeSpec.linux, cgroupsPath: `${env.cgroupRoot}/bare/${id}` } };
      await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(s));
      result.bareRuncRuntimeSpecMs.push(await timeRuncRun(bareRoot, dir, id));
      bareIds.push(id);
    }

    say(`create+start through the runtime, x${o.iterations}`);
    for (let i = 0; i < o.iterations; i++) {
      const t0 = now();
      const id = await rt.createContainer(warmId, container(`c${i}`), warm);
      const t1 = now();
      await rt.startContainer(id);
      const t2 = now();
      result.createMs.push(t1 - t0);
      result.startMs.push(t2 - t1);
      result.createStartMs.push(t2 - t0);
    }

    say(`sandbox + container, x${o.sandboxIterations}`);
    for (let i = 0; i < o.sandboxIterations; i++) {
      const cfg = podConfig(`pod${i}`);
      const t0 = now();
      const sid = await rt.runPodSandbox(cfg);
      const t1 = now();
      const id = await rt.createContainer(sid, container('main'), cfg);
      await rt.startContainer(id);
      result.sandboxMs.push(t1 - t0);
      result.sandboxAndContainerMs.push(now() - t0);
    }

    say(`burst of ${o.burst} containers`);
    const burstPod = podConfig('burst');
    const burstId = await rt.runPodSandbox(burstPod);
    const tb = now();
    await Promise.all(
      Array.from({ length: o.burst }, async (_, i) => {
        const t = now();
        const id = await rt.createContainer(burstId, container(`b${i}`), burstPod);
        await rt.startContainer(id);
        result.burstEachMs.push(now() - t);
      }),
    );
    result.burstWallMs = now() - tb;
  } finally {
    say('cleaning up');
    for (const id of bareIds) await killRunc(bareRoot, id);
    for (const m of mounted) await unmountAll(m).catch(() => undefined);
    result.cleanupProblems = await env.cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  return result;
}
