// Which interface holds the node's address: the overlay's underlay and host-gw's next-hop link.

import { jsonList, type HostCommands } from '../../common/proc/hostCommands.js';

interface AddrJson {
  ifname: string;
  addr_info?: Array<{ family: string; local: string }>;
}

export async function interfaceWithAddress(commands: HostCommands, address: string): Promise<string> {
  const links = await jsonList<AddrJson>(commands, 'ip', ['-4', 'addr', 'show']);
  const hit = links.find((l) => l.addr_info?.some((a) => a.local === address));
  if (!hit) throw new Error(`no interface holds the node address ${address} (pass --network-interface)`);
  return hit.ifname;
}
