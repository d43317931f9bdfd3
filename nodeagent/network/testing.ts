// Test hosts for the pod network: network namespaces of the test's own, joined by one veth
// pair (a shared link), each with an address; removed whole afterwards.

import { randomBytes } from 'node:crypto';
import { runChecked, run } from '../../common/proc/run.js';
import { hostCommands, type HostCommands } from '../../common/proc/hostCommands.js';

export interface TestHost {
  netns: string;
  address: string;
  iface: string;
  commands: HostCommands;
}

/** Two namespaces `gantry-nt-<id>-a|b` on 192.168.250.1/.2 over a veth pair named eth0 in both. */
export async function twoTestHosts(): Promise<{ hosts: [TestHost, TestHost]; remove: () => Promise<void> }> {
  const id = randomBytes(3).toString('hex');
  const names = [`gantry-nt-${id}-a`, `gantry-nt-${id}-b`] as const;
  const remove = async (): Promise<void> => {
    for (const n of names) await run('ip', ['netns', 'del', n]);
  };
  try {
    for (const n of names) await runChecked('ip', ['netns', 'add', n]);
    await runChecked('ip', ['link', 'add', `gnt${id}a`, 'netns', names[0], 'type', 'veth', 'peer', 'name', `gnt${id}b`, 'netns', names[1]]);
    const hosts = names.map((n, i): TestHost => ({ netns: n, address: `192.168.250.${i + 1}`, iface: 'eth0', commands: hostCommands(`/run/netns/${n}`) })) as [TestHost, TestHost];
    for (const [i, h] of hosts.entries()) {
      await h.commands.checked('ip', ['link', 'set', `gnt${id}${i === 0 ? 'a' : 'b'}`, 'name', 'eth0']);
      await h.commands.checked('ip', ['addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      await h.commands.checked('ip', ['link', 'set', 'eth0', 'up']);
      await h.commands.checked('ip', ['link', 'set', 'lo', 'up']);
    }
    return { hosts, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** Whether a TCP connection from `from` (bound to `src`) to `dst`:port gets `dst`'s answer. */
export async function tcpReaches(from: TestHost, src: string, to: TestHost, dst: string, port: number): Promise<boolean> {
  const server = await import('node:child_process').then((cp) =>
    cp.spawn('nsenter', [`--net=/run/netns/${to.netns}`, '--', 'socat', `TCP-LISTEN:${port},bind=${dst},reuseaddr`, `SYSTEM:echo from-${dst}`], { stdio: 'ignore' }),
  );
  try {
    for (let i = 0; i < 50; i++) {
      const r = await from.commands.run('socat', ['-T', '2', '-', `TCP:${dst}:${port},bind=${src},connect-timeout=2`], { timeoutMs: 5_000 });
      if (r.stdout.trim() === `from-${dst}`) return true;
      if (!/Connection refused/.test(r.stderr)) return false;
      await new Promise((res) => setTimeout(res, 50));
    }
    return false;
  } finally {
    server.kill('SIGKILL');
  }
}
