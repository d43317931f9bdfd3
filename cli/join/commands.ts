// The commands of joining: `gantry token create|list|delete` (admin) and `gantry join` /
// `gantry leave` (on the joining machine).

import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ApiClient } from '../../common/client/apiClient.js';
import { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { nodeDir } from '../cluster/node.js';
import { gantryHome } from '../cluster/state.js';
import { leaveCluster, readJoinState, startJoinedAgent } from './agent.js';
import { joinCluster } from './join.js';
import { createBootstrapToken, deleteBootstrapToken, listBootstrapTokens } from './tokens.js';

function adminApi(kubeconfig: string | undefined): { api: ApiClient; rest: RestClient; server: string; caPem: string } {
  const file = kubeconfig ?? path.join(gantryHome(), 'kubeconfig');
  const access = readKubeconfig(file);
  const rest = new RestClient(access);
  return { api: new ApiClient({ client: rest, qps: 50, burst: 50, clock: realClock }), rest, server: access.server, caPem: access.caPem };
}

/** Go-style durations as kubeadm takes them: 24h, 90m, 1h30m, 45s; 0 for never. */
function ttl(v: string): number {
  if (v === '0') return 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000 };
  const parts = [...v.matchAll(/(\d+)([hms])/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== v) throw new InvalidArgumentError('expected a duration such as 24h, 30m, 1h30m or 0 (never expires)');
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}

export function registerJoinCommands(program: Command): void {
  const token = program.command('token').description('bootstrap tokens that let new machines join (`gantry join`)');
  token
    .command('create')
    .description('make a bootstrap token; prints it and the join command')
    .option('--ttl <duration>', 'how long the token works (0: forever)', ttl, 24 * 60 * 60 * 1000)
    .option('--description <text>', 'what the token is for')
    .option('--kubeconfig <file>', 'admin kubeconfig (default $GANTRY_HOME/kubeconfig)')
    .action(async (o: { ttl: number; description?: string; kubeconfig?: string }) => {
      const a = adminApi(o.kubeconfig);
      try {
        const t = await createBootstrapToken(a.api, { ttlMs: o.ttl, server: a.server, caPem: a.caPem, ...(o.description ? { description: o.description } : {}) });
        process.stdout.write(`${t.token}\n`);
        process.stderr.write(`${t.expires ? `expires ${t.expires}` : 'never expires'}; join a machine with:\n  gantry join --server ${a.server} --token ${t.token} --ca-hash ${t.caHash}\n`);
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
    .description('make this machine a node of a cluster (as kubeadm join): obtain its certificates with a bootstrap token and start its agent')
    .requiredOption('--server <url>', 'the API server, https://HOST:6443')
    .requiredOption('--token <token>', 'a bootstrap token from `gantry token create`')
    .option('--ca-hash <sha256:hex>', "the cluster CA's public key hash, as `gantry token create` prints")
    .option('--unsafe-skip-ca-verification', 'join without --ca-hash (trusts whatever answers)')
    .option('--node-name <name>', 'the Node name (default: the hostname)')
    .option('--address <ip>', "the node's address (its InternalIP and serving certificate SAN)")
    .option('--home <dir>', 'where the node keeps its files (default $GANTRY_HOME)')
    .option('--registry <url>', 'the cluster image registry (default http://<server host>:5000)')
    .option('--agent-port <port>', "the agent's HTTPS port", (v) => Number(v), 10250)
    .option('--cluster-cidr <cidr>', 'the cluster pod range', '10.244.0.0/16')
    .option('--cluster-dns <ip>', 'the cluster DNS Service address', '10.96.0.10')
    .action(async (o: { server: string; token: string; caHash?: string; unsafeSkipCaVerification?: boolean; nodeName?: string; address?: string; home?: string; registry?: string; agentPort: number; clusterCidr: string; clusterDns: string }) => {
      if (!o.address) throw new Error('--address is required: the IP address the API server reaches this node at');
      const nodeName = o.nodeName ?? os.hostname().toLowerCase().split('.')[0]!;
      const dir = nodeDir(o.home ?? gantryHome(), nodeName);
      const running = readJoinState(dir);
      if (running) throw new Error(`node ${nodeName} already joined (${dir}); \`gantry leave --node-name ${nodeName}\` first`);
      const out = (l: string): void => void process.stderr.write(`${l}\n`);
      const joined = await joinCluster({ server: o.server, token: o.token, nodeName, address: o.address, dir, out, ...(o.caHash ? { caHash: o.caHash } : {}), ...(o.unsafeSkipCaVerification ? { unsafeSkipCaVerification: true } : {}) });
      const state = startJoinedAgent({ joined, address: o.address, registryUrl: o.registry ?? `http://${new URL(o.server).hostname}:5000`, port: o.agentPort, net: { clusterCidr: o.clusterCidr, clusterDns: o.clusterDns, clusterDomain: 'cluster.local' } });
      process.stdout.write(`node ${nodeName} joined ${o.server}; its agent runs as pid ${state.pid} (log ${state.log})\n`);
    });

  program
    .command('leave')
    .description('stop this machine\'s node agent, remove what it set up and delete its Node')
    .option('--node-name <name>', 'the Node name (default: the hostname)')
    .option('--home <dir>', 'where the node keeps its files (default $GANTRY_HOME)')
    .action(async (o: { nodeName?: string; home?: string }) => {
      const nodeName = o.nodeName ?? os.hostname().toLowerCase().split('.')[0]!;
      await leaveCluster(nodeDir(o.home ?? gantryHome(), nodeName), (l) => void process.stderr.write(`${l}\n`));
    });
}
