// The commands of joining: `gantry token create|list|delete` (admin) and `gantry join` /
// `gantry leave` (on the joining machine).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ApiClient } from '../../common/client/apiClient.js';
import { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { nodeDir } from '../cluster/node.js';
import { defaultClusterCidr } from '../cluster/up.js';
import { gantryHome, readState } from '../cluster/state.js';
import { addressToward } from './address.js';
import { agentExit, agentRunning, checkAgentRoot, leaveCluster, readJoinState, startJoinedAgent, stopJoinedAgent } from './agent.js';
import { joinCluster } from './join.js';
import { defaultClusterDns, discoverClusterDns, readyHeartbeat, waitNodeReady } from './asNode.js';
import { advertisedServer, createBootstrapToken, deleteBootstrapToken, listBootstrapTokens } from './tokens.js';

function adminApi(kubeconfig: string | undefined): { api: ApiClient; rest: RestClient; server: string; caPem: string; file: string } {
  const file = kubeconfig ?? path.join(gantryHome(), 'kubeconfig');
  const access = readKubeconfig(file);
  const rest = new RestClient(access);
  return { api: new ApiClient({ client: rest, qps: 50, burst: 50, clock: realClock }), rest, server: access.server, caPem: access.caPem, file };
}

function podNetwork(v: string): 'vxlan' | 'host-gw' | 'none' {
  if (v !== 'vxlan' && v !== 'host-gw' && v !== 'none') throw new InvalidArgumentError('expected vxlan, host-gw or none');
  return v;
}

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return n;
}

function httpsUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError('expected a URL such as https://192.0.2.10:6443');
  }
  if (u.protocol !== 'https:' || u.pathname !== '/' || u.search || u.hash) throw new InvalidArgumentError('expected https://HOST:PORT with no path');
  return u.origin;
}

function ipv4(v: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new InvalidArgumentError('expected an IPv4 address such as 192.0.2.10');
  return v;
}

function ipv4Cidr(v: string): string {
  const [ip, len, ...rest] = v.split('/');
  if (rest.length || !len || !/^\d{1,2}$/.test(len) || Number(len) > 32) throw new InvalidArgumentError('expected an IPv4 CIDR such as 10.244.0.0/16');
  ipv4(ip!);
  return v;
}

/**
 * The registry flag a join command needs: none when the cluster's registry is where `gantry
 * join` looks by default (port 5000 on the API server's host), else the one `gantry up`
 * recorded beside the admin kubeconfig.
 */
function registryHint(kubeconfigFile: string, server: string): string {
  const registry = readState(path.dirname(kubeconfigFile))?.registry;
  return registry && registry !== `http://${new URL(server).hostname}:5000` ? ` --registry ${registry}` : '';
}

/** Go-style durations as kubeadm takes them: 24h, 90m, 1h30m, 45s, or 0. */
function duration(v: string, what: string): number {
  if (v === '0') return 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000 };
  const parts = [...v.matchAll(/(\d+)([hms])/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== v) throw new InvalidArgumentError(`expected a duration such as 24h, 30m, 1h30m or 0 (${what})`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}

const ttl = (v: string): number => duration(v, 'never expires');
const wait = (v: string): number => duration(v, 'do not wait');

/**
 * The node a command is about: --node-name, else the one node joined under this home (a
 * machine normally joins one), else the hostname (as kubeadm names nodes).
 */
function nodeNameFor(flag: string | undefined, home: string): string {
  if (flag) return flag;
  let joined: string[] = [];
  try {
    joined = fs.readdirSync(path.join(home, 'nodes')).filter((n) => readJoinState(nodeDir(home, n)) !== undefined);
  } catch {
    // no nodes here yet
  }
  return joined.length === 1 ? joined[0]! : os.hostname().toLowerCase().split('.')[0]!;
}

interface JoinFlags {
  server?: string;
  token?: string;
  caHash?: string;
  unsafeSkipCaVerification?: boolean;
  nodeName?: string;
  address?: string;
  home?: string;
  registry?: string;
  agentPort?: number;
  podNetwork?: 'vxlan' | 'host-gw' | 'none';
  clusterCidr?: string;
  clusterDns?: string;
  wait: number;
}

export function registerJoinCommands(program: Command): void {
  const token = program.command('token').description('bootstrap tokens that let new machines join (`gantry join`)');
  token
    .command('create')
    .description('make a bootstrap token; prints it and the join command')
    .option('--ttl <duration>', 'how long the token works (0: forever)', ttl, 24 * 60 * 60 * 1000)
    .option('--description <text>', 'what the token is for')
    .option('--server <url>', "the API server's URL as joining machines reach it (default: its advertised address, from the kubernetes Service's endpoints)", httpsUrl)
    .option('--kubeconfig <file>', 'admin kubeconfig (default $GANTRY_HOME/kubeconfig)')
    .action(async (o: { ttl: number; description?: string; server?: string; kubeconfig?: string }) => {
      const a = adminApi(o.kubeconfig);
      try {
        const server = o.server ?? (await advertisedServer(a.api, a.server));
        const t = await createBootstrapToken(a.api, { ttlMs: o.ttl, server, caPem: a.caPem, ...(o.description ? { description: o.description } : {}) });
        process.stdout.write(`${t.token}\n`);
        process.stderr.write(`${t.expires ? `expires ${t.expires}` : 'never expires'}; join a machine with:\n  gantry join --server ${server} --token ${t.token} --ca-hash ${t.caHash}${registryHint(a.file, server)}\n`);
      } finally {
        a.rest.close();
      }
    });
  token
    .command('list')
    .description('list bootstrap tokens')
    .option('--kubeconfig <file>', 'admin kubeconfig (default $GANTRY_HOME/kubeconfig)')
    .action(async (o: { kubeconfig?: string }) => {
      const a = adminApi(o.kubeconfig);
      try {
        const rows = [['TOKEN ID', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
        for (const t of await listBootstrapTokens(a.api)) rows.push([t.id, t.expired ? `${t.expires} (expired)` : t.expires, t.usages.join(','), t.description || '<none>', t.groups]);
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        process.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n') + '\n');
      } finally {
        a.rest.close();
      }
    });
  token
    .command('delete')
    .description('revoke bootstrap tokens (by id or whole token)')
    .argument('<ids...>')
    .option('--kubeconfig <file>', 'admin kubeconfig (default $GANTRY_HOME/kubeconfig)')
    .action(async (ids: string[], o: { kubeconfig?: string }) => {
      const a = adminApi(o.kubeconfig);
      try {
        for (const id of ids) {
          if (!(await deleteBootstrapToken(a.api, id))) throw new Error(`bootstrap token ${JSON.stringify(id.split('.')[0])} not found`);
          process.stdout.write(`bootstrap token "${id.split('.')[0]}" deleted\n`);
        }
      } finally {
        a.rest.close();
      }
    });

  program
    .command('join')
    .description('make this machine a node of a cluster (as kubeadm join): obtain its certificates with a bootstrap token and start its agent; run again after a reboot to start the agent with the credentials it holds')
    .option('--server <url>', 'the API server, https://HOST:6443 (default: the one this node joined before)', httpsUrl)
    .option('--token <token>', 'a bootstrap token from `gantry token create` (not needed when this node holds valid credentials from an earlier join)')
    .option('--ca-hash <sha256:hex>', "the cluster CA's public key hash, as `gantry token create` prints")
    .option('--unsafe-skip-ca-verification', 'join without --ca-hash (trusts whatever answers)')
    .option('--node-name <name>', 'the Node name (default: the node joined under --home before, else the hostname)')
    .option('--address <ip>', "the node's address, its InternalIP and serving certificate SAN (default: this machine's source address toward the server)", ipv4)
    .option('--home <dir>', 'where the node keeps its files (default $GANTRY_HOME)')
    // Without a flag, a rejoin keeps what the earlier join of this node used.
    .option('--registry <url>', 'the cluster image registry (default http://<server host>:5000)')
    .option('--agent-port <port>', "the agent's HTTPS port (default 10250)", port)
    .option('--pod-network <backend>', "how pods reach other nodes' pods: vxlan (default; an overlay, works across subnets), host-gw (routes; nodes share a link) or none", podNetwork)
    .option('--cluster-cidr <cidr>', `the cluster pod range, split into a /24 per node by the node IPAM (default ${defaultClusterCidr})`, ipv4Cidr)
    .option('--cluster-dns <ip>', `the cluster DNS address pods use (default: the kube-dns Service's ClusterIP, else ${defaultClusterDns})`, ipv4)
    .option('--wait <duration>', 'how long to wait for the node to become Ready (0: do not wait)', wait, 120_000)
    .action(async (o: JoinFlags) => {
      const out = (l: string): void => void process.stderr.write(`${l}\n`);
      const home = o.home ?? gantryHome();
      const nodeName = nodeNameFor(o.nodeName, home);
      const dir = nodeDir(home, nodeName);
      const previous = readJoinState(dir);
      if (previous && agentRunning(previous)) {
        throw new Error(`node ${nodeName} already joined ${previous.server} and its agent runs (pid ${previous.pid}, log ${previous.log}); \`gantry leave${o.home ? ` --home ${o.home}` : ''} --node-name ${nodeName}\` first to join again`);
      }
      const server = o.server ?? previous?.server;
      if (!server) throw new Error('--server is required: the API server to join, https://HOST:6443 (see `gantry token create`)');
      const address = o.address ?? previous?.node.address ?? (await addressToward(server));
      checkAgentRoot(path.join(dir, 'root'));
      const fresh = !fs.existsSync(dir);
      let joined;
      try {
        joined = await joinCluster({ server, nodeName, address, dir, out, ...(o.token ? { token: o.token } : {}), ...(o.caHash ? { caHash: o.caHash } : {}), ...(o.unsafeSkipCaVerification ? { unsafeSkipCaVerification: true } : {}) });
      } catch (e) {
        // A join that got nowhere leaves nothing behind (a later one starts clean).
        if (fresh) fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      const before = previous?.settings;
      let clusterDns = o.clusterDns ?? before?.net.clusterDns;
      if (!clusterDns) {
        clusterDns = (await discoverClusterDns(joined.kubeconfig)) ?? defaultClusterDns;
        out(`cluster DNS at ${clusterDns}`);
      }
      const agentPort = o.agentPort ?? before?.port ?? 10250;
      const staleHeartbeat = o.wait > 0 ? await readyHeartbeat(joined.kubeconfig, nodeName) : undefined;
      const startedAt = Date.now();
      const state = startJoinedAgent({
        joined,
        address,
        registryUrl: o.registry ?? before?.registryUrl ?? `http://${new URL(server).hostname}:5000`,
        port: agentPort,
        podNetwork: o.podNetwork ?? before?.podNetwork ?? 'vxlan',
        net: { clusterCidr: o.clusterCidr ?? before?.net.clusterCidr ?? defaultClusterCidr, clusterDns, clusterDomain: before?.net.clusterDomain ?? 'cluster.local' },
      });
      out(`started the node agent (pid ${state.pid}, log ${state.log})`);
      if (o.wait > 0) {
        out(`waiting for node ${nodeName} to be Ready`);
        const outcome = await waitNodeReady({ kubeconfig: joined.kubeconfig, nodeName, address, port: agentPort, sinceMs: startedAt, ...(staleHeartbeat ? { staleHeartbeat } : {}), timeoutMs: o.wait, alive: () => agentRunning(state) && agentExit(state) === undefined });
        if (outcome === 'agent-exited') {
          // An agent that fails at start fails again: stop it rather than leave it restarting. The
          // credentials stay, so `gantry join` after a fix needs no new token.
          const exit = agentExit(state);
          await stopJoinedAgent(state);
          throw new Error(`the node agent of ${nodeName} exited; stopped it. From ${state.log}:\n${exit ?? '(no log)'}\nFix the cause and run \`gantry join\` again, or \`gantry leave\``);
        }
        if (outcome === 'timeout') out(`warning: node ${nodeName} is not Ready after ${Math.round(o.wait / 1000)} s; its agent keeps trying (see ${state.log})`);
      }
      process.stdout.write(`node ${nodeName} joined ${server}${joined.reused ? ' (with the credentials it held)' : ''}; its agent runs as pid ${state.pid} (log ${state.log})\n`);
    });

  program
    .command('leave')
    .description('stop this machine\'s node agent, remove what it set up and delete its Node')
    .option('--node-name <name>', 'the Node name (default: the node joined under --home, else the hostname)')
    .option('--home <dir>', 'where the node keeps its files (default $GANTRY_HOME)')
    .action(async (o: { nodeName?: string; home?: string }) => {
      const home = o.home ?? gantryHome();
      await leaveCluster(nodeDir(home, nodeNameFor(o.nodeName, home)), (l) => void process.stderr.write(`${l}\n`));
    });
}
