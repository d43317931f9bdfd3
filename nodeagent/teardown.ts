// `node dist/nodeagent/teardown.js --root <agent root> [--bridge gantry0] [--cgroup-root gantry] [--pod-subnet cidr]`:
// removes everything a (stopped) node agent left on its host — every sandbox and container
// through the runtime, orphans, mounts under the root, the local-path volumes' data (the host
// is going away with the cluster), the pods' cgroups, the bridge and the CNI network's NAT
// rules — for `gantry down`. Prints what had to be removed forcibly; exit 1
// when something could not be removed.

import fs from 'node:fs/promises';
import path from 'node:path';
import { parseFlags } from '../common/config.js';
import { silentLogger } from '../common/logging.js';
import { NotFoundError } from '../common/errors.js';
import { Cgroups } from './runtime/cgroups.js';
import { listMounts, unmountAll } from './runtime/mounts.js';
import { run } from '../common/proc/run.js';
import { RuncRuntime } from './runtime/runtime.js';
import { removeIptablesRules } from './runtime/iptablesCleanup.js';
import { hostCommands } from '../common/proc/hostCommands.js';
import { HostGwBackend } from './network/hostGwBackend.js';
import { removePodMasquerade } from './network/podMasquerade.js';
import { defaultVxlanDevice } from './network/vxlanBackend.js';
import { cleanupProxyRules } from './proxy/iptables.js';
import { localPathRootOf } from './storage/localPath.js';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const root = flags.root;
  if (!root || !path.isAbsolute(root)) {
    process.stderr.write('gantry-agent-teardown: --root <absolute agent root> is required\n');
    process.exit(2);
  }
  const bridge = flags.bridge ?? 'gantry0';
  const cgroupRoot = `/${flags['cgroup-root'] ?? 'gantry'}`;
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  const noImages = { resolve: (image: string): Promise<never> => Promise.reject(new NotFoundError({ resource: 'images', name: image })) };
  await attempt('runtime', async () => {
    const rt = await RuncRuntime.open({
      root: path.join(root, 'runtime'),
      imageLayers: noImages,
      // --ip-masq false: the agent ran with a pod network (--pod-network), whose CNI config had no masquerading to undo.
      network: { bridge, ipMasq: flags['ip-masq'] !== 'false', ...(flags['pod-subnet'] ? { subnet: flags['pod-subnet'] } : {}) },
      cgroupRoot,
      skipSubnetCheck: true,
      logger: silentLogger(),
    });
    for (const s of await rt.listPodSandbox()) await attempt(`sandbox ${s.id}`, () => rt.removePodSandbox(s.id));
    for (const c of await rt.listContainers()) await attempt(`container ${c.id}`, () => rt.removeContainer(c.id));
    for (const o of await rt.orphans()) await attempt(`orphan ${o.kind} ${o.detail}`, () => rt.removeOrphan(o));
  });
  for (const m of (await listMounts()).filter((x) => x.mountPoint.startsWith(root + '/')).reverse()) {
    await attempt(`unmount ${m.mountPoint}`, () => unmountAll(m.mountPoint));
  }
  // Only once nothing is mounted below it: removing through a mount would delete what the mount shows.
  const localPathRoot = localPathRootOf(root);
  await attempt('local-path volumes', async () => {
    const mounted = (await listMounts()).filter((x) => x.mountPoint === localPathRoot || x.mountPoint.startsWith(localPathRoot + '/'));
    if (mounted.length) throw new Error(`still mounted: ${mounted.map((x) => x.mountPoint).join(', ')}`);
    await fs.rm(localPathRoot, { recursive: true, force: true });
  });
  await attempt('cgroups', async () => {
    const left = await new Cgroups().remove(cgroupRoot);
    if (left.length) problems.push(`cgroups left: ${left.join(', ')}`);
  });
  if ((await run('ip', ['link', 'show', bridge])).code === 0) await attempt('bridge', () => run('ip', ['link', 'del', bridge]));
  await attempt('iptables', () => removeIptablesRules(`gantry-${bridge}`));
  // The pod network (--pod-network vxlan|host-gw): its device, routes and masquerade chain.
  const commands = hostCommands();
  if ((await run('ip', ['link', 'show', defaultVxlanDevice])).code === 0) await attempt('vxlan device', () => run('ip', ['link', 'del', defaultVxlanDevice]));
  await attempt('pod network routes', () => new HostGwBackend({ commands, podCidr: '', iface: '' }).tearDown());
  await attempt('pod masquerade', () => removePodMasquerade(commands));
  await attempt('service rules', () => cleanupProxyRules(commands));
  for (const p of problems) process.stderr.write(`gantry-agent-teardown: ${p}\n`);
  process.exit(problems.length ? 1 : 0);
}

void main();
