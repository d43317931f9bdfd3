// The floor for `gantry up --hosts N`, measured on this machine in the same run: what any
// such `up` must do at the least, with nothing of Gantry in it: start one etcd until it
// serves, and create N host network namespaces the way `up` wires them (a bridge; per host a
// namespace, a veth into the bridge, an address, loopback, a default route, forwarding on),
// one command at a time as `up` runs them. The hosts' addresses are set only inside their
// namespaces (TEST-NET-1) and the bridge gets none, so the machine's routes never change
// and no other cluster's `up` can see a range taken.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { makeTempDir, startEtcd } from '../../common/proc/etcdProcess.js';
import { run, runChecked } from '../../common/proc/run.js';

export interface UpFloor {
  etcdMs: number;
  hostsMs: number;
}

export async function measureUpFloor(hosts: number): Promise<UpFloor> {
  const id = randomBytes(3).toString('hex');
  const bridge = `gbf${id}`;
  const netns = (i: number): string => `gbf${id}-h${i}`;
  const veth = (i: number): string => `gbf${id}v${i}`;
  const tmp = makeTempDir('gantry-bench-upfloor');
  try {
    let t0 = performance.now();
    const etcd = await startEtcd({ dataDir: path.join(tmp.dir, 'etcd'), logFile: path.join(tmp.dir, 'etcd.log') });
    const etcdMs = performance.now() - t0;
    await etcd.stop();
    t0 = performance.now();
    await runChecked('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await runChecked('ip', ['link', 'set', bridge, 'up']);
    for (let i = 0; i < hosts; i++) {
      const inside = (args: string[]): Promise<unknown> => runChecked('nsenter', [`--net=/run/netns/${netns(i)}`, '--', ...args]);
      await runChecked('ip', ['netns', 'add', netns(i)]);
      await runChecked('ip', ['link', 'add', veth(i), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns(i)]);
      await runChecked('ip', ['link', 'set', veth(i), 'master', bridge, 'up']);
      await inside(['ip', 'addr', 'add', `192.0.2.${11 + i}/24`, 'dev', 'eth0']);
      await inside(['ip', 'link', 'set', 'eth0', 'up']);
      await inside(['ip', 'link', 'set', 'lo', 'up']);
      await inside(['ip', 'route', 'add', 'default', 'via', '192.0.2.1']);
      await inside(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    }
    return { etcdMs, hostsMs: performance.now() - t0 };
  } finally {
    for (let i = 0; i < hosts; i++) {
      await run('ip', ['netns', 'del', netns(i)]);
      await run('ip', ['link', 'del', veth(i)]);
    }
    await run('ip', ['link', 'del', bridge]);
    tmp.remove();
  }
}
