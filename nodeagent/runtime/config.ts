// The runc runtime's configuration: defaults for a node, checked at start-up so a missing
// tool or a clashing subnet fails fast with a clear message instead of at the first pod.

import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import type { ImageLayers } from '../cri/layers.js';
import { parseCidr } from './subnet.js';

export interface PodNetworkOptions {
  /** Linux bridge the pods attach to (at most 15 characters). Default gantry0. */
  bridge?: string;
  /** IPv4 CIDR for pod addresses. Default 10.88.0.0/16. */
  subnet?: string;
  /** CNI network name; default `gantry-<bridge>`. */
  name?: string;
  /** Masquerade traffic leaving the pod subnet. Default true. */
  ipMasq?: boolean;
  mtu?: number;
}

export interface RuncRuntimeOptions {
  /** State directory (records, bundles, writable layers, netns pins, runc state). */
  root: string;
  imageLayers: ImageLayers;
  network?: PodNetworkOptions;
  /** Parent of every pod cgroup, absolute in the cgroup hierarchy. Default /gantry. */
  cgroupRoot?: string;
  runcPath?: string;
  conmonPath?: string;
  /** socat relays port-forward connections from inside a pod's network namespace. */
  socatPath?: string;
  cniBinDir?: string;
  /** A static busybox: the pause process runs its `sleep`. Default /bin/busybox (Debian busybox-static). */
  pauseBinary?: string;
  /** conmon rotates a container's log above this size; 0: no limit. */
  logSizeMax?: number;
  /** Default cap on each stream of execSync's output. */
  execOutputLimitBytes?: number;
  /** Size of each pod's shared /dev/shm. Default 64 MiB. */
  shmSizeBytes?: number;
  hostResolvConf?: string;
  /** Skip the check that the pod subnet is free of host networks (the caller checked). */
  skipSubnetCheck?: boolean;
  /** The lowest oom_score_adj containers may get; default: probed at start (oomScoreAdj.ts). */
  oomScoreAdjFloor?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface ResolvedRuntimeOptions {
  root: string;
  imageLayers: ImageLayers;
  network: Required<Omit<PodNetworkOptions, 'mtu'>> & { mtu?: number };
  cgroupRoot: string;
  runcPath: string;
  conmonPath: string;
  socatPath: string;
  cniBinDir: string;
  pauseBinary: string;
  logSizeMax: number;
  execOutputLimitBytes: number;
  shmSizeBytes: number;
  hostResolvConf: string;
  skipSubnetCheck: boolean;
}

export class RuntimeConfigError extends Error {
  constructor(message: string) {
    super(`runc runtime: ${message}`);
    this.name = 'RuntimeConfigError';
  }
}

function executable(p: string, what: string): void {
  try {
    accessSync(p, constants.X_OK);
  } catch {
    throw new RuntimeConfigError(`${what} ${p} is missing or not executable`);
  }
}

export function resolveOptions(o: RuncRuntimeOptions): ResolvedRuntimeOptions {
  if (!path.isAbsolute(o.root)) throw new RuntimeConfigError(`root ${JSON.stringify(o.root)} must be an absolute path`);
  const bridge = o.network?.bridge ?? 'gantry0';
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge)) throw new RuntimeConfigError(`bridge name ${JSON.stringify(bridge)} must be 1-15 letters, digits, _ . -`);
  const subnet = o.network?.subnet ?? '10.88.0.0/16';
  if (!parseCidr(subnet)) throw new RuntimeConfigError(`subnet ${JSON.stringify(subnet)} is not an IPv4 CIDR`);
  const cgroupRoot = o.cgroupRoot ?? '/gantry';
  if (!cgroupRoot.startsWith('/') || cgroupRoot.split('/').some((p) => p === '..')) throw new RuntimeConfigError(`cgroupRoot ${JSON.stringify(cgroupRoot)} must be absolute without ..`);
  const resolved: ResolvedRuntimeOptions = {
    root: path.resolve(o.root),
    imageLayers: o.imageLayers,
    network: { bridge, subnet, name: o.network?.name ?? `gantry-${bridge}`, ipMasq: o.network?.ipMasq ?? true, ...(o.network?.mtu ? { mtu: o.network.mtu } : {}) },
    cgroupRoot: cgroupRoot.replace(/\/+$/, '') || '/',
    runcPath: o.runcPath ?? '/usr/sbin/runc',
    conmonPath: o.conmonPath ?? '/usr/bin/conmon',
    socatPath: o.socatPath ?? '/usr/bin/socat',
    cniBinDir: o.cniBinDir ?? '/usr/lib/cni',
    pauseBinary: o.pauseBinary ?? '/bin/busybox',
    logSizeMax: o.logSizeMax ?? 0,
    execOutputLimitBytes: o.execOutputLimitBytes ?? 1024 * 1024,
    shmSizeBytes: o.shmSizeBytes ?? 64 * 1024 * 1024,
    hostResolvConf: o.hostResolvConf ?? '/etc/resolv.conf',
    skipSubnetCheck: o.skipSubnetCheck ?? false,
  };
  executable(resolved.runcPath, 'runc');
  executable(resolved.conmonPath, 'conmon');
  executable(resolved.socatPath, 'socat (port-forward relay)');
  executable(resolved.pauseBinary, 'pause binary (busybox-static)');
  for (const plugin of ['bridge', 'host-local', 'loopback', 'portmap']) executable(path.join(resolved.cniBinDir, plugin), `CNI plugin`);
  // conmon's attach socket lives at <root>/s/<id>/attach and must fit a unix socket path.
  if (path.join(resolved.root, 's', 'x'.repeat(32), 'attach').length > 107) throw new RuntimeConfigError(`root ${resolved.root} is too long for conmon's socket paths`);
  return resolved;
}
