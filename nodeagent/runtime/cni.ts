// Wiring a pod's network namespace with the reference CNI plugins, invoked as the CNI spec
// (1.0.0) says: the command and container in environment variables, the network config on
// stdin, the result on stdout. A chain (bridge with host-local IPAM, then portmap when the
// pod maps ports) runs in order on ADD, each plugin seeing the previous result, and in
// reverse on DEL; the loopback plugin brings up `lo`. Several node agents on one machine
// use different bridge names, subnets and network names, so they never meet.

import path from 'node:path';
import type { PortMapping } from '../cri/types.js';
import { run } from '../../common/proc/run.js';

export interface CniOptions {
  binDir: string;
  /** The CNI network name: host-local keeps its allocations per name, rules are tagged with it. */
  networkName: string;
  bridge: string;
  /** IPv4 CIDR the pods get addresses from, e.g. 10.88.0.0/16. */
  subnet: string;
  /** host-local's allocation directory. */
  ipamDataDir: string;
  /** Masquerade pod traffic leaving the subnet (pods reaching outside the node). */
  ipMasq: boolean;
  mtu?: number;
}

export interface PodNetworkIdentity {
  namespace: string;
  name: string;
  uid: string;
}

/** What ADD returned, kept in the sandbox record so DEL gets the same inputs after a restart. */
export interface CniAttachment {
  ip: string;
  additionalIps: string[];
  /** The plugins run, in order, and the final result (CNI 1.0.0 result object). */
  plugins: string[];
  result: unknown;
  portMappings: PortMapping[];
}

export class CniError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: string,
    message: string,
  ) {
    super(`CNI ${plugin} ${command}: ${message}`);
    this.name = 'CniError';
  }
}

const cniVersion = '1.0.0';
const pluginTimeoutMs = 30_000;

interface Invocation {
  command: 'ADD' | 'DEL' | 'CHECK';
  containerId: string;
  netns: string;
  ifName: string;
  args: string;
}

export class CniNetwork {
  constructor(private readonly opts: CniOptions) {}

  private bridgeConf(): Record<string, unknown> {
    const conf: Record<string, unknown> = {
      cniVersion,
      name: this.opts.networkName,
      type: 'bridge',
      bridge: this.opts.bridge,
      isGateway: true,
      ipMasq: this.opts.ipMasq,
      hairpinMode: true,
      ipam: {
        type: 'host-local',
        ranges: [[{ subnet: this.opts.subnet }]],
        routes: [{ dst: '0.0.0.0/0' }],
        dataDir: this.opts.ipamDataDir,
      },
    };
    if (this.opts.mtu) conf.mtu = this.opts.mtu;
    return conf;
  }

  private portmapConf(portMappings: readonly PortMapping[]): Record<string, unknown> {
    return {
      cniVersion,
      name: this.opts.networkName,
      type: 'portmap',
      capabilities: { portMappings: true },
      snat: true,
      runtimeConfig: {
        portMappings: portMappings.map((p) => ({
          hostPort: p.hostPort,
          containerPort: p.containerPort,
          protocol: p.protocol.toLowerCase(),
          ...(p.hostIp ? { hostIP: p.hostIp } : {}),
        })),
      },
    };
  }

  private loopbackConf(): Record<string, unknown> {
    return { cniVersion, name: `${this.opts.networkName}-lo`, type: 'loopback' };
  }

  private async invoke(inv: Invocation, conf: Record<string, unknown>): Promise<unknown> {
    const plugin = String(conf.type);
    const env: NodeJS.ProcessEnv = {
      PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`,
      CNI_COMMAND: inv.command,
      CNI_CONTAINERID: inv.containerId,
      CNI_NETNS: inv.netns,
      CNI_IFNAME: inv.ifName,
      CNI_ARGS: inv.args,
      CNI_PATH: this.opts.binDir,
    };
    const r = await run(path.join(this.opts.binDir, plugin), [], { input: JSON.stringify(conf), env, timeoutMs: pluginTimeoutMs });
    if (r.code !== 0 || r.timedOut) {
      let msg = r.timedOut ? 'timed out' : r.stderr.trim() || `exit code ${String(r.code)}`;
      try {
        const e = JSON.parse(r.stdout) as { msg?: string; details?: string };
        if (e.msg) msg = e.details ? `${e.msg}: ${e.details}` : e.msg;
      } catch {
        // not a CNI error object
      }
      throw new CniError(plugin, inv.command, msg);
    }
    if (inv.command !== 'ADD') return undefined;
    try {
      return JSON.parse(r.stdout) as unknown;
    } catch {
      throw new CniError(plugin, inv.command, `result is not JSON: ${r.stdout.slice(0, 200)}`);
    }
  }

  private cniArgs(containerId: string, pod: PodNetworkIdentity): string {
    return ['IgnoreUnknown=1', `K8S_POD_NAMESPACE=${pod.namespace}`, `K8S_POD_NAME=${pod.name}`, `K8S_POD_INFRA_CONTAINER_ID=${containerId}`, `K8S_POD_UID=${pod.uid}`].join(';');
  }

  /** Connects the namespace; on failure undoes what it did and throws. */
  async add(containerId: string, netns: string, pod: PodNetworkIdentity, portMappings: readonly PortMapping[]): Promise<CniAttachment> {
    const args = this.cniArgs(containerId, pod);
    await this.invoke({ command: 'ADD', containerId, netns, ifName: 'lo', args }, this.loopbackConf());
    const chain: Record<string, unknown>[] = [this.bridgeConf()];
    if (portMappings.length) chain.push(this.portmapConf(portMappings));
    let prev: unknown;
    const done: Record<string, unknown>[] = [];
    try {
      for (const conf of chain) {
        done.push(conf);
        prev = await this.invoke({ command: 'ADD', containerId, netns, ifName: 'eth0', args }, prev === undefined ? conf : { ...conf, prevResult: prev });
      }
    } catch (e) {
      await this.runDel(containerId, netns, args, done, prev).catch(() => undefined);
      throw e;
    }
    const ips = extractIps(prev);
    if (!ips.length) {
      await this.runDel(containerId, netns, args, done, prev).catch(() => undefined);
      throw new CniError('bridge', 'ADD', 'the result has no IP address');
    }
    return { ip: ips[0]!, additionalIps: ips.slice(1), plugins: chain.map((c) => String(c.type)), result: prev, portMappings: [...portMappings] };
  }

  private async runDel(containerId: string, netns: string, args: string, chain: Record<string, unknown>[], prevResult: unknown): Promise<void> {
    const errors: Error[] = [];
    for (const conf of [...chain].reverse()) {
      const withPrev = prevResult === undefined ? conf : { ...conf, prevResult };
      await this.invoke({ command: 'DEL', containerId, netns, ifName: 'eth0', args }, withPrev).catch((e: Error) => errors.push(e));
    }
    if (errors.length) throw errors[0];
  }

  /**
   * Releases the address and rules. Idempotent: the plugins tolerate a second DEL. Without
   * an attachment (an orphan, nothing recorded) every plugin of the chain is asked.
   */
  async del(containerId: string, netns: string, pod: PodNetworkIdentity, attachment: CniAttachment | undefined): Promise<void> {
    const args = this.cniArgs(containerId, pod);
    const ports = attachment?.portMappings ?? [];
    const chain: Record<string, unknown>[] = [this.bridgeConf()];
    if (!attachment) {
      // portmap's DEL does nothing without a mapping; any one makes it remove the chains it
      // names after the container (the values do not matter for removal).
      chain.push(this.portmapConf([{ protocol: 'TCP', containerPort: 1, hostPort: 1 }]));
    } else if (ports.length || attachment.plugins.includes('portmap')) chain.push(this.portmapConf(ports));
    await this.runDel(containerId, netns, args, chain, attachment?.result);
  }
}

/** IPv4 addresses (without prefix length) from a CNI result. */
export function extractIps(result: unknown): string[] {
  if (typeof result !== 'object' || result === null) return [];
  const ips = (result as { ips?: unknown }).ips;
  if (!Array.isArray(ips)) return [];
  const out: string[] = [];
  for (const entry of ips) {
    const address = (entry as { address?: unknown } | null)?.address;
    if (typeof address === 'string') out.push(address.split('/')[0]!);
  }
  return out;
}
