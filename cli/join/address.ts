// The address a joining node advertises when `--address` is not given: the source address
// the kernel picks for packets to the API server (`ip route get`), as the kubelet takes the
// address of the interface holding the default route. The API server reaches the agent
// there, so the address the node uses to reach the server is the one most likely to work
// the other way round.

import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { jsonList, hostCommands, type HostCommands } from '../../common/proc/hostCommands.js';

interface RouteGetJson {
  dst?: string;
  dev?: string;
  prefsrc?: string;
}

/** The prefsrc of an `ip -j route get` answer; throws when it would be useless to other machines. */
export function sourceFromRoute(routes: readonly RouteGetJson[], serverHost: string): string {
  const r = routes[0];
  const src = r?.prefsrc;
  if (!src) throw new Error(`cannot tell this node's address: no route to the API server at ${serverHost}; pass --address`);
  // `dev lo` with another source is this machine's own address (joining the control plane's
  // machine itself): other nodes reach that one.
  if (src.startsWith('127.')) {
    throw new Error(`cannot tell this node's address: the API server at ${serverHost} is on this machine's loopback, which other nodes cannot reach; pass --address`);
  }
  return src;
}

/** This machine's address toward `server` (an https:// URL). */
export async function addressToward(server: string, commands: HostCommands = hostCommands()): Promise<string> {
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  const ip = net.isIP(host) ? host : (await lookup(host, { family: 4 })).address;
  return sourceFromRoute(await jsonList<RouteGetJson>(commands, 'ip', ['route', 'get', ip]), host);
}
