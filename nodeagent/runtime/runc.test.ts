// What only a real runtime can show: limits in the cgroup files, the kernel's OOM killer,
// pods reaching each other over the bridge, copy-on-write over shared layers, isolation
// defaults seen from inside, and containers outliving a killed node agent process.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { componentCommand } from '../../common/proc/components.js';
import type { ContainerConfig, ContainerState, PodSandboxConfig } from '../cri/types.js';
import { listMounts } from './mounts.js';
import { run } from '../../common/proc/run.js';
import type { RuncRuntime } from './runtime.js';
import { makeRuncTestEnv, type RuncTestEnv } from './testing/testEnv.js';
import { defaultCapabilities, capabilityNames } from './securityDefaults.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('runc runtime (runc-specific)', function () {
  this.timeout(60_000);
  let env: RuncTestEnv;
  let rt: RuncRuntime;
  let seq = 0;

  before(async () => {
    env = await makeRuncTestEnv('runc');
    rt = await env.open();
  });

  afterEach(async () => {
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
  });

  after(async () => {
    if (!env) return;
    const problems = await env.cleanup();
    expect(problems, 'cleanup had to force').to.deep.equal([]);
  });

  const runPod = async (name: string, extra: Partial<PodSandboxConfig> = {}): Promise<{ id: string; config: PodSandboxConfig }> => {
    const config: PodSandboxConfig = {
      metadata: { name, uid: `${name}-uid-${++seq}`, namespace: 'runc', attempt: 0 },
      hostname: name,
      logDirectory: path.join(env.logDir, `${name}-${seq}`),
      ...extra,
    };
    return { id: await rt.runPodSandbox(config), config };
  };
  const runContainer = async (pod: { id: string; config: PodSandboxConfig }, name: string, command: string[] | undefined, extra: Partial<ContainerConfig> = {}): Promise<string> => {
    const config: ContainerConfig = { metadata: { name, attempt: 0 }, image: { image: 'busybox' }, logPath: `${name}.log`, ...extra };
    if (command) config.command = command;
    const id = await rt.createContainer(pod.id, config, pod.config);
    await rt.startContainer(id);
    return id;
  };
  const waitForState = async (id: string, state: ContainerState, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while ((await rt.containerStatus(id)).state !== state) {
      if (Date.now() > deadline) throw new Error(`container ${id} never reached ${state}`);
      await sleep(50);
    }
  };
  const sh = async (id: string, script: string): Promise<{ out: string; err: string; code: number }> => {
    const r = await rt.execSync(id, ['sh', '-c', script], { timeoutSeconds: 20 });
    return { out: r.stdout.toString(), err: r.stderr.toString(), code: r.exitCode };
  };
  const logText = async (id: string): Promise<string> => readFileSync((await rt.containerStatus(id)).logPath, 'utf8');

  describe('cgroup limits', () => {
    it('writes cpu, memory and pids limits into the container cgroup', async () => {
      const pod = await runPod('limits');
      const id = await runContainer(pod, 'c', ['sleep', '3600'], {
        linux: { resources: { cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitInBytes: 64 * 1024 * 1024, pidsLimit: 42 } },
      });
      const read = (controller: string, file: string): string => readFileSync(path.join(rt.cgroupDir(id, controller), file), 'utf8').trim();
      const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
      const cases = v2
        ? [
            { controller: '', file: 'cpu.max', want: '50000 100000' },
            { controller: '', file: 'memory.max', want: String(64 * 1024 * 1024) },
            { controller: '', file: 'pids.max', want: '42' },
          ]
        : [
            { controller: 'cpu', file: 'cpu.shares', want: '512' },
            { controller: 'cpu', file: 'cpu.cfs_quota_us', want: '50000' },
            { controller: 'cpu', file: 'cpu.cfs_period_us', want: '100000' },
            { controller: 'memory', file: 'memory.limit_in_bytes', want: String(64 * 1024 * 1024) },
            { controller: 'pids', file: 'pids.max', want: '42' },
          ];
      for (const tc of cases) expect(read(tc.controller, tc.file), tc.file).to.equal(tc.want);
      // The container is inside its pod's cgroup, under the runtime's root.
      expect(rt.cgroupDir(id, 'memory')).to.contain(`${env.cgroupRoot}/pod${pod.config.metadata.uid}/${id}`);
    });

    it('a memory limit ends in OOMKilled with exit code 137', async () => {
      const pod = await runPod('oom');
      const id = await runContainer(pod, 'c', ['sh', '-c', 'x=a; while true; do x=$x$x; done'], { linux: { resources: { memoryLimitInBytes: 16 * 1024 * 1024 } } });
      await waitForState(id, 'CONTAINER_EXITED');
      const st = await rt.containerStatus(id);
      expect(st.reason).to.equal('OOMKilled');
      expect(st.exitCode).to.equal(137);
    });

    it('a pids limit stops forks beyond it', async () => {
      const pod = await runPod('pids');
      const id = await runContainer(pod, 'c', ['sleep', '3600'], { linux: { resources: { pidsLimit: 6 } } });
      const r = await sh(id, 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 30 >/dev/null 2>&1 & done; echo started');
      expect(r.err).to.match(/fork|Resource temporarily unavailable/i);
      const stats = await rt.containerStats(id);
      expect(stats.pids).to.be.at.most(6);
    });
  });

  describe('pod network', () => {
    it('gives pods different IPs on the bridge, and they reach each other', async () => {
      const a = await runPod('net-a');
      const b = await runPod('net-b');
      const ipA = (await rt.podSandboxStatus(a.id)).network!.ip;
      const ipB = (await rt.podSandboxStatus(b.id)).network!.ip;
      expect(ipA).to.not.equal(ipB);
      const server = await runContainer(a, 'server', ['sh', '-c', 'while true; do echo pong-from-a | nc -l -p 7777; done']);
      const client = await runContainer(b, 'client', ['sleep', '3600']);
      await sleep(300);
      const r = await sh(client, `nc -w 3 ${ipA} 7777 </dev/null`);
      expect(r.out.trim()).to.equal('pong-from-a');
      const ping = await sh(client, `ping -c 1 -W 3 ${ipA}`);
      expect(ping.code, ping.out + ping.err).to.equal(0);
      // Inside the pod, its address is the one reported.
      expect((await sh(server, 'ip -4 addr show eth0')).out).to.contain(`${ipA}/`);
    });

    it('shares network, UTS and IPC namespaces (and /dev/shm) inside a pod, not across pods', async () => {
      const a = await runPod('ns-a');
      const b = await runPod('ns-b');
      const a1 = await runContainer(a, 'one', ['sleep', '3600']);
      const a2 = await runContainer(a, 'two', ['sleep', '3600']);
      const b1 = await runContainer(b, 'one', ['sleep', '3600']);
      const ns = async (id: string): Promise<string> => (await sh(id, 'for n in net uts ipc pid mnt; do readlink /proc/self/ns/$n; done')).out;
      const [na1, na2, nb1] = [await ns(a1), await ns(a2), await ns(b1)];
      const line = (s: string, i: number): string => s.split('\n')[i]!;
      for (const [i, shared] of [[0, true], [1, true], [2, true], [3, false], [4, false]] as const) {
        expect(line(na1, i) === line(na2, i), `namespace ${i} shared in the pod`).to.equal(shared);
        expect(line(na1, i)).to.not.equal(line(nb1, i));
      }
      expect((await sh(a1, 'hostname')).out.trim()).to.equal('ns-a');
      await sh(a1, 'echo shared > /dev/shm/x');
      expect((await sh(a2, 'cat /dev/shm/x')).out).to.equal('shared\n');
      expect((await sh(b1, 'cat /dev/shm/x 2>&1')).code).to.not.equal(0);
      expect((await sh(a1, 'cat /etc/hosts')).out).to.contain('ns-a');
    });

    it("a pod on the node's network has no namespace of its own and no pod IP", async () => {
      const pod = await runPod('hostnet', { linux: { securityContext: { namespaceOptions: { network: 'NODE' } } } });
      const st = await rt.podSandboxStatus(pod.id);
      expect(st.network).to.equal(undefined);
      expect(st.netnsPath).to.equal(undefined);
      const id = await runContainer(pod, 'c', ['sleep', '3600']);
      const hostNet = (await run('readlink', ['/proc/self/ns/net'])).stdout.trim();
      expect((await sh(id, 'readlink /proc/self/ns/net')).out.trim()).to.equal(hostNet);
    });

    it('stopping a sandbox releases its IP and its network namespace', async () => {
      const pod = await runPod('release');
      const st = await rt.podSandboxStatus(pod.id);
      const ipFile = path.join(env.options.root, 'cni', env.networkName, st.network!.ip);
      expect(existsSync(ipFile), 'host-local allocation').to.equal(true);
      expect(existsSync(st.netnsPath!)).to.equal(true);
      await rt.stopPodSandbox(pod.id);
      expect(existsSync(ipFile), 'allocation released').to.equal(false);
      expect(existsSync(st.netnsPath!), 'netns removed').to.equal(false);
      expect((await rt.podSandboxStatus(pod.id)).network).to.equal(undefined);
    });

    it('maps a host port to the pod and removes its rules with the sandbox', async () => {
      const hostPort = 20000 + Math.floor(Math.random() * 20000);
      const pod = await runPod('ports', { portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort }] });
      await runContainer(pod, 'server', ['sh', '-c', 'while true; do echo mapped | nc -l -p 8080; done']);
      await sleep(300);
      const rules = (await run('iptables-save', ['-t', 'nat'])).stdout;
      expect(rules).to.contain(env.networkName);
      const hostIp = (await run('ip', ['-j', '-4', 'route', 'get', '1.1.1.1'])).stdout.match(/"prefsrc":"([\d.]+)"/)?.[1] ?? '127.0.0.1';
      const got = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(hostPort, hostIp);
        let data = '';
        sock.on('data', (c) => (data += c.toString()));
        sock.on('end', () => resolve(data));
        sock.on('error', reject);
        sock.setTimeout(5000, () => sock.destroy(new Error('timeout')));
      });
      expect(got.trim()).to.equal('mapped');
      await rt.stopPodSandbox(pod.id);
      await rt.removePodSandbox(pod.id);
      expect((await run('iptables-save', ['-t', 'nat'])).stdout).to.not.contain(env.networkName);
    });
  });

  describe('root filesystem', () => {
    it('containers of one image share its layer directory; writes stay in each container', async () => {
      const pod = await runPod('cow');
      const one = await runContainer(pod, 'one', ['sleep', '3600']);
      const two = await runContainer(pod, 'two', ['sleep', '3600']);
      const mounts = await listMounts();
      for (const id of [one, two]) {
        const m = mounts.find((x) => x.mountPoint === rt.containerPaths(id).rootfs);
        expect(m?.fsType).to.equal('overlay');
        expect(m?.superOptions).to.contain(`lowerdir=${env.layers.baseLayer}`);
      }
      await sh(one, 'echo changed > /etc/image-file && echo new > /new-file && rm /etc/passwd');
      expect((await sh(one, 'cat /etc/image-file /new-file')).out).to.equal('changed\nnew\n');
      expect((await sh(two, 'cat /etc/image-file; cat /etc/passwd | head -1; test -e /new-file || echo absent')).out).to.equal('from the image\nroot:x:0:0:root:/root:/bin/sh\nabsent\n');
      expect(readFileSync(path.join(env.layers.baseLayer, 'etc', 'image-file'), 'utf8')).to.equal('from the image\n');
      expect(readFileSync(path.join(rt.containerPaths(one).upper, 'new-file'), 'utf8')).to.equal('new\n');
      const paths = rt.containerPaths(one);
      await rt.removeContainer(one);
      expect(existsSync(paths.dir), 'container directory removed').to.equal(false);
      expect((await listMounts()).some((m) => m.mountPoint === paths.rootfs), 'overlay unmounted').to.equal(false);
    });

    it('stacks several layers, the upper one winning', async () => {
      const pod = await runPod('layers');
      const id = await runContainer(pod, 'c', ['sleep', '3600'], { image: { image: 'busybox-layered' } });
      expect((await sh(id, 'cat /etc/image-file /etc/extra')).out).to.equal('from the upper layer\nextra\n');
    });

    it('a read-only root refuses writes; bind mounts honour readonly', async () => {
      const pod = await runPod('ro');
      const hostDir = path.join(env.root, 'hostdir');
      await fs.mkdir(hostDir, { recursive: true });
      const id = await runContainer(pod, 'c', ['sleep', '3600'], {
        linux: { securityContext: { readonlyRootfs: true } },
        mounts: [
          { containerPath: '/data', hostPath: hostDir },
          { containerPath: '/config', hostPath: hostDir, readonly: true },
        ],
      });
      expect((await sh(id, 'touch /x')).code).to.not.equal(0);
      expect((await sh(id, 'echo hi > /data/f')).code).to.equal(0);
      expect(readFileSync(path.join(hostDir, 'f'), 'utf8')).to.equal('hi\n');
      expect((await sh(id, 'echo hi > /config/g')).code).to.not.equal(0);
      expect((await sh(id, 'echo ok > /tmp/t 2>&1 || echo refused')).out).to.equal('refused\n');
    });
  });

  describe('process', () => {
    it('merges image entrypoint and cmd with command and args as Kubernetes does', async () => {
      const pod = await runPod('entry');
      const cases = [
        { name: 'image defaults', extra: {}, want: 'entry cmd\n' },
        { name: 'args replace cmd', extra: { args: ['x', 'y'] }, want: 'entry x y\n' },
        { name: 'command replaces both', extra: { command: ['echo', 'own'] }, want: 'own\n' },
        { name: 'command and args', extra: { command: ['echo'], args: ['a'] }, want: 'a\n' },
      ];
      const ids: string[] = [];
      for (const [i, tc] of cases.entries()) ids.push(await runContainer(pod, `c${i}`, undefined, { image: { image: 'echo-entry' }, ...tc.extra }));
      for (const [i, tc] of cases.entries()) {
        await waitForState(ids[i]!, 'CONTAINER_EXITED');
        expect(await logText(ids[i]!), tc.name).to.match(new RegExp(` stdout F ${tc.want.trim()}\\n$`));
      }
    });

    const userCases = [
      { name: 'image USER by name (nobody)', image: 'echo-entry', sc: {}, want: 'uid=65534 gid=65534' },
      { name: 'runAsUser with the group from /etc/passwd', image: 'busybox', sc: { runAsUser: 1000 }, want: 'uid=1000 gid=1000' },
      { name: 'runAsUser and runAsGroup', image: 'busybox', sc: { runAsUser: 1234, runAsGroup: 4321 }, want: 'uid=1234 gid=4321' },
      { name: 'root by default', image: 'busybox', sc: {}, want: 'uid=0 gid=0' },
    ];
    for (const tc of userCases) {
      it(`runs as the right user: ${tc.name}`, async () => {
        const pod = await runPod('user');
        const id = await runContainer(pod, 'c', ['sh', '-c', 'echo uid=$(id -u) gid=$(id -g)'], { image: { image: tc.image }, linux: { securityContext: tc.sc } });
        await waitForState(id, 'CONTAINER_EXITED');
        expect(await logText(id)).to.contain(`stdout F ${tc.want}\n`);
      });
    }

    it('reports the termination log as the message', async () => {
      const pod = await runPod('termlog');
      // As a non-root user: the file must be writable by whoever the container runs as.
      const id = await runContainer(pod, 'c', ['sh', '-c', 'echo "it broke" > /dev/termination-log; exit 2'], { linux: { securityContext: { runAsUser: 1000 } } });
      await waitForState(id, 'CONTAINER_EXITED');
      const st = await rt.containerStatus(id);
      expect(st.message).to.equal('it broke\n');
      expect(st.reason).to.equal('Error');
    });

    it('a tty container writes through its terminal into the log', async () => {
      const pod = await runPod('tty-container');
      const id = await runContainer(pod, 'c', ['sh', '-c', 'tty; echo hi'], { tty: true });
      await waitForState(id, 'CONTAINER_EXITED');
      const log = await logText(id);
      expect(log).to.match(/ stdout F \/dev\/pts\/\d+\r?\n/);
      expect(log).to.match(/ stdout F hi\r?\n/);
    });

    it('keeps partial lines together in the log', async () => {
      const pod = await runPod('longline');
      const id = await runContainer(pod, 'c', ['sh', '-c', 'head -c 20000 /dev/zero | tr "\\0" x; echo']);
      await waitForState(id, 'CONTAINER_EXITED');
      const raw = await logText(id);
      expect(raw).to.match(/ stdout P x+\n/);
      const { readLogs } = await import('./logs/readLogs.js');
      const out: Buffer[] = [];
      await readLogs((await rt.containerStatus(id)).logPath, {}, (c) => void out.push(c));
      expect(Buffer.concat(out).toString()).to.equal('x'.repeat(20000) + '\n');
    });
  });

  describe('isolation defaults', () => {
    const capMask = (names: readonly string[]): string => {
      let m = 0n;
      for (const n of names) m |= 1n << BigInt(capabilityNames.indexOf(n));
      return m.toString(16).padStart(16, '0');
    };
    const status = async (id: string): Promise<Record<string, string>> => {
      const text = (await sh(id, 'cat /proc/self/status')).out;
      return Object.fromEntries(text.split('\n').map((l) => l.split(':\t')).filter((p) => p.length === 2).map(([k, v]) => [k!, v!.trim()]));
    };

    it('default: minimal capabilities, no_new_privs, seccomp filter, masked and read-only /proc, standard devices only', async () => {
      const pod = await runPod('secure');
      const id = await runContainer(pod, 'c', ['sleep', '3600']);
      const s = await status(id);
      expect(s.CapEff).to.equal(capMask(defaultCapabilities));
      expect(s.CapBnd).to.equal(capMask(defaultCapabilities));
      expect(s.NoNewPrivs).to.equal('1');
      expect(s.Seccomp).to.equal('2');
      // Masked: /proc/timer_list reads empty (a /dev/null bind), /proc/acpi is an empty tmpfs.
      expect((await sh(id, 'wc -c < /proc/timer_list')).out.trim()).to.equal('0');
      expect((await sh(id, 'ls -A /proc/acpi | wc -l')).out.trim()).to.equal('0');
      expect((await sh(id, 'echo 1 > /proc/sys/vm/drop_caches')).code).to.not.equal(0);
      expect((await sh(id, 'mount -t tmpfs x /tmp')).code).to.not.equal(0);
      const devs = (await sh(id, 'ls /dev')).out.split(/\s+/).filter(Boolean).sort();
      const allowed = ['core', 'fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'termination-log', 'tty', 'urandom', 'zero'];
      expect(devs.filter((d) => !allowed.includes(d)), 'unexpected devices').to.deep.equal([]);
      // A device node made anyway cannot be opened (the device cgroup denies it).
      expect((await sh(id, 'mknod /tmp/sda b 8 0 && head -c1 /tmp/sda')).code).to.not.equal(0);
    });

    it('unconfined seccomp and dropped capabilities when asked', async () => {
      const pod = await runPod('unconfined');
      const id = await runContainer(pod, 'c', ['sleep', '3600'], { linux: { securityContext: { seccompProfile: 'unconfined', capabilities: { dropCapabilities: ['ALL'], addCapabilities: ['NET_BIND_SERVICE'] } } } });
      const s = await status(id);
      expect(s.Seccomp).to.equal('0');
      expect(s.CapEff).to.equal(capMask(['CAP_NET_BIND_SERVICE']));
    });

    it('privileged only when asked: all capabilities, no seccomp, may mount', async () => {
      const pod = await runPod('privileged');
      const id = await runContainer(pod, 'c', ['sleep', '3600'], { linux: { securityContext: { privileged: true } } });
      const s = await status(id);
      expect(BigInt('0x' + s.CapEff) & (1n << 21n), 'CAP_SYS_ADMIN').to.not.equal(0n);
      expect(s.Seccomp).to.equal('0');
      expect((await sh(id, 'mount -t tmpfs x /tmp && echo mounted')).out).to.equal('mounted\n');
    });

    it("privileged: the host's devices, with their numbers, usable through the device cgroup", async () => {
      const pod = await runPod('privileged-devices');
      const plain = await runContainer(pod, 'plain', ['sleep', '3600']);
      const priv = await runContainer(pod, 'priv', ['sleep', '3600'], { linux: { securityContext: { privileged: true } } });
      // A device the host has and the standard set lacks; its numbers as the host sees them.
      const hostDev = ['/dev/loop-control', '/dev/kmsg', '/dev/loop0'].find((d) => existsSync(d));
      expect(hostDev, 'a host device to look for').to.be.a('string');
      const numbers = async (id: string, dev: string): Promise<string> => (await sh(id, `stat -c '%F %t:%T' ${dev}`)).out.trim();
      const onHost = (await run('stat', ['-c', '%F %t:%T', hostDev!])).stdout.trim();
      expect(await numbers(priv, hostDev!)).to.equal(onHost);
      expect((await sh(plain, `test -e ${hostDev}`)).code, 'not in an unprivileged container').to.not.equal(0);
      // Opening it goes through the device cgroup: allowed for the privileged container only.
      expect((await sh(priv, 'head -c 0 /dev/loop0 && echo opened')).out).to.equal(existsSync('/dev/loop0') ? 'opened\n' : '');
      expect((await sh(priv, 'ls /dev/pts/ptmx >/dev/null && test ! -e /dev/console -o -c /dev/console && echo ok')).out).to.equal('ok\n');
    });
  });

  describe('QoS classes and oom_score_adj', () => {
    // What the kubelet computes per class; the runtime raises what the host does not allow.
    const classes = [
      { name: 'Guaranteed', adj: -997 },
      { name: 'Burstable', adj: 500 },
      { name: 'BestEffort', adj: 1000 },
    ];
    for (const tc of classes) {
      it(`a ${tc.name} container runs, with oom_score_adj ${tc.adj} or the host's floor`, async () => {
        const pod = await runPod(`qos-${tc.name.toLowerCase()}`);
        const id = await runContainer(pod, 'c', ['sleep', '3600'], { linux: { resources: { oomScoreAdj: tc.adj, ...(tc.name === 'Guaranteed' ? { memoryLimitInBytes: 64 << 20, cpuQuota: 10_000 } : {}) } } });
        expect((await rt.containerStatus(id)).state).to.equal('CONTAINER_RUNNING');
        const want = Math.max(tc.adj, rt.oomScoreAdjFloor);
        expect(readFileSync(`/proc/${rt.containerPid(id)}/oom_score_adj`, 'utf8').trim()).to.equal(String(want));
        expect((await sh(id, 'cat /proc/1/oom_score_adj')).out.trim()).to.equal(String(want));
      });
    }

    it('the probed floor is exact: one below it, runc fails the container (on hosts with a floor)', async function () {
      if (rt.oomScoreAdjFloor <= -1000) this.skip();
      const pod = await runPod('qos-below-floor');
      // A second instance over the same state (it sees the pod), told a floor one too low.
      const strict = await env.open({ oomScoreAdjFloor: rt.oomScoreAdjFloor - 1 });
      const config: ContainerConfig = { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' }, logPath: 'c.log', command: ['sleep', '3600'], linux: { resources: { oomScoreAdj: -997 } } };
      let err: Error | undefined;
      try {
        await strict.startContainer(await strict.createContainer(pod.id, config, pod.config));
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).to.match(/oom_score_adj/);
    });
  });

  describe('attach', () => {
    it('carries a megabyte of binary stdin through and back unchanged (packets split and framed)', async () => {
      const pod = await runPod('attach-bulk');
      const id = await runContainer(pod, 'c', ['cat'], { stdin: true, stdinOnce: true });
      const s = await rt.attach(id, { stdin: true, stdout: true, stderr: true, tty: false });
      const chunks: Buffer[] = [];
      s.stdout!.on('data', (c: Buffer) => chunks.push(c));
      const input = randomBytes(1024 * 1024);
      s.stdin!.end(input);
      await s.ended;
      expect(Buffer.concat(chunks).equals(input), 'output equals input').to.equal(true);
      await waitForState(id, 'CONTAINER_EXITED');
    });

    it("resizes the container's terminal", async () => {
      const pod = await runPod('attach-resize');
      const id = await runContainer(pod, 'c', ['sh', '-c', 'while true; do stty size; sleep 0.1; done'], { stdin: true, tty: true });
      const s = await rt.attach(id, { stdin: true, stdout: true, stderr: false, tty: true });
      let out = '';
      s.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      s.resize(101, 33);
      const deadline = Date.now() + 10_000;
      while (!out.includes('33 101\r\n') && Date.now() < deadline) await sleep(50);
      expect(out).to.contain('33 101\r\n');
      s.close();
      await s.ended;
    });

    it('attaches again after the runtime restarted, to the same stdin', async () => {
      const pod = await runPod('attach-restart');
      const id = await runContainer(pod, 'c', ['cat'], { stdin: true });
      const again = await env.open();
      const s = await again.attach(id, { stdin: true, stdout: true, stderr: true, tty: false });
      let out = '';
      s.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      s.stdin!.write('still here\n');
      const deadline = Date.now() + 10_000;
      while (out !== 'still here\n' && Date.now() < deadline) await sleep(50);
      expect(out).to.equal('still here\n');
      s.close();
      await s.ended;
    });
  });

  describe('exec', () => {
    it('a timed-out exec leaves no process behind in the container', async () => {
      const pod = await runPod('exec-kill');
      const id = await runContainer(pod, 'c', ['sleep', '3600']);
      const r = await rt.execSync(id, ['sleep', '777'], { timeoutSeconds: 1 });
      expect(r.timedOut).to.equal(true);
      await sleep(200);
      expect((await sh(id, 'ps')).out).to.not.contain('sleep 777');
    });

    it('a flooding exec does not grow our memory', async () => {
      const pod = await runPod('exec-flood');
      const id = await runContainer(pod, 'c', ['sleep', '3600']);
      const before = process.memoryUsage().rss;
      const r = await rt.execSync(id, ['head', '-c', String(200 * 1024 * 1024), '/dev/zero'], { timeoutSeconds: 30, maxOutputBytes: 4096 });
      const grew = process.memoryUsage().rss - before;
      expect(r.truncated).to.equal(true);
      expect(r.stdout.length).to.equal(4096);
      expect(grew).to.be.below(64 * 1024 * 1024);
    });

    it('a tty exec runs in a terminal that can be resized', async () => {
      const pod = await runPod('tty');
      const id = await runContainer(pod, 'c', ['sleep', '3600']);
      const s = await rt.exec(id, { cmd: ['sh'], tty: true, stdin: true, stdout: true, stderr: false });
      let out = '';
      s.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      await sleep(500);
      s.resize(101, 33);
      await sleep(300);
      s.stdin!.write('stty size; tty; echo TERM=$TERM; exit 3\n');
      expect(await s.exitCode).to.equal(3);
      expect(out).to.contain('33 101');
      expect(out).to.match(/\/dev\/pts\/\d+/);
      expect(out).to.contain('TERM=xterm');
    });

    it('a tty exec takes the size sent right at the start, before its terminal exists, and its command sees it at once (kubectl exec -t)', async () => {
      const pod = await runPod('tty-first-size');
      const id = await runContainer(pod, 'c', ['sleep', '3600']);
      const s = await rt.exec(id, { cmd: ['stty', 'size'], tty: true, stdin: false, stdout: true, stderr: false });
      s.resize(90, 21);
      let out = '';
      s.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      expect(await s.exitCode).to.equal(0);
      expect(out).to.contain('21 90');
    });
  });

  describe('logs', () => {
    it('follows a log as the container writes, until it exits', async () => {
      const pod = await runPod('follow');
      const id = await runContainer(pod, 'c', ['sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done']);
      const { readLogs } = await import('./logs/readLogs.js');
      const out: string[] = [];
      await readLogs((await rt.containerStatus(id)).logPath, { follow: true, timestamps: true, keepFollowing: async () => (await rt.containerStatus(id)).state !== 'CONTAINER_EXITED', pollIntervalMs: 50 }, (c) => void out.push(c.toString()));
      const lines = out.join('').trimEnd().split('\n');
      expect(lines.map((l) => l.replace(/^\S+ /, ''))).to.deep.equal(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
      for (const l of lines) expect(l).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
    });
  });

  describe('node agent restarts', () => {
    it('containers outlive a kill -9 of the agent process; their exits are collected afterwards', async () => {
      const agent = componentCommand('nodeagent/runtime/testing/agentProcess');
      const args = {
        root: env.options.root,
        layersDir: env.layers.dir,
        bridge: env.bridge,
        subnet: env.subnet,
        networkName: env.networkName,
        cgroupRoot: env.cgroupRoot,
        logDir: env.logDir,
        commands: [['sleep', '3600'], ['sh', '-c', 'sleep 3; exit 7']],
      };
      const child = spawn(agent.command, [...agent.args, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout!.on('data', (c: Buffer) => {
          buf += c.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`agent exited (${String(code)}): ${stderr}`)));
      });
      const { sandboxId, containerIds } = JSON.parse(line) as { sandboxId: string; containerIds: string[] };
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      rt = await env.open();
      const [sleeper, exiter] = containerIds as [string, string];
      expect((await rt.podSandboxStatus(sandboxId)).state).to.equal('SANDBOX_READY');
      expect((await rt.containerStatus(sleeper)).state).to.equal('CONTAINER_RUNNING');
      const pid = rt.containerPid(sleeper)!;
      expect(existsSync(`/proc/${pid}`), 'the container process survived the agent').to.equal(true);
      await waitForState(exiter, 'CONTAINER_EXITED', 15_000);
      expect((await rt.containerStatus(exiter)).exitCode).to.equal(7);
      // And a third incarnation still knows it, from disk alone.
      rt = await env.open();
      expect((await rt.containerStatus(exiter)).exitCode).to.equal(7);
      await rt.stopContainer(sleeper, 0);
      expect((await rt.containerStatus(sleeper)).exitCode).to.equal(137);
    });
  });

  describe('a host crash (conmon and the container killed, no exit record)', () => {
    it('stops and removes the container all the same, not waiting for a record no one will write', async () => {
      const pod = await runPod('crashed');
      const id = await runContainer(pod, 'sleeper', ['sleep', '3600']);
      const containerPid = rt.containerPid(id)!;
      const conmons = readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .filter((e) => {
          try {
            const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
            return cmd.includes('conmon') && cmd.includes(id);
          } catch {
            return false;
          }
        })
        .map(Number);
      expect(conmons, 'the container has a conmon').to.have.length(1);
      for (const pid of [conmons[0]!, containerPid]) process.kill(pid, 'SIGKILL');
      const started = Date.now();
      await rt.stopContainer(id, 10);
      await rt.removeContainer(id);
      process.stdout.write(`      (stop and remove after the crash: ${Date.now() - started} ms)\n`);
      expect((await rt.listContainers()).map((c) => c.id)).to.not.include(id);
      // Gone, or a zombie waiting for its new parent (conmon, its parent, was killed) to reap it.
      const stat = existsSync(`/proc/${containerPid}/stat`) ? readFileSync(`/proc/${containerPid}/stat`, 'utf8') : '';
      expect(stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'), stat).to.equal(true);
    });
  });

  describe('orphans', () => {
    it('reports and removes what no record owns', async () => {
      const hostPort = 20000 + Math.floor(Math.random() * 20000);
      const pod = await runPod('orphan', { portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort }] });
      const id = await runContainer(pod, 'c', ['sleep', '3600']);
      const ip = (await rt.podSandboxStatus(pod.id)).network!.ip;
      const podCgroup = `${env.cgroupRoot}/pod${pod.config.metadata.uid}`;
      // Forget the sandbox and container as a crash between two writes could.
      await fs.rm(path.join(env.options.root, 'sandboxes', pod.id, 'sandbox.json'));
      await fs.rm(path.join(env.options.root, 'containers', id, 'container.json'));
      rt = await env.open();
      const found = await rt.orphans();
      const kinds = (k: string): string[] => found.filter((o) => o.kind === k).map((o) => o.detail);
      expect(kinds('sandbox').some((d) => d.endsWith(pod.id))).to.equal(true);
      expect(kinds('container').some((d) => d.endsWith(id))).to.equal(true);
      expect(found.filter((o) => o.kind === 'container' && (o.id === id || o.id === pod.id) && o.detail.startsWith('runc container'))).to.have.length(2);
      expect(kinds('mount').some((d) => d.endsWith(`${id}/bundle/rootfs`))).to.equal(true);
      expect(kinds('netns').some((d) => d.endsWith(pod.id))).to.equal(true);
      expect(kinds('cgroup')).to.include(podCgroup);
      // Processes first, then mounts, namespaces, cgroups, directories.
      const order = ['container', 'mount', 'netns', 'sandbox', 'cgroup'];
      for (const o of [...found].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))) await rt.removeOrphan(o);
      expect(await rt.orphans()).to.deep.equal([]);
      // Removing the orphaned namespace released what CNI held for it.
      expect(existsSync(path.join(env.options.root, 'cni', env.networkName, ip)), 'address released').to.equal(false);
      expect((await run('iptables-save', ['-t', 'nat'])).stdout).to.not.contain(env.networkName);
    });
  });
});
