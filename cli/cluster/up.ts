// `gantry up`: a local cluster in the background: etcd, the image registry, the API
// server, the scheduler, the controller manager and a node agent for this machine.
// Certificates, tokens, etcd data, registry storage, the node's state, logs, state.json and
// the kubeconfig all live in $GANTRY_HOME.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { RestClient } from '../../common/client/restClient.js';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { startEtcd } from '../../common/proc/etcdProcess.js';
import { freePort } from '../../common/proc/ports.js';
import { isAlive, stopPid } from '../../common/proc/pids.js';
import { componentCommand } from '../../common/proc/components.js';
import { agentArgs, nodeDir, writeNodeFiles } from './node.js';
import { defaultNodeName, isDnsLabel } from './nodeName.js';
import { ensureClusterPki, ensureToken } from './pki.js';
import { choosePort, portAnswers } from './ports.js';
import { ensureClusterImages, startClusterRegistry } from './registry.js';
import { readState, writeState, type ClusterProcess, type ClusterState, type NodeState } from './state.js';

export const defaultPodSubnet = '10.88.0.0/16';
/** Service cluster IPs (kubeadm's default), apart from the pod subnet. */
export const defaultServiceSubnet = '10.96.0.0/12';
export const defaultBridge = 'gantry0';
export const defaultCgroupRoot = 'gantry';

export interface UpOptions {
  home: string;
  apiPort?: number;
  /** The registry's port; default 5000, or a free one when 5000 is taken. */
  registryPort?: number;
  /** Default: the hostname as a DNS-1123 label. */
  nodeName?: string;
  /** The agent's HTTPS port; default 10250, or a free one. */
  agentPort?: number;
  podSubnet?: string;
  /** Where the API server allocates Service cluster IPs. */
  serviceSubnet?: string;
  bridge?: string;
  cgroupRoot?: string;
  /** How long to wait for the Node to be Ready before `up` returns (it warns, not fails). Default 60 s. */
  nodeReadyTimeoutMs?: number;
  out: (line: string) => void;
}

interface NodeObject {
  status?: { conditions?: Array<{ type: string; status: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

export interface UpResult {
  kubeconfig: string;
  server: string;
  registry: string;
  nodeName: string;
  /** False when the node did not report Ready in time (see the agent's log). */
  nodeReady: boolean;
  logs: string;
  alreadyRunning: boolean;
}

async function waitReady(url: string, caPem: string, token: string, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.get(`${url}/readyz`, { ca: caPem, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
        res.resume();
        last = `HTTP ${res.statusCode}`;
        resolve(res.statusCode === 200);
      });
      req.on('error', (e) => {
        last = e.message;
        resolve(false);
      });
      req.on('timeout', () => req.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the API server did not become ready at ${url} (${last}); see ${logFile}`);
}

/**
 * Polls until the Node is Ready, advertises our agent's port, and that port answers: a Node
 * left Ready by a previous agent (a restarted `up`) does not count until the new one serves.
 */
async function waitNodeReady(client: RestClient, name: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await client.get<NodeObject>(`/api/v1/nodes/${name}`, { timeoutMs: 5_000 });
      const status = res.status === 200 ? res.body.status : undefined;
      if (
        status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
        status.daemonEndpoints?.kubeletEndpoint?.Port === port &&
        (await portAnswers(port))
      ) {
        return true;
      }
    } catch {
      // not reachable yet; try again
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Starts `gantry supervise` for one component, detached; its command line names the log file. */
function startSupervised(name: string, logFile: string, command: { command: string; args: string[] }, args: string[]): ClusterProcess {
  const cli = componentCommand('cli/main');
  const child = spawn(cli.command, [...cli.args, 'supervise', '--log', logFile, '--', command.command, ...command.args, ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  return { name, pid: child.pid!, marker: logFile };
}

/** A cluster that is partly gone (a crash, a reboot) is started again whole: stop what is left. */
async function stopSurvivors(state: ClusterState, out: (line: string) => void): Promise<void> {
  for (const p of [...state.processes].reverse()) {
    if (!isAlive(p.pid)) continue;
    out(`stopping the previous ${p.name} (pid ${p.pid}) to start the cluster again`);
    await stopPid(p.pid, p.marker, 30_000);
  }
}

export async function up(opts: UpOptions): Promise<UpResult> {
  const home = opts.home;
  const kubeconfig = path.join(home, 'kubeconfig');
  const logs = path.join(home, 'logs');
  const existing = readState(home);
  if (existing && existing.processes.every((p) => isAlive(p.pid))) {
    return { kubeconfig, server: existing.apiServer, registry: existing.registry ?? '', nodeName: existing.node?.name ?? '', nodeReady: true, logs, alreadyRunning: true };
  }
  if (existing) await stopSurvivors(existing, opts.out);

  const nodeName = opts.nodeName ?? existing?.node?.name ?? defaultNodeName();
  if (!isDnsLabel(nodeName)) throw new Error(`node name ${JSON.stringify(nodeName)} is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)`);
  for (const d of ['logs', 'etcd']) fs.mkdirSync(path.join(home, d), { recursive: true, mode: 0o700 });

  opts.out('generating certificates and tokens');
  const pki = ensureClusterPki(path.join(home, 'pki'));
  const adminToken = ensureToken(pki.tokenFile, 'admin', 'admin-uid', ['system:masters']);
  const schedulerToken = ensureToken(pki.tokenFile, 'system:kube-scheduler', 'kube-scheduler', []);
  const controllerManagerToken = ensureToken(pki.tokenFile, 'system:kube-controller-manager', 'kube-controller-manager', []);

  const processes: ClusterProcess[] = [];
  const state: ClusterState = { version: 1, apiServer: '', etcd: '', processes, createdAt: new Date().toISOString() };
  // Until the agent starts again, `down` must still tear down what the previous one ran.
  if (existing?.node) state.node = existing.node;
  const save = (): void => writeState(home, state);

  opts.out('starting etcd');
  const etcd = await startEtcd({ dataDir: path.join(home, 'etcd'), logFile: path.join(logs, 'etcd.log'), detached: true });
  processes.push({ name: 'etcd', pid: etcd.pid, marker: path.join(home, 'etcd') });
  state.etcd = etcd.endpoint;
  save();

  const registry = await startClusterRegistry(home, await choosePort(opts.registryPort, 5000), path.join(logs, 'registry.log'));
  processes.push({ name: 'registry', pid: registry.pid, marker: registry.marker });
  state.registry = registry.url;
  save();
  opts.out(`image registry at ${registry.url} (storage in ${registry.storageDir})`);
  const images = await ensureClusterImages(registry, home, opts.out);
  opts.out(images === 'built' ? `pushed busybox, gantry/web:v1 and v2 to ${registry.url}` : `the registry already holds the images`);

  const apiPort = await choosePort(opts.apiPort, 6443);
  const server = `https://127.0.0.1:${apiPort}`;
  state.apiServer = server;
  const node: NodeState = {
    name: nodeName,
    root: path.join(nodeDir(home, nodeName), 'root'),
    bridge: opts.bridge ?? existing?.node?.bridge ?? defaultBridge,
    podSubnet: opts.podSubnet ?? existing?.node?.podSubnet ?? defaultPodSubnet,
    cgroupRoot: opts.cgroupRoot ?? existing?.node?.cgroupRoot ?? defaultCgroupRoot,
    port: await choosePort(opts.agentPort, 10250),
  };
  // The node's token must be in tokens.csv before the API server reads it.
  const nodeFiles = writeNodeFiles(home, nodeName, pki, server, registry.url);

  const apiLog = path.join(logs, 'apiserver.log');
  const { command, args } = componentCommand('apiserver/main');
  const fd = fs.openSync(apiLog, 'a');
  opts.out('starting the API server');
  const child = spawn(command, [
    ...args,
    '--etcd-endpoints', etcd.endpoint,
    '--port', String(apiPort),
    '--tls-cert-file', pki.apiServer.cert,
    '--tls-key-file', pki.apiServer.key,
    '--token-file', pki.tokenFile,
    // Logs and exec: the API server calls node agents with this client certificate and
    // trusts their serving certificates when the cluster CA signed them.
    '--kubelet-client-cert-file', pki.kubeletClient.cert,
    '--kubelet-client-key-file', pki.kubeletClient.key,
    '--kubelet-certificate-authority', pki.caFile,
    '--service-cluster-ip-range', opts.serviceSubnet ?? defaultServiceSubnet,
  ], { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  processes.push({ name: 'apiserver', pid: child.pid!, marker: pki.tokenFile });
  save();

  await waitReady(server, pki.ca.certPem, adminToken, 30_000, apiLog);
  fs.writeFileSync(kubeconfig, renderKubeconfig({ server, caPem: pki.ca.certPem, token: adminToken }), { mode: 0o600 });

  // Clients of the API run under a supervisor that restarts them, as systemd would.
  opts.out('starting the scheduler');
  const schedulerDir = path.join(home, 'scheduler');
  fs.mkdirSync(schedulerDir, { recursive: true, mode: 0o700 });
  const schedulerKubeconfig = path.join(schedulerDir, 'kubeconfig');
  fs.writeFileSync(schedulerKubeconfig, renderKubeconfig({ server, caPem: pki.ca.certPem, token: schedulerToken, user: 'system:kube-scheduler' }), { mode: 0o600 });
  processes.push(startSupervised('scheduler', path.join(logs, 'scheduler.log'), componentCommand('scheduler/main'), ['--kubeconfig', schedulerKubeconfig, '--metrics-port', String(await freePort())]));
  save();

  opts.out('starting the controller manager');
  const controllerManagerDir = path.join(home, 'controller-manager');
  fs.mkdirSync(controllerManagerDir, { recursive: true, mode: 0o700 });
  const controllerManagerKubeconfig = path.join(controllerManagerDir, 'kubeconfig');
  fs.writeFileSync(controllerManagerKubeconfig, renderKubeconfig({ server, caPem: pki.ca.certPem, token: controllerManagerToken, user: 'system:kube-controller-manager' }), { mode: 0o600 });
  processes.push(
    startSupervised('controller-manager', path.join(logs, 'controller-manager.log'), componentCommand('controllers/main'), ['--kubeconfig', controllerManagerKubeconfig, '--metrics-port', String(await freePort())]),
  );
  save();

  opts.out(`starting the node agent for node ${nodeName} (root ${node.root})`);
  fs.mkdirSync(node.root, { recursive: true, mode: 0o700 });
  const agentLog = path.join(logs, 'nodeagent.log');
  processes.push(startSupervised('nodeagent', agentLog, componentCommand('nodeagent/main'), agentArgs(node, nodeFiles, pki.caFile)));
  state.node = node;
  save();

  const client = new RestClient({ server, caPem: pki.ca.certPem, token: adminToken });
  const nodeReady = await waitNodeReady(client, nodeName, node.port, opts.nodeReadyTimeoutMs ?? 60_000);
  client.close();
  if (!nodeReady) opts.out(`warning: node ${nodeName} is not Ready yet; pods will wait for it. See ${agentLog}`);
  return { kubeconfig, server, registry: registry.url, nodeName, nodeReady, logs, alreadyRunning: false };
}
