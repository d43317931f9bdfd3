// A throwaway environment for tests of the runc runtime: a temp root, a bridge name and
// subnet of its own (random, checked free), a cgroup root of its own, busybox images; and
// a cleanup that removes everything the runtime may have left, whatever state a failed
// test left it in: through the runtime first (as the agent would), then piece by piece.
// It touches only what carries this environment's names; processes are ended through
// runc by container id, never by name.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cgroups } from '../cgroups.js';
import type { RuncRuntimeOptions } from '../config.js';
import { listMounts, unmountAll } from '../mounts.js';
import { run } from '../../../common/proc/run.js';
import { RuncRuntime } from '../runtime.js';
import { subnetClash } from '../subnet.js';
import { hostportChainsExist, removeHostportChains, removeIptablesRules } from '../iptablesCleanup.js';
import { BusyboxLayers } from './busyboxLayers.js';

export interface RuncTestEnv {
  tag: string;
  root: string;
  logDir: string;
  bridge: string;
  subnet: string;
  networkName: string;
  cgroupRoot: string;
  layers: BusyboxLayers;
  options: RuncRuntimeOptions;
  /** A runtime over the root (a new instance each call: a restart of the node agent). */
  open(extra?: Partial<RuncRuntimeOptions>): Promise<RuncRuntime>;
  cleanup(): Promise<string[]>;
}

const usedSubnets = new Set<string>();
let openEnvs = 0;
let savedIpForward: string | undefined;
/** Whether the portmap plugin's shared nat chains existed before the first environment. */
let hostportChainsBefore: boolean | undefined;
const ipForwardFile = '/proc/sys/net/ipv4/ip_forward';

async function pickSubnet(bridge: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
    if (usedSubnets.has(subnet)) continue;
    if (!(await subnetClash(subnet, bridge))) {
      usedSubnets.add(subnet);
      return subnet;
    }
  }
  throw new Error('no free test subnet found');
}

/** What identifies a test environment's pieces; kept in <root>/env.json for cleanupLeftovers. */
interface EnvIdentity {
  root: string;
  bridge: string;
  subnet: string;
  networkName: string;
  cgroupRoot: string;
}

export async function makeRuncTestEnv(tag = 'rt'): Promise<RuncTestEnv> {
  const rand = randomBytes(3).toString('hex');
  if (openEnvs === 0) hostportChainsBefore = await hostportChainsExist();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `gantry-${tag}-`));
  const bridge = `gt${tag.slice(0, 4)}${rand}`.slice(0, 15);
  const subnet = await pickSubnet(bridge);
  const identity: EnvIdentity = { root, bridge, subnet, networkName: `gantry-test-${rand}`, cgroupRoot: `/gantry-test-${rand}` };
  writeFileSync(path.join(root, 'env.json'), JSON.stringify(identity));
  return envFor(identity);
}

/**
 * Cleans up after a test process that died before its own cleanup (kill -9, a timeout):
 * `roots` are the temp directories of its environments (each has an env.json).
 */
export async function cleanupLeftovers(roots: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const root of roots) {
    const identity = JSON.parse(readFileSync(path.join(root, 'env.json'), 'utf8')) as EnvIdentity;
    problems.push(...(await envFor(identity).cleanup()));
  }
  return problems;
}

function envFor(identity: EnvIdentity): RuncTestEnv {
  const { root, bridge, subnet, networkName, cgroupRoot } = identity;
  const tag = path.basename(root).replace(/^gantry-/, '').replace(/-[^-]*$/, '');
  const logDir = path.join(root, 'logs');
  const layers = BusyboxLayers.create(path.join(root, 'images'));
  if (openEnvs++ === 0) savedIpForward = readFileSync(ipForwardFile, 'utf8').trim();
  const options: RuncRuntimeOptions = {
    root: path.join(root, 'state'),
    imageLayers: layers,
    network: { bridge, subnet, name: networkName, ipMasq: false },
    cgroupRoot,
  };
  let cleaned = false;
  const env: RuncTestEnv = {
    tag,
    root,
    logDir,
    bridge,
    subnet,
    networkName,
    cgroupRoot,
    layers,
    options,
    open: (extra = {}) => RuncRuntime.open({ ...options, ...extra }),
    async cleanup(): Promise<string[]> {
      if (cleaned) return [];
      cleaned = true;
      const problems: string[] = [];
      const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
        try {
          await fn();
        } catch (e) {
          problems.push(`${what}: ${(e as Error).message}`);
        }
      };
      // 1. As the agent would: remove every sandbox, then every orphan.
      await attempt('runtime cleanup', async () => {
        const rt = await env.open();
        for (const s of await rt.listPodSandbox()) await attempt(`remove sandbox ${s.id}`, () => rt.removePodSandbox(s.id));
        for (const c of await rt.listContainers()) await attempt(`remove container ${c.id}`, () => rt.removeContainer(c.id));
        for (const o of await rt.orphans()) await attempt(`remove orphan ${o.kind} ${o.detail}`, () => rt.removeOrphan(o));
      });
      // 2. Whatever is still there, piece by piece.
      // The runtime's runc root, and the one the benchmark uses for bare runc runs.
      for (const runcRoot of [path.join(options.root, 'runc'), path.join(root, 'bare-runc')]) {
        const listed = await run('runc', ['--root', runcRoot, 'list', '--format', 'json']);
        for (const c of (JSON.parse(listed.stdout.trim() || 'null') as { id: string }[] | null) ?? []) {
          problems.push(`runc container ${c.id} left`);
          await run('runc', ['--root', runcRoot, 'kill', '--all', c.id, 'KILL']);
          await run('runc', ['--root', runcRoot, 'delete', '--force', c.id]);
        }
      }
      const mounts = (await listMounts()).filter((m) => m.mountPoint.startsWith(root + '/')).reverse();
      for (const m of mounts) {
        if (!m.mountPoint.endsWith('/netns')) problems.push(`mount ${m.mountPoint} left`);
        await attempt(`unmount ${m.mountPoint}`, () => unmountAll(m.mountPoint));
      }
      const cg = new Cgroups();
      const leftCg = await cg.remove(cgroupRoot);
      if (leftCg.length) problems.push(`cgroups left: ${leftCg.join(', ')}`);
      const link = await run('ip', ['link', 'show', bridge]);
      if (link.code === 0) await run('ip', ['link', 'del', bridge]);
      await attempt('iptables', async () => {
        const left = await removeIptablesRules(networkName);
        if (left.length) problems.push(`iptables rules left: ${left.join('; ')}`);
      });
      if (--openEnvs === 0 && savedIpForward !== undefined) {
        // The bridge plugin turns forwarding on for its gateway; put the host back as it was.
        writeFileSync(ipForwardFile, savedIpForward);
      }
      if (openEnvs === 0 && hostportChainsBefore === false) {
        await attempt('portmap chains', async () => {
          const left = await removeHostportChains();
          if (left.length) problems.push(`portmap chains left: ${left.join('; ')}`);
        });
      }
      usedSubnets.delete(subnet);
      await attempt('remove temp dir', () => fs.rm(root, { recursive: true, force: true }));
      return problems;
    },
  };
  return env;
}
