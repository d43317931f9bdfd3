#!/usr/bin/env node
// The `gantry` command.

import { Command, InvalidArgumentError } from 'commander';
import { down } from './cluster/down.js';
import { registerJoinCommands } from './join/commands.js';
import { registerKubeCommands } from './kube/commands.js';
import { gantryHome } from './cluster/state.js';
import { status } from './cluster/status.js';
import { supervise } from './cluster/supervise.js';
import { defaultEtcdMembers, etcdMemberCounts } from './cluster/etcd.js';
import { defaultBridge, defaultCgroupRoot, defaultHosts, up } from './cluster/up.js';

const program = new Command();
program.name('gantry').description('Gantry: a Kubernetes-style container orchestrator').showHelpAfterError();

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return n;
}

function ipv4Cidr(v: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) < 8 || Number(m[5]) > 30) throw new InvalidArgumentError('expected an IPv4 CIDR such as 10.88.0.0/16 (prefix 8-30)');
  return v;
}

function hostCount(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 200) throw new InvalidArgumentError('expected a number of hosts from 1 to 200');
  return n;
}

function etcdMembers(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !etcdMemberCounts.includes(n)) throw new InvalidArgumentError(`expected ${etcdMemberCounts.join(' or ')}`);
  return n;
}

function apiServerWorkers(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 64) throw new InvalidArgumentError('expected a number of processes from 1 to 64');
  return n;
}

function podNetwork(v: string): 'vxlan' | 'host-gw' {
  if (v !== 'vxlan' && v !== 'host-gw') throw new InvalidArgumentError('expected vxlan or host-gw');
  return v;
}

interface UpFlags {
  apiPort?: number;
  registryPort?: number;
  hosts?: number;
  etcdMembers?: number;
  hostCidr?: string;
  podNetwork?: 'vxlan' | 'host-gw';
  bridge?: string;
  cgroupRoot?: string;
  apiserverWorkers?: number;
}

program
  .command('up')
  .description('start a local cluster in the background (state in $GANTRY_HOME, default ~/.gantry): etcd, an image registry, the API server, the scheduler, the controller manager and N hosts (network namespaces on a bridge), each running a node agent')
  .option('--api-port <port>', 'port of the API server (default 6443, or a free one)', port)
  .option('--registry-port <port>', 'port of the image registry, the docker.io mirror (default 5000, or a free one)', port)
  .option('--hosts <n>', `how many hosts (default ${defaultHosts})`, hostCount)
  .option('--etcd-members <n>', `etcd members on this machine: ${etcdMemberCounts.join(' or ')}; three keep the cluster working when one fails (default ${defaultEtcdMembers}, or what the existing data has)`, etcdMembers)
  .option('--host-cidr <cidr>', "the hosts' network (default: the first /24 of 172.31.240.0-255 that no network of this machine overlaps)", ipv4Cidr)
  .option('--pod-network <backend>', 'how pods reach pods on other hosts: vxlan (default) or host-gw', podNetwork)
  .option('--apiserver-workers <n>', 'API server processes sharing its port, one core each (default 1)', apiServerWorkers)
  .option('--bridge <name>', `the hosts' bridge, at most 15 characters; also names their network namespaces (default ${defaultBridge})`, (v) => {
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(v)) throw new InvalidArgumentError('expected 1-15 characters of letters, digits, _ . -');
    return v;
  })
  .option('--cgroup-root <name>', `parent cgroup name of every pod, suffixed with the host's name (default ${defaultCgroupRoot})`, (v) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(v)) throw new InvalidArgumentError('expected letters, digits, _ . -');
    return v;
  })
  .action(async (o: UpFlags) => {
    const home = gantryHome();
    const { apiserverWorkers, ...rest } = o;
    const r = await up({ home, ...rest, ...(apiserverWorkers ? { apiServerWorkers: apiserverWorkers } : {}), out: (l) => process.stderr.write(`${l}\n`) });
    const lines = r.alreadyRunning
      ? [`cluster already running: ${r.server}`]
      : [
          `cluster is up: ${r.server}`,
          `  image registry: ${r.registry} (the docker.io mirror: image: busybox, gantry/web:v1, gantry/web:v2, gantry/redis:7)`,
          ...r.nodes.map((n) => `  node ${n.name} at ${n.address}${n.ready ? ' (Ready)' : ' (not Ready yet)'}`),
          `  logs: ${r.logs}`,
        ];
    lines.push(`use it with:  export KUBECONFIG=${r.kubeconfig}; kubectl get nodes`);
    process.stdout.write(lines.join('\n') + '\n');
  });

program
  .command('down')
  .description('stop the local cluster and remove everything `up` created')
  .action(async () => {
    await down(gantryHome(), (l) => process.stderr.write(`${l}\n`));
  });

program
  .command('status')
  .description('each component `up` started (PID, running, restarts), the API server and the nodes; exit code 1 when something is down')
  .action(async () => {
    const ok = await status(gantryHome(), (l) => process.stdout.write(`${l}\n`));
    if (!ok) process.exitCode = 1;
  });

program
  .command('supervise', { hidden: true })
  .description('run a component and restart it when it exits (used by `up`)')
  .requiredOption('--log <file>', 'append the component output here')
  .argument('<command...>', 'the command and its arguments, after --')
  .action(async (command: string[], o: { log: string }) => {
    await supervise(command[0]!, command.slice(1), o.log);
  });

registerJoinCommands(program);
registerKubeCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`gantry: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
