// The behaviour every RuntimeService must have, as one mocha suite that each implementation
// runs against itself (the runc runtime; later the simulated one), like containerd's shared
// snapshotter suite. Call `runtimeConformance(name, makeFixture)` from a test file.
//
// The containers run a small, fixed vocabulary of busybox commands (`conformanceCommands`),
// so that a runtime without processes can recognise and emulate each one: sleep forever,
// exit with a code, print then exit, exit on SIGTERM, print the environment or the working
// directory, copy stdin to stdout. Nothing else is assumed about the image.

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { AlreadyExistsError, BadRequestError, ConflictError, NotFoundError } from '../../common/errors.js';
import { readLogs } from '../runtime/logs/readLogs.js';
import { PortForwardError } from './portForwardError.js';
import type { RuntimeService } from './services.js';
import type { ContainerConfig, ContainerState, PodSandboxConfig } from './types.js';

export interface RuntimeConformanceFixture {
  runtime: RuntimeService;
  /** An image whose containers can run the conformance commands. */
  image: string;
  /** A directory the pods' log directories go in. */
  logDirectory: string;
  /** A new instance of the runtime over the same state, as after a node agent restart. */
  reopen(): Promise<RuntimeService>;
  /** Removes everything; returns what had to be removed forcibly (expected: nothing). */
  cleanup(): Promise<string[]>;
}

/** The commands the suite runs; a simulated runtime emulates exactly these. */
export const conformanceCommands = {
  sleepForever: ['sleep', '3600'],
  exitWith: (code: number): string[] => ['sh', '-c', `exit ${code}`],
  /** Prints `text` to stdout and `text-err` to stderr, then exits with `code`. */
  printThenExit: (text: string, code: number): string[] => ['sh', '-c', `echo ${text}; echo ${text}-err >&2; exit ${code}`],
  /** Exits with `code` on SIGTERM (within ~0.1 s). */
  exitOnTerm: (code: number): string[] => ['sh', '-c', `trap "exit ${code}" TERM; while true; do sleep 0.1; done`],
  /** Sleeps `seconds`, then exits with `code`. */
  sleepThenExit: (seconds: number, code: number): string[] => ['sh', '-c', `sleep ${seconds}; exit ${code}`],
  printEnv: (name: string): string[] => ['sh', '-c', `echo "${name}=$${name}"`],
  printWorkingDir: ['pwd'],
  printArgs: ['echo'],
  /** Writes `bytes` zero bytes to stdout. */
  flood: (bytes: number): string[] => ['head', '-c', String(bytes), '/dev/zero'],
  copyStdin: ['cat'],
  /** Serves `port` on every address of the pod, echoing each connection until the client ends its side. */
  echoServer: (port: number): string[] => ['nc', '-ll', '-p', String(port), '-e', 'cat'],
} as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Everything a stream carries, as it arrives. */
function collect(stream: NodeJS.ReadableStream | undefined): { text: () => string; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  if (!stream) return { text: () => '', ended: Promise.resolve() };
  stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
  });
  return { text: () => Buffer.concat(chunks).toString('utf8'), ended };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(cond).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Settles with `p`, or fails after `ms`. */
async function within<T>(what: string, p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function expectRejects(p: Promise<unknown>, cls: abstract new (...args: never[]) => Error): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e, (e as Error).message).to.be.instanceOf(cls);
    return e as Error;
  }
  throw new Error(`expected a ${cls.name}`);
}

export function runtimeConformance(name: string, makeFixture: () => Promise<RuntimeConformanceFixture>): void {
  describe(`RuntimeService conformance: ${name}`, function () {
    this.timeout(60_000);
    let f: RuntimeConformanceFixture;
    let rt: RuntimeService;

    before(async () => {
      f = await makeFixture();
      rt = f.runtime;
    });

    afterEach(async () => {
      for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
      expect(await rt.listContainers(), 'containers left after removing every sandbox').to.deep.equal([]);
    });

    after(async () => {
      if (!f) return;
      const problems = await f.cleanup();
      expect(problems, 'cleanup had to force').to.deep.equal([]);
    });

    const sandboxConfig = (podName: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => {
      const uid = randomBytes(6).toString('hex');
      return {
        metadata: { name: podName, uid, namespace: 'conformance', attempt: 0 },
        hostname: podName,
        logDirectory: path.join(f.logDirectory, `conformance_${podName}_${uid}`),
        ...extra,
      };
    };
    const containerConfig = (cname: string, command: readonly string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
      metadata: { name: cname, attempt: 0 },
      image: { image: f.image },
      command: [...command],
      logPath: `${cname}/0.log`,
      ...extra,
    });
    const runPod = async (podName: string, extra: Partial<PodSandboxConfig> = {}): Promise<{ id: string; config: PodSandboxConfig }> => {
      const config = sandboxConfig(podName, extra);
      return { id: await rt.runPodSandbox(config), config };
    };
    const runContainer = async (pod: { id: string; config: PodSandboxConfig }, cname: string, command: readonly string[], extra: Partial<ContainerConfig> = {}): Promise<string> => {
      const id = await rt.createContainer(pod.id, containerConfig(cname, command, extra), pod.config);
      await rt.startContainer(id);
      return id;
    };
    const waitForState = async (id: string, state: ContainerState, timeoutMs = 15_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await rt.containerStatus(id);
        if (s.state === state) return;
        if (Date.now() > deadline) throw new Error(`container ${id} is ${s.state}, expected ${state}`);
        await sleep(50);
      }
    };
    const logOf = async (id: string): Promise<string> => {
      const st = await rt.containerStatus(id);
      const chunks: Buffer[] = [];
      await readLogs(st.logPath, {}, (c) => void chunks.push(c));
      return Buffer.concat(chunks).toString('utf8');
    };

    describe('version', () => {
      it('names the runtime and its version', async () => {
        const v = await rt.version();
        expect(v.runtimeName).to.be.a('string').with.length.greaterThan(0);
        expect(v.runtimeVersion).to.be.a('string').with.length.greaterThan(0);
        expect(v.runtimeApiVersion).to.equal('v1');
      });
    });

    describe('pod sandboxes', () => {
      it('runs a sandbox: ready, with its metadata, labels and an IP', async () => {
        const pod = await runPod('sb-ready', { labels: { app: 'web' }, annotations: { note: 'x' } });
        const st = await rt.podSandboxStatus(pod.id);
        expect(st.id).to.equal(pod.id);
        expect(st.state).to.equal('SANDBOX_READY');
        expect(st.metadata).to.deep.equal(pod.config.metadata);
        expect(st.labels).to.deep.equal({ app: 'web' });
        expect(st.annotations).to.deep.equal({ note: 'x' });
        expect(st.network?.ip).to.match(/^\d+\.\d+\.\d+\.\d+$/);
        expect(st.createdAt).to.be.greaterThan(0);
      });

      it('gives two sandboxes different IPs', async () => {
        const a = await runPod('sb-ip-a');
        const b = await runPod('sb-ip-b');
        const [sa, sb] = [await rt.podSandboxStatus(a.id), await rt.podSandboxStatus(b.id)];
        expect(sa.network?.ip).to.not.equal(sb.network?.ip);
      });

      it('stops a sandbox (idempotently) and its containers', async () => {
        const pod = await runPod('sb-stop');
        const c = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        await rt.stopPodSandbox(pod.id);
        await rt.stopPodSandbox(pod.id);
        expect((await rt.podSandboxStatus(pod.id)).state).to.equal('SANDBOX_NOTREADY');
        expect((await rt.containerStatus(c)).state).to.equal('CONTAINER_EXITED');
      });

      it('removes a sandbox with its containers, idempotently', async () => {
        const pod = await runPod('sb-remove');
        const c = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        await rt.stopPodSandbox(pod.id);
        await rt.removePodSandbox(pod.id);
        await rt.removePodSandbox(pod.id);
        await expectRejects(rt.podSandboxStatus(pod.id), NotFoundError);
        await expectRejects(rt.containerStatus(c), NotFoundError);
        expect(await rt.listPodSandbox({ id: pod.id })).to.deep.equal([]);
      });

      it('refuses new containers in a stopped sandbox', async () => {
        const pod = await runPod('sb-stopped');
        await rt.stopPodSandbox(pod.id);
        await expectRejects(rt.createContainer(pod.id, containerConfig('c', conformanceCommands.sleepForever), pod.config), ConflictError);
      });

      const unknown = 'f'.repeat(32);
      const unknownCases: { name: string; call: () => Promise<unknown> }[] = [
        { name: 'status', call: () => rt.podSandboxStatus(unknown) },
        { name: 'stop', call: () => rt.stopPodSandbox(unknown) },
        { name: 'create a container in', call: () => rt.createContainer(unknown, containerConfig('c', conformanceCommands.sleepForever), sandboxConfig('x')) },
      ];
      for (const tc of unknownCases) {
        it(`${tc.name} of an unknown sandbox: NotFound`, async () => {
          await expectRejects(tc.call(), NotFoundError);
        });
      }

      it('rejects an invalid sandbox config', async () => {
        const bad = sandboxConfig('sb-bad');
        bad.logDirectory = 'relative/dir';
        await expectRejects(rt.runPodSandbox(bad), BadRequestError);
      });

      it('lists sandboxes with filters', async () => {
        const a = await runPod('sb-list-a', { labels: { tier: 'front' } });
        const b = await runPod('sb-list-b', { labels: { tier: 'back' } });
        await rt.stopPodSandbox(b.id);
        const cases: { name: string; filter: Parameters<RuntimeService['listPodSandbox']>[0]; want: string[] }[] = [
          { name: 'none', filter: {}, want: [a.id, b.id] },
          { name: 'id', filter: { id: b.id }, want: [b.id] },
          { name: 'ready', filter: { state: 'SANDBOX_READY' }, want: [a.id] },
          { name: 'not ready', filter: { state: 'SANDBOX_NOTREADY' }, want: [b.id] },
          { name: 'label', filter: { labelSelector: { tier: 'front' } }, want: [a.id] },
          { name: 'label no match', filter: { labelSelector: { tier: 'none' } }, want: [] },
        ];
        for (const tc of cases) {
          const got = (await rt.listPodSandbox(tc.filter)).map((s) => s.id).filter((id) => id === a.id || id === b.id);
          expect(got.sort(), tc.name).to.deep.equal([...tc.want].sort());
        }
      });
    });

    describe('containers', () => {
      it('goes created -> running -> exited, with times', async () => {
        const pod = await runPod('lifecycle');
        const id = await rt.createContainer(pod.id, containerConfig('c', conformanceCommands.sleepForever, { labels: { role: 'main' } }), pod.config);
        let st = await rt.containerStatus(id);
        expect(st.state).to.equal('CONTAINER_CREATED');
        expect(st.podSandboxId).to.equal(pod.id);
        expect(st.metadata).to.deep.equal({ name: 'c', attempt: 0 });
        expect(st.labels).to.deep.equal({ role: 'main' });
        expect(st.imageRef).to.be.a('string').with.length.greaterThan(0);
        await rt.startContainer(id);
        st = await rt.containerStatus(id);
        expect(st.state).to.equal('CONTAINER_RUNNING');
        expect(st.startedAt).to.be.at.least(st.createdAt);
        await rt.stopContainer(id, 0);
        st = await rt.containerStatus(id);
        expect(st.state).to.equal('CONTAINER_EXITED');
        expect(st.finishedAt).to.be.at.least(st.startedAt - 1000);
        expect(st.exitCode).to.equal(137);
      });

      const exitCases = [
        { code: 0, reason: 'Completed' },
        { code: 1, reason: 'Error' },
        { code: 3, reason: 'Error' },
        { code: 42, reason: 'Error' },
      ];
      for (const tc of exitCases) {
        it(`records exit code ${tc.code} with reason ${tc.reason}`, async () => {
          const pod = await runPod(`exit-${tc.code}`);
          const id = await runContainer(pod, 'c', conformanceCommands.exitWith(tc.code));
          await waitForState(id, 'CONTAINER_EXITED');
          const st = await rt.containerStatus(id);
          expect(st.exitCode).to.equal(tc.code);
          expect(st.reason).to.equal(tc.reason);
          expect(st.finishedAt).to.be.greaterThan(0);
        });
      }

      it('refuses to start a container twice', async () => {
        const pod = await runPod('start-twice');
        const id = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        await expectRejects(rt.startContainer(id), ConflictError);
        await rt.stopContainer(id, 0);
        await expectRejects(rt.startContainer(id), ConflictError);
      });

      const stopCases = [
        { name: 'a process that exits on SIGTERM stops within the grace period with its own code', command: conformanceCommands.exitOnTerm(5), grace: 10, code: 5, minMs: 0, maxMs: 5000 },
        { name: 'a process that ignores SIGTERM is killed after the grace period', command: conformanceCommands.sleepForever, grace: 1, code: 137, minMs: 900, maxMs: 8000 },
        { name: 'a zero grace period kills at once', command: conformanceCommands.exitOnTerm(5), grace: 0, code: 137, minMs: 0, maxMs: 5000 },
      ];
      for (const tc of stopCases) {
        it(`stop: ${tc.name}`, async () => {
          const pod = await runPod('stop');
          const id = await runContainer(pod, 'c', tc.command);
          // Let the shell install its trap.
          await sleep(300);
          const t0 = Date.now();
          await rt.stopContainer(id, tc.grace);
          const took = Date.now() - t0;
          const st = await rt.containerStatus(id);
          expect(st.state).to.equal('CONTAINER_EXITED');
          expect(st.exitCode).to.equal(tc.code);
          expect(took).to.be.within(tc.minMs, tc.maxMs);
          await rt.stopContainer(id, tc.grace);
        });
      }

      it('stops a created, never started container', async () => {
        const pod = await runPod('stop-created');
        const id = await rt.createContainer(pod.id, containerConfig('c', conformanceCommands.sleepForever), pod.config);
        await rt.stopContainer(id, 0);
        expect((await rt.containerStatus(id)).state).to.equal('CONTAINER_EXITED');
      });

      it('removes containers, running or not, idempotently', async () => {
        const pod = await runPod('remove');
        const running = await runContainer(pod, 'running', conformanceCommands.sleepForever);
        const exited = await runContainer(pod, 'exited', conformanceCommands.exitWith(0));
        await waitForState(exited, 'CONTAINER_EXITED');
        for (const id of [running, exited]) {
          await rt.removeContainer(id);
          await rt.removeContainer(id);
          await expectRejects(rt.containerStatus(id), NotFoundError);
        }
        expect(await rt.listContainers({ podSandboxId: pod.id })).to.deep.equal([]);
      });

      it('refuses a second container with the same name and attempt in a sandbox', async () => {
        const pod = await runPod('dup');
        await rt.createContainer(pod.id, containerConfig('c', conformanceCommands.sleepForever), pod.config);
        await expectRejects(rt.createContainer(pod.id, containerConfig('c', conformanceCommands.sleepForever), pod.config), AlreadyExistsError);
        await rt.createContainer(pod.id, containerConfig('c', conformanceCommands.sleepForever, { metadata: { name: 'c', attempt: 1 }, logPath: 'c/1.log' }), pod.config);
      });

      const badConfigs: { name: string; config: (c: ContainerConfig) => ContainerConfig; error: abstract new (...args: never[]) => Error }[] = [
        { name: 'an unknown image', config: (c) => ({ ...c, image: { image: 'no-such-image-anywhere' } }), error: NotFoundError },
        { name: 'a log path out of the log directory', config: (c) => ({ ...c, logPath: '../escape.log' }), error: BadRequestError },
        { name: 'an absolute log path', config: (c) => ({ ...c, logPath: '/tmp/x.log' }), error: BadRequestError },
        { name: 'no name', config: (c) => ({ ...c, metadata: { name: '', attempt: 0 } }), error: BadRequestError },
      ];
      for (const tc of badConfigs) {
        it(`rejects ${tc.name}`, async () => {
          const pod = await runPod('bad');
          await expectRejects(rt.createContainer(pod.id, tc.config(containerConfig('c', conformanceCommands.sleepForever)), pod.config), tc.error);
          expect(await rt.listContainers({ podSandboxId: pod.id })).to.deep.equal([]);
        });
      }

      it('lists containers with filters', async () => {
        const p1 = await runPod('list-1');
        const p2 = await runPod('list-2');
        const a = await runContainer(p1, 'a', conformanceCommands.sleepForever, { labels: { k: 'a' } });
        const b = await rt.createContainer(p1.id, containerConfig('b', conformanceCommands.sleepForever, { labels: { k: 'b' } }), p1.config);
        const c = await runContainer(p2, 'c', conformanceCommands.exitWith(0), { labels: { k: 'a' } });
        await waitForState(c, 'CONTAINER_EXITED');
        const cases: { name: string; filter: Parameters<RuntimeService['listContainers']>[0]; want: string[] }[] = [
          { name: 'none', filter: {}, want: [a, b, c] },
          { name: 'id', filter: { id: b }, want: [b] },
          { name: 'sandbox', filter: { podSandboxId: p1.id }, want: [a, b] },
          { name: 'running', filter: { state: 'CONTAINER_RUNNING' }, want: [a] },
          { name: 'created', filter: { state: 'CONTAINER_CREATED' }, want: [b] },
          { name: 'exited', filter: { state: 'CONTAINER_EXITED' }, want: [c] },
          { name: 'label', filter: { labelSelector: { k: 'a' } }, want: [a, c] },
          { name: 'label and sandbox', filter: { labelSelector: { k: 'a' }, podSandboxId: p2.id }, want: [c] },
        ];
        for (const tc of cases) {
          const got = (await rt.listContainers(tc.filter)).map((x) => x.id).filter((id) => [a, b, c].includes(id));
          expect(got.sort(), tc.name).to.deep.equal([...tc.want].sort());
        }
      });

      it('passes env, args and working directory', async () => {
        const pod = await runPod('process');
        const env = await runContainer(pod, 'env', conformanceCommands.printEnv('GREETING'), { envs: [{ key: 'GREETING', value: 'hello world' }] });
        const cwd = await runContainer(pod, 'cwd', conformanceCommands.printWorkingDir, { workingDir: '/tmp' });
        const args = await runContainer(pod, 'args', conformanceCommands.printArgs, { args: ['one', 'two'] });
        for (const id of [env, cwd, args]) await waitForState(id, 'CONTAINER_EXITED');
        expect(await logOf(env)).to.equal('GREETING=hello world\n');
        expect(await logOf(cwd)).to.equal('/tmp\n');
        expect(await logOf(args)).to.equal('one two\n');
      });
    });

    describe('logs', () => {
      it('writes stdout and stderr to the log file in the CRI format', async () => {
        const pod = await runPod('logs');
        const id = await runContainer(pod, 'c', conformanceCommands.printThenExit('hello', 0));
        await waitForState(id, 'CONTAINER_EXITED');
        const st = await rt.containerStatus(id);
        expect(st.logPath).to.equal(path.join(pod.config.logDirectory, 'c/0.log'));
        const raw = await fs.readFile(st.logPath, 'utf8');
        const lines = raw.trimEnd().split('\n');
        expect(lines).to.have.length(2);
        for (const l of lines) expect(l).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) (stdout|stderr) [FP] /);
        expect(lines.find((l) => l.includes(' stdout F hello'))).to.not.equal(undefined);
        expect(lines.find((l) => l.includes(' stderr F hello-err'))).to.not.equal(undefined);
        const stdoutOnly: Buffer[] = [];
        await readLogs(st.logPath, { stream: 'stdout' }, (c) => void stdoutOnly.push(c));
        expect(Buffer.concat(stdoutOnly).toString()).to.equal('hello\n');
      });
    });

    describe('exec', () => {
      it('execSync returns exit code, stdout and stderr', async () => {
        const pod = await runPod('exec');
        const id = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        const r = await rt.execSync(id, [...conformanceCommands.printThenExit('hi', 7)], { timeoutSeconds: 10 });
        expect(r.exitCode).to.equal(7);
        expect(r.stdout.toString()).to.equal('hi\n');
        expect(r.stderr.toString()).to.equal('hi-err\n');
        expect(r.timedOut).to.equal(false);
        expect(r.truncated).to.equal(false);
      });

      it('execSync stops a command at its deadline', async () => {
        const pod = await runPod('exec-timeout');
        const id = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        const t0 = Date.now();
        const r = await rt.execSync(id, [...conformanceCommands.sleepForever], { timeoutSeconds: 1 });
        expect(r.timedOut).to.equal(true);
        expect(Date.now() - t0).to.be.below(8000);
      });

      it('execSync caps the output it keeps', async () => {
        const pod = await runPod('exec-flood');
        const id = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        const r = await rt.execSync(id, [...conformanceCommands.flood(4 * 1024 * 1024)], { timeoutSeconds: 20, maxOutputBytes: 1000 });
        expect(r.stdout.length).to.equal(1000);
        expect(r.truncated).to.equal(true);
        expect(r.exitCode).to.equal(0);
      });

      it('exec refuses a container that is not running', async () => {
        const pod = await runPod('exec-exited');
        const id = await runContainer(pod, 'c', conformanceCommands.exitWith(0));
        await waitForState(id, 'CONTAINER_EXITED');
        await expectRejects(rt.execSync(id, ['true'], { timeoutSeconds: 5 }), ConflictError);
      });

      it('exec streams stdin and stdout of an interactive command', async () => {
        const pod = await runPod('exec-stream');
        const id = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        const s = await rt.exec(id, { cmd: [...conformanceCommands.copyStdin], tty: false, stdin: true, stdout: true, stderr: true });
        const out: Buffer[] = [];
        s.stdout!.on('data', (c: Buffer) => out.push(c));
        s.stdin!.write('line one\n');
        s.stdin!.end('line two\n');
        expect(await s.exitCode).to.equal(0);
        expect(Buffer.concat(out).toString()).to.equal('line one\nline two\n');
      });
    });

    describe('attach', () => {
      const stdio = { stdin: true, stdout: true, stderr: true, tty: false };

      it('copies stdin to the container and its output back; with stdinOnce the end of input ends the container', async () => {
        const pod = await runPod('attach-once');
        const id = await runContainer(pod, 'c', conformanceCommands.copyStdin, { stdin: true, stdinOnce: true });
        const s = await rt.attach(id, stdio);
        expect(s.stdin, 'stdin').to.not.equal(undefined);
        const out = collect(s.stdout);
        const err = collect(s.stderr);
        s.stdin!.write('line one\n');
        await until('the first line', () => out.text() === 'line one\n');
        s.stdin!.end('line two\n');
        await within('the attachment to end', s.ended);
        await out.ended;
        expect(out.text()).to.equal('line one\nline two\n');
        expect(err.text()).to.equal('');
        await waitForState(id, 'CONTAINER_EXITED');
        expect((await rt.containerStatus(id)).exitCode).to.equal(0);
        await until('the log', async () => (await logOf(id)) === 'line one\nline two\n');
      });

      it("with stdinOnce, detaching without ending the input still ends the container's stdin", async () => {
        const pod = await runPod('attach-once-detach');
        const id = await runContainer(pod, 'c', conformanceCommands.copyStdin, { stdin: true, stdinOnce: true });
        const s = await rt.attach(id, stdio);
        const out = collect(s.stdout);
        s.stdin!.write('bye\n');
        await until('the echo', () => out.text() === 'bye\n');
        s.close();
        await within('the attachment to end', s.ended);
        await waitForState(id, 'CONTAINER_EXITED');
        expect((await rt.containerStatus(id)).exitCode).to.equal(0);
      });

      it('with stdinOnce, an attachment without stdin leaves the input open; it sees the output of one with stdin', async () => {
        const pod = await runPod('attach-once-watch');
        const id = await runContainer(pod, 'c', conformanceCommands.copyStdin, { stdin: true, stdinOnce: true });
        const watcher = await rt.attach(id, { stdin: false, stdout: true, stderr: true, tty: false });
        expect(watcher.stdin).to.equal(undefined);
        const watched = collect(watcher.stdout);
        const typer = await rt.attach(id, stdio);
        typer.stdin!.write('seen\n');
        await until('the watcher to see the output', () => watched.text() === 'seen\n');
        watcher.close();
        await within('the watcher to end', watcher.ended);
        await sleep(200);
        expect((await rt.containerStatus(id)).state, 'still running after the watcher left').to.equal('CONTAINER_RUNNING');
        typer.stdin!.end();
        await within('the typer to end', typer.ended);
        await waitForState(id, 'CONTAINER_EXITED');
      });

      it('without stdinOnce, detaching leaves the container and its stdin open for the next attach', async () => {
        const pod = await runPod('attach-keep');
        const id = await runContainer(pod, 'c', conformanceCommands.copyStdin, { stdin: true });
        const first = await rt.attach(id, stdio);
        const out1 = collect(first.stdout);
        first.stdin!.end('one\n');
        await until('the echo of the first attach', () => out1.text() === 'one\n');
        first.close();
        await within('the first attachment to end', first.ended);
        await sleep(200);
        expect((await rt.containerStatus(id)).state).to.equal('CONTAINER_RUNNING');
        const second = await rt.attach(id, stdio);
        const out2 = collect(second.stdout);
        second.stdin!.write('two\n');
        await until('the echo of the second attach', () => out2.text() === 'two\n');
        second.close();
        await within('the second attachment to end', second.ended);
        expect((await rt.containerStatus(id)).state).to.equal('CONTAINER_RUNNING');
      });

      it('with a terminal: input is echoed, lines end in CR LF, one output stream, resize is taken', async () => {
        const pod = await runPod('attach-tty');
        const id = await runContainer(pod, 'c', conformanceCommands.copyStdin, { stdin: true, stdinOnce: true, tty: true });
        const s = await rt.attach(id, { stdin: true, stdout: true, stderr: true, tty: true });
        expect(s.stderr, 'a terminal has no separate stderr').to.equal(undefined);
        const out = collect(s.stdout);
        s.resize(100, 30);
        s.stdin!.write('hi\n');
        await until('the echo and the copy', () => out.text() === 'hi\r\nhi\r\n');
        s.close();
        await within('the attachment to end', s.ended);
        expect((await rt.containerStatus(id)).state).to.equal('CONTAINER_RUNNING');
      });

      it('gives output only for a container created without stdin', async () => {
        const pod = await runPod('attach-nostdin');
        const id = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        const s = await rt.attach(id, stdio);
        expect(s.stdin).to.equal(undefined);
        expect(s.stdout).to.not.equal(undefined);
        s.close();
        await within('the attachment to end', s.ended);
        expect((await rt.containerStatus(id)).state).to.equal('CONTAINER_RUNNING');
      });

      it('ends when the container exits', async () => {
        const pod = await runPod('attach-exit');
        const id = await runContainer(pod, 'c', conformanceCommands.copyStdin, { stdin: true });
        const s = await rt.attach(id, stdio);
        const out = collect(s.stdout);
        await rt.stopContainer(id, 0);
        await within('the attachment to end', s.ended);
        await within('stdout to end', out.ended);
      });

      it('refuses an exited container (Conflict) and an unknown one (NotFound)', async () => {
        const pod = await runPod('attach-refused');
        const id = await runContainer(pod, 'c', conformanceCommands.exitWith(0));
        await waitForState(id, 'CONTAINER_EXITED');
        await expectRejects(rt.attach(id, stdio), ConflictError);
        await expectRejects(rt.attach('f'.repeat(32), stdio), NotFoundError);
      });
    });

    describe('port-forward', () => {
      const echoThrough = async (conn: Duplex, text: string): Promise<string> => {
        const got = collect(conn);
        conn.end(text);
        await within('the echo to end', got.ended);
        conn.destroy();
        return got.text();
      };
      /** The server needs a moment to listen: refused until then. */
      const forwardWhenListening = async (podId: string, port: number): Promise<Duplex> => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            return await rt.portForward(podId, port);
          } catch (e) {
            if (!(e instanceof PortForwardError) || e.failure !== 'refused' || Date.now() > deadline) throw e;
            await sleep(50);
          }
        }
      };

      it("connects to a port on the pod's loopback, half-close and all", async () => {
        const pod = await runPod('pf');
        await runContainer(pod, 'server', conformanceCommands.echoServer(8080));
        const conn = await forwardWhenListening(pod.id, 8080);
        expect(await echoThrough(conn, 'ping\n')).to.equal('ping\n');
        // A second connection: the server is persistent.
        expect(await echoThrough(await rt.portForward(pod.id, 8080), 'again\n')).to.equal('again\n');
      });

      it("reaches only its own pod's ports: refused where nothing listens", async () => {
        const a = await runPod('pf-a');
        const b = await runPod('pf-b');
        await runContainer(a, 'server', conformanceCommands.echoServer(8080));
        (await forwardWhenListening(a.id, 8080)).destroy();
        const refused = (await expectRejects(rt.portForward(b.id, 8080), PortForwardError)) as PortForwardError;
        expect(refused.failure).to.equal('refused');
        expect(refused.port).to.equal(8080);
        expect(refused.message).to.match(/connection refused/);
        expect(((await expectRejects(rt.portForward(a.id, 8081), PortForwardError)) as PortForwardError).failure).to.equal('refused');
      });

      it("on the node's network: the node's loopback", async () => {
        const port = 20_000 + Math.floor(Math.random() * 20_000);
        const pod = await runPod('pf-host', { linux: { securityContext: { namespaceOptions: { network: 'NODE' } } } });
        await runContainer(pod, 'server', conformanceCommands.echoServer(port));
        const conn = await forwardWhenListening(pod.id, port);
        expect(await echoThrough(conn, 'host\n')).to.equal('host\n');
      });

      it('rejects a bad port (BadRequest), an unknown sandbox (NotFound), a stopped one (Conflict)', async () => {
        const pod = await runPod('pf-bad');
        for (const port of [0, -1, 65536, 1.5]) await expectRejects(rt.portForward(pod.id, port), BadRequestError);
        await expectRejects(rt.portForward('f'.repeat(32), 8080), NotFoundError);
        await rt.stopPodSandbox(pod.id);
        await expectRejects(rt.portForward(pod.id, 8080), ConflictError);
      });
    });

    describe('stats', () => {
      it('reports cpu and memory of a running container', async () => {
        const pod = await runPod('stats');
        const id = await runContainer(pod, 'c', conformanceCommands.sleepForever);
        const s = await rt.containerStats(id);
        expect(s.id).to.equal(id);
        expect(s.timestamp).to.be.greaterThan(0);
        expect(s.cpuUsageCoreNanoSeconds).to.be.at.least(0);
        expect(s.memoryUsageBytes).to.be.at.least(s.memoryWorkingSetBytes);
      });
    });

    describe('restart of the runtime', () => {
      it('keeps running containers and collects exits that happened meanwhile', async () => {
        const pod = await runPod('restart');
        const long = await runContainer(pod, 'long', conformanceCommands.exitOnTerm(4));
        const short = await runContainer(pod, 'short', conformanceCommands.sleepThenExit(1, 9));
        rt = await f.reopen();
        expect((await rt.podSandboxStatus(pod.id)).state).to.equal('SANDBOX_READY');
        expect((await rt.listContainers({ podSandboxId: pod.id })).map((c) => c.id).sort()).to.deep.equal([long, short].sort());
        expect((await rt.containerStatus(long)).state).to.equal('CONTAINER_RUNNING');
        await waitForState(short, 'CONTAINER_EXITED');
        expect((await rt.containerStatus(short)).exitCode).to.equal(9);
        await rt.stopContainer(long, 10);
        expect((await rt.containerStatus(long)).exitCode).to.equal(4);
      });

      it('reports nothing orphaned in a clean state', async () => {
        await runPod('orphans');
        rt = await f.reopen();
        expect(await rt.orphans()).to.deep.equal([]);
      });
    });
  });
}
