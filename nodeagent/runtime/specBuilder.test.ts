import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BadRequestError } from '../../common/errors.js';
import type { ContainerConfig } from '../cri/types.js';
import { buildContainerSpec, buildPauseSpec, effectiveCapabilities, type ContainerSpecInput, type SandboxView } from './specBuilder.js';
import { capabilityNames, defaultCapabilities, defaultMaskedPaths, defaultReadonlyPaths } from './securityDefaults.js';

const sandbox: SandboxView = {
  id: 'a'.repeat(32),
  hostname: 'web-1',
  netnsPath: '/run/gantry/netns/a',
  pausePid: 4242,
  namespaceOptions: {},
  shmPath: '/state/sandboxes/a/shm',
  etc: { hosts: '/s/etc/hosts', resolvConf: '/s/etc/resolv.conf', hostname: '/s/etc/hostname' },
};

function input(config: Partial<ContainerConfig> = {}, extra: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    config: { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' }, logPath: 'c.log', command: ['sleep', '1'], ...config },
    sandbox,
    image: { entrypoint: [], cmd: ['sh'], env: ['PATH=/bin', 'FROM_IMAGE=1'], workingDir: '/srv', user: '', exposedPorts: [] },
    rootfs: '/state/containers/c/bundle/rootfs',
    cgroupsPath: '/gantry/podu/c',
    terminationLogPath: '/state/containers/c/termination-log',
    user: { uid: 0, gid: 0, additionalGids: [] },
    boundingSet: capabilityNames,
    cgroupNamespace: false,
    ...extra,
  };
}

function throwsBadRequest(fn: () => unknown): void {
  expect(fn).to.throw(BadRequestError);
}

describe('buildContainerSpec', () => {
  const oomCases = [
    { name: 'Guaranteed on a host with CAP_SYS_RESOURCE', adj: -997, floor: undefined, want: -997 },
    { name: 'Guaranteed on a host without it', adj: -997, floor: 0, want: 0 },
    { name: 'Burstable above the floor', adj: 400, floor: 0, want: 400 },
    { name: 'BestEffort', adj: 1000, floor: 0, want: 1000 },
  ];
  for (const tc of oomCases) {
    it(`oom_score_adj: ${tc.name}`, () => {
      const spec = buildContainerSpec(input({ linux: { resources: { oomScoreAdj: tc.adj } } }, tc.floor === undefined ? {} : { oomScoreAdjFloor: tc.floor }));
      expect(spec.process.oomScoreAdj).to.equal(tc.want);
    });
  }

  it("privileged containers get the host's devices; others none", () => {
    const hostDevices = [{ path: '/dev/loop-control', type: 'c' as const, major: 10, minor: 237, fileMode: 0o600, uid: 0, gid: 0 }];
    expect(buildContainerSpec(input({ linux: { securityContext: { privileged: true } } }, { hostDevices })).linux.devices).to.deep.equal(hostDevices);
    expect(buildContainerSpec(input({}, { hostDevices })).linux.devices).to.equal(undefined);
  });

  it('joins the pod network, UTS and IPC, with its own mount and PID namespaces', () => {
    const spec = buildContainerSpec(input());
    expect(spec.linux.namespaces).to.deep.equal([
      { type: 'mount' },
      { type: 'network', path: '/run/gantry/netns/a' },
      { type: 'uts', path: '/proc/4242/ns/uts' },
      { type: 'ipc', path: '/proc/4242/ns/ipc' },
      { type: 'pid' },
    ]);
    expect(spec.hostname).to.equal(undefined);
  });

  const nsCases = [
    { name: 'shared PID namespace joins the pause process', opts: { pid: 'POD' as const }, want: { type: 'pid', path: '/proc/4242/ns/pid' } },
    { name: 'node PID namespace has none of its own', opts: { pid: 'NODE' as const }, absent: 'pid' },
    { name: 'node IPC namespace has none of its own', opts: { ipc: 'NODE' as const }, absent: 'ipc' },
    { name: 'own IPC namespace', opts: { ipc: 'CONTAINER' as const }, want: { type: 'ipc' } },
  ];
  for (const tc of nsCases) {
    it(tc.name, () => {
      const spec = buildContainerSpec(input({ linux: { securityContext: { namespaceOptions: tc.opts } } }));
      if (tc.want) expect(spec.linux.namespaces).to.deep.include(tc.want);
      if (tc.absent) expect(spec.linux.namespaces.map((n) => n.type)).to.not.include(tc.absent);
    });
  }

  it('uses the node network (and UTS) when the pod does', () => {
    const spec = buildContainerSpec(input({}, { sandbox: { ...sandbox, netnsPath: undefined, namespaceOptions: { network: 'NODE' } } }));
    expect(spec.linux.namespaces.map((n) => n.type)).to.not.include.members(['network', 'uts']);
  });

  it('gives a cgroup namespace on cgroup v2 hosts', () => {
    expect(buildContainerSpec(input({}, { cgroupNamespace: true })).linux.namespaces).to.deep.include({ type: 'cgroup' });
  });

  it('applies the secure defaults', () => {
    const spec = buildContainerSpec(input());
    expect(spec.process.capabilities?.bounding).to.deep.equal([...defaultCapabilities].sort());
    expect(spec.process.capabilities?.effective).to.deep.equal([...defaultCapabilities].sort());
    expect(spec.process.capabilities?.inheritable).to.equal(undefined);
    expect(spec.process.noNewPrivileges).to.equal(true);
    expect(spec.linux.seccomp?.defaultAction).to.equal('SCMP_ACT_ERRNO');
    expect(spec.linux.maskedPaths).to.deep.equal(defaultMaskedPaths);
    expect(spec.linux.readonlyPaths).to.deep.equal(defaultReadonlyPaths);
    expect(spec.linux.resources?.devices).to.deep.equal([{ allow: false, access: 'rwm' }]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).to.include('ro');
    expect(spec.root.readonly).to.equal(false);
  });

  it('privileged: every capability this process holds, any device, no seccomp, no masks, rw /sys', () => {
    const spec = buildContainerSpec(input({ linux: { securityContext: { privileged: true } } }, { boundingSet: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] }));
    expect(spec.process.capabilities?.bounding).to.deep.equal(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
    expect(spec.linux.seccomp).to.equal(undefined);
    expect(spec.linux.maskedPaths).to.equal(undefined);
    expect(spec.linux.readonlyPaths).to.equal(undefined);
    expect(spec.linux.resources?.devices).to.deep.equal([{ allow: true, access: 'rwm' }]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).to.include('rw');
    expect(spec.process.noNewPrivileges).to.equal(false);
  });

  const capCases = [
    { name: 'add one', caps: { addCapabilities: ['NET_ADMIN'] }, has: ['CAP_NET_ADMIN', 'CAP_CHOWN'], not: [] as string[] },
    { name: 'drop one', caps: { dropCapabilities: ['CAP_CHOWN'] }, has: ['CAP_KILL'], not: ['CAP_CHOWN'] },
    { name: 'drop all, add one', caps: { dropCapabilities: ['ALL'], addCapabilities: ['net_bind_service'] }, has: ['CAP_NET_BIND_SERVICE'], not: ['CAP_CHOWN', 'CAP_KILL'] },
    { name: 'add all', caps: { addCapabilities: ['ALL'] }, has: ['CAP_SYS_ADMIN'], not: [] },
  ];
  for (const tc of capCases) {
    it(`capabilities: ${tc.name}`, () => {
      const caps = effectiveCapabilities(input({ linux: { securityContext: { capabilities: tc.caps } } }).config, capabilityNames);
      expect(caps).to.include.members(tc.has);
      for (const c of tc.not) expect(caps).to.not.include(c);
    });
  }

  it('rejects unknown capability names', () => {
    throwsBadRequest(() => buildContainerSpec(input({ linux: { securityContext: { capabilities: { addCapabilities: ['NOT A CAP'] } } } })));
  });

  const seccompCases = [
    { profile: undefined, want: 'SCMP_ACT_ERRNO' },
    { profile: 'runtime/default', want: 'SCMP_ACT_ERRNO' },
    { profile: 'unconfined', want: undefined },
  ];
  for (const tc of seccompCases) {
    it(`seccomp profile ${String(tc.profile)}`, () => {
      const spec = buildContainerSpec(input({ linux: { securityContext: tc.profile ? { seccompProfile: tc.profile } : {} } }));
      expect(spec.linux.seccomp?.defaultAction).to.equal(tc.want);
    });
  }

  it('reads a localhost/ seccomp profile, and refuses bad ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-seccomp-'));
    try {
      const good = path.join(dir, 'good.json');
      fs.writeFileSync(good, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] }));
      fs.writeFileSync(path.join(dir, 'bad.json'), '{"nope":1}');
      expect(buildContainerSpec(input({ linux: { securityContext: { seccompProfile: `localhost/${good}` } } })).linux.seccomp?.defaultAction).to.equal('SCMP_ACT_ALLOW');
      for (const p of [`localhost/${dir}/bad.json`, `localhost/${dir}/missing.json`, 'localhost/relative.json', 'other/x']) {
        throwsBadRequest(() => buildContainerSpec(input({ linux: { securityContext: { seccompProfile: p } } })));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps resources to the OCI fields', () => {
    const spec = buildContainerSpec(input({ linux: { resources: { cpuShares: 1, cpuQuota: 25_000, memoryLimitInBytes: 1 << 26, pidsLimit: 10, oomScoreAdj: 500 } } }));
    expect(spec.linux.resources).to.deep.equal({
      devices: [{ allow: false, access: 'rwm' }],
      memory: { limit: 1 << 26 },
      cpu: { shares: 2, quota: 25_000, period: 100_000 },
      pids: { limit: 10 },
    });
    expect(spec.process.oomScoreAdj).to.equal(500);
    expect(spec.linux.cgroupsPath).to.equal('/gantry/podu/c');
  });

  it('mounts the pod files, /dev/shm and the termination log; user mounts win and keep their order by depth', () => {
    const spec = buildContainerSpec(
      input({
        mounts: [
          { containerPath: '/data/sub', hostPath: '/host/sub', readonly: true },
          { containerPath: '/etc/hosts', hostPath: '/host/hosts' },
          { containerPath: '/data', hostPath: '/host/data', propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
        ],
      }),
    );
    const byDest = new Map(spec.mounts.map((m) => [m.destination, m]));
    expect(byDest.get('/etc/hosts')?.source).to.equal('/host/hosts');
    expect(spec.mounts.filter((m) => m.destination === '/etc/hosts')).to.have.length(1);
    expect(byDest.get('/etc/resolv.conf')?.source).to.equal('/s/etc/resolv.conf');
    expect(byDest.get('/etc/hostname')?.source).to.equal('/s/etc/hostname');
    expect(byDest.get('/dev/shm')?.source).to.equal('/state/sandboxes/a/shm');
    expect(byDest.get('/dev/termination-log')?.source).to.equal('/state/containers/c/termination-log');
    expect(byDest.get('/data')?.options).to.deep.equal(['rbind', 'rslave', 'rw']);
    expect(byDest.get('/data/sub')?.options).to.deep.equal(['rbind', 'rprivate', 'ro']);
    const dests = spec.mounts.map((m) => m.destination);
    expect(dests.indexOf('/data')).to.be.below(dests.indexOf('/data/sub'));
  });

  for (const bad of [{ containerPath: 'rel', hostPath: '/h' }, { containerPath: '/c', hostPath: 'rel' }, { containerPath: '/c/../etc', hostPath: '/h' }]) {
    it(`rejects the mount ${JSON.stringify(bad)}`, () => {
      throwsBadRequest(() => buildContainerSpec(input({ mounts: [bad] })));
    });
  }

  it('builds the process: argv, env with HOSTNAME, cwd, user', () => {
    const spec = buildContainerSpec(
      input({ command: ['echo'], args: ['hi'], envs: [{ key: 'FROM_IMAGE', value: '2' }, { key: 'X', value: 'y' }] }, { user: { uid: 1000, gid: 1001, additionalGids: [5] } }),
    );
    expect(spec.process.args).to.deep.equal(['echo', 'hi']);
    expect(spec.process.env).to.deep.equal(['PATH=/bin', 'FROM_IMAGE=2', 'HOSTNAME=web-1', 'X=y']);
    expect(spec.process.cwd).to.equal('/srv');
    expect(spec.process.user).to.deep.equal({ uid: 1000, gid: 1001, additionalGids: [5] });
    expect(buildContainerSpec(input({ workingDir: '/w' })).process.cwd).to.equal('/w');
  });

  it('readonlyRootfs and noNewPrivs: false are honoured', () => {
    const spec = buildContainerSpec(input({ linux: { securityContext: { readonlyRootfs: true, noNewPrivs: false } } }));
    expect(spec.root.readonly).to.equal(true);
    expect(spec.process.noNewPrivileges).to.equal(false);
  });
});

describe('buildPauseSpec', () => {
  const base = { hostname: 'web-1', netnsPath: '/n', namespaceOptions: {}, rootfs: '/pause', args: ['/bin/busybox', 'sleep', '1'], cgroupsPath: '/g/p/s', sysctls: {}, cgroupNamespace: false };

  it('holds new UTS (with the hostname), IPC and PID namespaces, joins the pinned netns, and has nothing granted', () => {
    const spec = buildPauseSpec(base);
    expect(spec.hostname).to.equal('web-1');
    expect(spec.linux.namespaces).to.deep.equal([{ type: 'mount' }, { type: 'network', path: '/n' }, { type: 'uts' }, { type: 'ipc' }, { type: 'pid' }]);
    expect(spec.process.capabilities?.bounding).to.deep.equal([]);
    expect(spec.process.user.uid).to.equal(65535);
    expect(spec.root).to.deep.equal({ path: '/pause', readonly: true });
    expect(spec.linux.seccomp?.defaultAction).to.equal('SCMP_ACT_ERRNO');
  });

  it('carries sysctls; node network means no hostname and no netns', () => {
    const spec = buildPauseSpec({ ...base, netnsPath: undefined, namespaceOptions: { network: 'NODE' }, sysctls: { 'kernel.shm_rmid_forced': '1' } });
    expect(spec.hostname).to.equal(undefined);
    expect(spec.linux.namespaces.map((n) => n.type)).to.not.include.members(['network', 'uts']);
    expect(spec.linux.sysctl).to.deep.equal({ 'kernel.shm_rmid_forced': '1' });
  });
});
