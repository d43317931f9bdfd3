// Pods keep their own source address inside the cluster (the Kubernetes network model: a
// pod sees its peers' real IPs) and are masqueraded behind the host's address everywhere
// else, such as the API server on the host network. One nat chain, written atomically with
// iptables-restore, jumped to from POSTROUTING once.

import type { HostCommands } from '../../common/proc/hostCommands.js';

export const podMasqueradeChain = 'GANTRY-POD-MASQ';

export function podMasqueradeRules(podCidr: string, clusterCidr: string): string {
  return [
    '*nat',
    // Declaring the chain flushes it, so a changed pod CIDR leaves no old rule behind.
    `:${podMasqueradeChain} - [0:0]`,
    `-A ${podMasqueradeChain} -s ${podCidr} -d ${clusterCidr} -m comment --comment "gantry: pod to pod keeps its address" -j RETURN`,
    `-A ${podMasqueradeChain} -s ${podCidr} -d 224.0.0.0/4 -j RETURN`,
    `-A ${podMasqueradeChain} -s ${podCidr} -m comment --comment "gantry: pods leaving the cluster network" -j MASQUERADE --random-fully`,
    'COMMIT',
    '',
  ].join('\n');
}

export async function ensurePodMasquerade(commands: HostCommands, podCidr: string, clusterCidr: string): Promise<void> {
  await commands.checked('iptables-restore', ['--noflush', '-w', '5'], { input: podMasqueradeRules(podCidr, clusterCidr) });
  const jump = ['POSTROUTING', '-j', podMasqueradeChain];
  if ((await commands.run('iptables', ['-w', '5', '-t', 'nat', '-C', ...jump])).code !== 0) await commands.checked('iptables', ['-w', '5', '-t', 'nat', '-A', ...jump]);
}

export async function removePodMasquerade(commands: HostCommands): Promise<void> {
  while ((await commands.run('iptables', ['-w', '5', '-t', 'nat', '-D', 'POSTROUTING', '-j', podMasqueradeChain])).code === 0) {
    // a jump added twice (two agents racing) is removed twice
  }
  await commands.run('iptables', ['-w', '5', '-t', 'nat', '-F', podMasqueradeChain]);
  await commands.run('iptables', ['-w', '5', '-t', 'nat', '-X', podMasqueradeChain]);
}
