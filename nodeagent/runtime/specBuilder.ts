// The OCI runtime specs runc runs: one for a pod's pause process (which holds the pod's
// namespaces) and one per container (which joins them). Pure functions of their inputs,
// so the isolation defaults are unit-tested without starting anything.

import fs from 'node:fs';
import path from 'node:path';
import { BadRequestError } from '../../common/errors.js';
import type { ContainerConfig, ImageConfigSummary, Mount, NamespaceMode, NamespaceOptions } from '../cri/types.js';
import type { OciDevice, OciMount, OciNamespace, OciResources, OciSeccomp, OciSpec } from './oci.js';
import { clampOomScoreAdj, unrestrictedOomScoreAdj } from './oomScoreAdj.js';
import { ociVersion } from './oci.js';
import { commandLine, environment, type ResolvedUser } from './processConfig.js';
import { runtimeDefaultSeccomp } from './seccompProfile.js';
import { defaultCapabilities, defaultMaskedPaths, defaultReadonlyPaths, normalizeCapability } from './securityDefaults.js';

/** What a container needs to know about its pod. */
export interface SandboxView {
  id: string;
  hostname: string;
  /** The pod's pinned network namespace; undefined when the pod uses the node's network. */
  netnsPath?: string;
  /** The pause process, whose ipc/uts/pid namespaces the containers join. */
  pausePid: number;
  namespaceOptions: NamespaceOptions;
  /** The pod's shared /dev/shm (a tmpfs); undefined: each container gets its own. */
  shmPath?: string;
  etc: { hosts: string; resolvConf: string; hostname: string };
}

export interface ContainerSpecInput {
  config: ContainerConfig;
  sandbox: SandboxView;
  image: ImageConfigSummary;
  rootfs: string;
  cgroupsPath: string;
  terminationLogPath: string;
  user: ResolvedUser;
  /** The capabilities this process can grant: what "privileged" means here. */
  boundingSet: readonly string[];
  /** cgroup v2 hosts give each container its own cgroup namespace. */
  cgroupNamespace: boolean;
  /** The lowest oom_score_adj this host lets a container have (oomScoreAdj.ts); default -1000. */
  oomScoreAdjFloor?: number;
  /** The host's device nodes, which a privileged container gets (hostDevices.ts). */
  hostDevices?: readonly OciDevice[];
}

export interface PauseSpecInput {
  hostname: string;
  netnsPath?: string;
  namespaceOptions: NamespaceOptions;
  rootfs: string;
  args: string[];
  cgroupsPath: string;
  sysctls: Record<string, string>;
  cgroupNamespace: boolean;
}

const noSuidNoExecNoDev = ['nosuid', 'noexec', 'nodev'];

function baseMounts(privileged: boolean, shmPath: string | undefined): OciMount[] {
  const ro = privileged ? 'rw' : 'ro';
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: [...noSuidNoExecNoDev] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: [...noSuidNoExecNoDev] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: [...noSuidNoExecNoDev, ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...noSuidNoExecNoDev, 'relatime', ro] },
  ];
  mounts.push(
    shmPath
      ? { destination: '/dev/shm', type: 'bind', source: shmPath, options: ['rbind', 'rprivate', ...noSuidNoExecNoDev, 'rw'] }
      : { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: [...noSuidNoExecNoDev, 'mode=1777', 'size=65536k'] },
  );
  return mounts;
}

const propagationOption: Record<NonNullable<Mount['propagation']>, string> = {
  PROPAGATION_PRIVATE: 'rprivate',
  PROPAGATION_HOST_TO_CONTAINER: 'rslave',
  PROPAGATION_BIDIRECTIONAL: 'rshared',
};

function bind(destination: string, source: string, readonly: boolean, propagation = 'rprivate'): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', propagation, readonly ? 'ro' : 'rw'] };
}

function checkAbsolute(p: string, what: string): void {
  if (!path.isAbsolute(p) || p.split('/').includes('..')) throw new BadRequestError(`${what} ${JSON.stringify(p)} must be an absolute path without ..`);
}

function mode(m: NamespaceMode | undefined, fallback: NamespaceMode): NamespaceMode {
  return m ?? fallback;
}

/** The capability set after the container's add/drop list; `ALL` means everything grantable. */
export function effectiveCapabilities(config: ContainerConfig, boundingSet: readonly string[]): string[] {
  const sc = config.linux?.securityContext;
  if (sc?.privileged) return [...boundingSet];
  const add = (sc?.capabilities?.addCapabilities ?? []).map(normalizeCapability);
  const drop = (sc?.capabilities?.dropCapabilities ?? []).map(normalizeCapability);
  let caps = new Set(defaultCapabilities);
  if (add.includes('ALL')) caps = new Set(boundingSet);
  else for (const c of add) caps.add(c);
  if (drop.includes('ALL')) caps = new Set(add.includes('ALL') ? [] : add);
  else for (const c of drop) caps.delete(c);
  const unknown = [...caps].filter((c) => !/^CAP_[A-Z_]+$/.test(c));
  if (unknown.length) throw new BadRequestError(`unknown capabilities: ${unknown.join(', ')}`);
  return [...caps].sort();
}

function seccompFor(config: ContainerConfig, caps: readonly string[]): OciSeccomp | undefined {
  const sc = config.linux?.securityContext;
  if (sc?.privileged) return undefined;
  const profile = sc?.seccompProfile ?? 'runtime/default';
  if (profile === 'unconfined') return undefined;
  if (profile === 'runtime/default' || profile === 'docker/default' || profile === '') return runtimeDefaultSeccomp(caps);
  if (profile.startsWith('localhost/')) {
    const file = profile.slice('localhost/'.length);
    checkAbsolute(file, 'seccomp profile');
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new BadRequestError(`cannot read seccomp profile ${file}: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { defaultAction?: unknown }).defaultAction !== 'string') {
      throw new BadRequestError(`seccomp profile ${file} has no defaultAction`);
    }
    return parsed as OciSeccomp;
  }
  throw new BadRequestError(`unsupported seccomp profile ${JSON.stringify(profile)} (runtime/default, unconfined or localhost/<path>)`);
}

function resources(config: ContainerConfig, privileged: boolean): OciResources {
  const r = config.linux?.resources ?? {};
  const out: OciResources = {
    // Deny every device node; runc then allows only the standard ones (null, zero, full,
    // random, urandom, tty, console, ptmx, pts). Privileged containers may use any.
    devices: [{ allow: privileged, access: 'rwm' }],
  };
  if (r.memoryLimitInBytes && r.memoryLimitInBytes > 0) out.memory = { limit: r.memoryLimitInBytes };
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares && r.cpuShares > 0) cpu.shares = Math.min(262144, Math.max(2, r.cpuShares));
  if (r.cpuQuota && r.cpuQuota > 0) {
    cpu.quota = r.cpuQuota;
    cpu.period = r.cpuPeriod && r.cpuPeriod > 0 ? r.cpuPeriod : 100_000;
  } else if (r.cpuPeriod && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}

export function buildContainerSpec(input: ContainerSpecInput): OciSpec {
  const { config, sandbox } = input;
  const sc = config.linux?.securityContext;
  const privileged = sc?.privileged === true;
  const podNs = sandbox.namespaceOptions;
  const own = sc?.namespaceOptions ?? {};
  const network = mode(podNs.network, 'POD');
  const ipc = mode(own.ipc ?? podNs.ipc, 'POD');
  const pid = mode(own.pid ?? podNs.pid, 'CONTAINER');
  const pauseNs = (t: string): string => `/proc/${sandbox.pausePid}/ns/${t}`;

  const namespaces: OciNamespace[] = [{ type: 'mount' }];
  if (network !== 'NODE') {
    if (!sandbox.netnsPath) throw new BadRequestError('the sandbox has no network namespace');
    namespaces.push({ type: 'network', path: sandbox.netnsPath });
    // The pod's hostname lives in the pause process's UTS namespace.
    namespaces.push({ type: 'uts', path: pauseNs('uts') });
  }
  if (ipc === 'POD') namespaces.push({ type: 'ipc', path: pauseNs('ipc') });
  else if (ipc === 'CONTAINER') namespaces.push({ type: 'ipc' });
  if (pid === 'POD') namespaces.push({ type: 'pid', path: pauseNs('pid') });
  else if (pid === 'CONTAINER') namespaces.push({ type: 'pid' });
  if (input.cgroupNamespace) namespaces.push({ type: 'cgroup' });

  const userMounts = [...(config.mounts ?? [])];
  for (const m of userMounts) {
    checkAbsolute(m.containerPath, 'mount containerPath');
    checkAbsolute(m.hostPath, 'mount hostPath');
  }
  // Parents before children, so a mount at /a/b is not hidden by one at /a.
  userMounts.sort((a, b) => a.containerPath.split('/').length - b.containerPath.split('/').length);
  const taken = new Set(userMounts.map((m) => path.normalize(m.containerPath)));
  const mounts = [
    ...baseMounts(privileged, ipc === 'POD' ? sandbox.shmPath : undefined),
    bind('/etc/hosts', sandbox.etc.hosts, false),
    bind('/etc/hostname', sandbox.etc.hostname, false),
    bind('/etc/resolv.conf', sandbox.etc.resolvConf, false),
    bind('/dev/termination-log', input.terminationLogPath, false),
  ].filter((m) => !taken.has(m.destination));
  for (const m of userMounts) {
    mounts.push(bind(m.containerPath, m.hostPath, m.readonly === true, propagationOption[m.propagation ?? 'PROPAGATION_PRIVATE']));
  }

  const caps = effectiveCapabilities(config, input.boundingSet);
  const seccomp = seccompFor(config, caps);
  const extraEnv: Record<string, string> = { HOSTNAME: sandbox.hostname };
  const spec: OciSpec = {
    ociVersion,
    process: {
      terminal: config.tty === true,
      user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}) },
      args: commandLine(config, input.image),
      env: environment(input.image.env, config.envs ?? [], extraEnv),
      cwd: config.workingDir || input.image.workingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: privileged ? sc?.noNewPrivs === true : sc?.noNewPrivs !== false,
      ...(config.linux?.resources?.oomScoreAdj !== undefined ? { oomScoreAdj: clampOomScoreAdj(config.linux.resources.oomScoreAdj, input.oomScoreAdjFloor ?? unrestrictedOomScoreAdj) } : {}),
    },
    root: { path: input.rootfs, readonly: sc?.readonlyRootfs === true },
    mounts,
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      resources: resources(config, privileged),
      rootfsPropagation: 'rprivate',
    },
  };
  if (!spec.process.cwd.startsWith('/')) throw new BadRequestError(`workingDir ${JSON.stringify(spec.process.cwd)} must be absolute`);
  if (seccomp) spec.linux.seccomp = seccomp;
  // Kubernetes' privileged: every device of the host, created in the container's /dev (the
  // cgroup rule above already allows them all).
  if (privileged && input.hostDevices?.length) spec.linux.devices = input.hostDevices.map((d) => ({ ...d }));
  if (!privileged) {
    spec.linux.maskedPaths = [...(sc?.maskedPaths ?? defaultMaskedPaths)];
    spec.linux.readonlyPaths = [...(sc?.readonlyPaths ?? defaultReadonlyPaths)];
  }
  return spec;
}

/** The pause process: holds the pod's namespaces and does nothing else, with nothing granted. */
export function buildPauseSpec(input: PauseSpecInput): OciSpec {
  const ns = input.namespaceOptions;
  const namespaces: OciNamespace[] = [{ type: 'mount' }];
  if (mode(ns.network, 'POD') !== 'NODE') {
    if (!input.netnsPath) throw new BadRequestError('a pod network namespace is required');
    namespaces.push({ type: 'network', path: input.netnsPath }, { type: 'uts' });
  }
  if (mode(ns.ipc, 'POD') !== 'NODE') namespaces.push({ type: 'ipc' });
  if (mode(ns.pid, 'CONTAINER') !== 'NODE') namespaces.push({ type: 'pid' });
  if (input.cgroupNamespace) namespaces.push({ type: 'cgroup' });
  const spec: OciSpec = {
    ociVersion,
    process: {
      terminal: false,
      user: { uid: 65535, gid: 65535 },
      args: input.args,
      env: ['PATH=/bin'],
      cwd: '/',
      capabilities: { bounding: [], effective: [], permitted: [] },
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: [...noSuidNoExecNoDev] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    ],
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      seccomp: runtimeDefaultSeccomp([]),
      maskedPaths: [...defaultMaskedPaths],
      readonlyPaths: [...defaultReadonlyPaths],
      rootfsPropagation: 'rprivate',
    },
  };
  if (namespaces.some((n) => n.type === 'uts')) spec.hostname = input.hostname;
  if (Object.keys(input.sysctls).length) spec.linux.sysctl = { ...input.sysctls };
  return spec;
}
