// `gantry up`: a local cluster in the background: etcd, the image registry, the API
// server, the scheduler, the controller manager and a node agent for this machine.
// Certificates, tokens, etcd data, registry storage, the node's state, logs, state.json and
// the kubeconfig all live in $GANTRY_HOME.

import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ApiClient } from '../../common/client/apiClient.js';
import { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { freePort } from '../../common/proc/ports.js';
import { pidRuns, stopPid } from '../../common/proc/pids.js';
import { componentCommand } from '../../common/proc/components.js';
import { hostCommands } from '../../common/proc/hostCommands.js';
import { createHostNamespace, vethName } from './hosts/hostNamespace.js';
import { candidateCidrs, chooseCidr, createHostNetwork, hostAddress, machinePrefixes, type HostNetwork } from './hosts/hostNetwork.js';
import { clusterDnsIp, firstServiceIp } from './hosts/serviceIps.js';
import { stopOrphan } from './down.js';
import { startClusterEtcd } from './etcd.js';
import { agentArgs, agentCommand, nodeDir, writeRegistriesFile } from './node.js';
import { joinCluster } from '../join/join.js';
import { createBootstrapToken } from '../join/tokens.js';
import { ensureClusterPki, ensureToken } from './pki.js';
import { ensureEncryptionConfig } from './encryption.js';
import { choosePort, dnsPortFree, portAnswers } from './ports.js';
import { startSupervised } from './supervise.js';
import { ensureClusterImages, startClusterRegistry } from './registry.js';
import { ensureDefaultStorageClass } from './storageClass.js';
import { readState, writeState, type ClusterProcess, type ClusterState, type NodeState } from './state.js';

/** Service cluster IPs (kubeadm's default), apart from the pod network. */
export const defaultServiceSubnet = '10.96.0.0/12';
/** Pods' addresses; the node IPAM gives each node a /24 of it (kube-controller-manager's and flannel's default). */
export const defaultClusterCidr = '10.244.0.0/16';
/** The bridge the hosts share (the host network). */
export const defaultBridge = 'gantry-hostnet';
export const defaultCgroupRoot = 'gantry';
export const defaultHosts = 3;
/** The pods' bridge inside each host's namespace: the same name everywhere, as on real hosts. */
export const podBridge = 'gantry0';
export const clusterDomain = 'cluster.local';
/** The API server's supervisor never waits longer than this to start it again. */
const apiServerMaxBackoffMs = 2_000;

export interface UpOptions {
  home: string;
  apiPort?: number;
  /** The registry's port; default 5000, or a free one when 5000 is taken. */
  registryPort?: number;
  /** How many hosts (network namespaces, each with a node agent); default 3. */
  hosts?: number;
  /** etcd members: 1 or 3 (default: as many as its data was created with, else 1). */
  etcdMembers?: number;
  /** The host network's range; default the first free /24 of 172.31.240.0-255. */
  hostCidr?: string;
  /** `vxlan` (default) or `host-gw`. */
  podNetwork?: 'vxlan' | 'host-gw';
  /** The API server's --workers: processes sharing its port (default 1). */
  apiServerWorkers?: number;
  /** Where the API server allocates Service cluster IPs. */
  serviceSubnet?: string;
  /** The host network's bridge; also names the hosts' namespaces. */
  bridge?: string;
  /** Hosts' cgroups are `<cgroupRoot>-<node>`. */
  cgroupRoot?: string;
  /** How long to wait for the Nodes to be Ready before `up` returns (it warns, not fails). Default 90 s. */
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
  /** Each node, its address and whether it reported Ready in time (else see its agent's log). */
  nodes: Array<{ name: string; address: string; ready: boolean }>;
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
async function waitNodeReady(client: RestClient, name: string, address: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await client.get<NodeObject>(`/api/v1/nodes/${name}`, { timeoutMs: 5_000 });
      const status = res.status === 200 ? res.body.status : undefined;
      if (
        status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
        status.daemonEndpoints?.kubeletEndpoint?.Port === port &&
        (await portAnswers(port, address))
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

/** A cluster that is partly gone (a crash, a reboot) is started again whole: stop what is left. */
async function stopSurvivors(state: ClusterState, home: string, out: (line: string) => void): Promise<void> {
  for (const p of [...state.processes].reverse()) {
    if (pidRuns(p.pid, p.marker)) {
      out(`stopping the previous ${p.name} (pid ${p.pid}) to start the cluster again`);
      await stopPid(p.pid, p.marker, 30_000);
    }
    // A killed supervisor leaves its component running: an etcd member would hold the ports its successor needs.
    const left = await stopOrphan(p, home, out);
    if (left) throw new Error(`cannot start the cluster again: ${left}`);
  }
}

/** The host network: the one recorded (a restarted `up`), else the flag's, else a free range. */
async function hostNetworkFor(opts: UpOptions, existing: ClusterState | undefined): Promise<HostNetwork> {
  const root = hostCommands();
  const bridge = opts.bridge ?? existing?.hostNetwork?.bridge ?? defaultBridge;
  const cidr = opts.hostCidr ?? existing?.hostNetwork?.cidr ?? chooseCidr(candidateCidrs(), await machinePrefixes(root));
  return createHostNetwork(root, bridge, cidr);
}

export async function up(opts: UpOptions): Promise<UpResult> {
  const home = opts.home;
  const kubeconfig = path.join(home, 'kubeconfig');
  const logs = path.join(home, 'logs');
  const existing = readState(home);
  // By command line, not by PID alone: a killed supervisor nobody reaped yet (a zombie) or a reused PID is not ours running.
  if (existing && existing.processes.every((p) => pidRuns(p.pid, p.marker))) {
    return { kubeconfig, server: existing.apiServer, registry: existing.registry ?? '', nodes: existing.nodes.map((n) => ({ name: n.name, address: n.address, ready: true })), logs, alreadyRunning: true };
  }
  if (existing) await stopSurvivors(existing, home, opts.out);
  const hostCount = opts.hosts ?? existing?.nodes.length ?? defaultHosts;
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > 200) throw new Error(`--hosts ${hostCount}: expected 1 to 200`);
  for (const d of ['logs', 'etcd']) fs.mkdirSync(path.join(home, d), { recursive: true, mode: 0o700 });

  const processes: ClusterProcess[] = [];
  const state: ClusterState = { version: 1, apiServer: '', etcd: '', processes, nodes: existing?.nodes ?? [], createdAt: new Date().toISOString() };
  // Until the agents start again, `down` must still tear down what the previous ones ran.
  if (existing?.hostNetwork) state.hostNetwork = existing.hostNetwork;
  const save = (): void => writeState(home, state);
  save();

  const hostNet = await hostNetworkFor(opts, existing);
  state.hostNetwork = hostNet;
  save();
  opts.out(`host network ${hostNet.cidr} on bridge ${hostNet.bridge}; the control plane is at ${hostNet.gateway}`);

  opts.out('generating certificates and tokens');
  const serviceSubnet = opts.serviceSubnet ?? defaultServiceSubnet;
  const kubernetesServiceIp = firstServiceIp(serviceSubnet);
  const pki = ensureClusterPki(path.join(home, 'pki'), [hostNet.gateway, kubernetesServiceIp]);
  const adminToken = ensureToken(pki.tokenFile, 'admin', 'admin-uid', ['system:masters']);
  const schedulerToken = ensureToken(pki.tokenFile, 'system:kube-scheduler', 'kube-scheduler', []);
  const controllerManagerToken = ensureToken(pki.tokenFile, 'system:kube-controller-manager', 'kube-controller-manager', []);
  const dnsToken = ensureToken(pki.tokenFile, 'system:gantry-dns', 'gantry-dns', []);

  const etcd = await startClusterEtcd(home, logs, opts.etcdMembers, opts.out);
  processes.push(...etcd.processes);
  state.etcd = etcd.endpoints.join(',');
  save();

  // Token auth: anyone pulls, pushes need the credentials in $GANTRY_HOME/registry/push-auth.json.
  const clusterRegistry = await startClusterRegistry(home, hostNet.gateway, await choosePort(opts.registryPort, 5000), path.join(logs, 'registry.log'));
  const registry = clusterRegistry.registry;
  processes.push(...clusterRegistry.processes);
  state.registry = registry.url;
  save();
  opts.out(`image registry at ${registry.url} (storage in ${registry.storageDir}; push with --authfile ${clusterRegistry.pushAuthFile})`);
  const images = await ensureClusterImages(registry, home, opts.out);
  opts.out(images === 'built' ? `pushed the example images to ${registry.url}` : `the registry already holds the images`);

  const apiPort = await choosePort(opts.apiPort, 6443);
  const server = `https://127.0.0.1:${apiPort}`;
  // What the hosts (and pods, through the `kubernetes` Service) dial.
  const hostServer = `https://${hostNet.gateway}:${apiPort}`;
  state.apiServer = server;
  const cgroupRoot = opts.cgroupRoot ?? defaultCgroupRoot;
  const nodes: NodeState[] = Array.from({ length: hostCount }, (_, i) => {
    const name = `host-${i + 1}`;
    const netns = `${hostNet.bridge}-${name}`;
    return {
      name,
      root: path.join(nodeDir(home, name), 'root'),
      bridge: podBridge,
      podSubnet: '',
      cgroupRoot: `${cgroupRoot}-${name}`,
      port: 10250,
      podNetwork: opts.podNetwork ?? 'vxlan',
      address: hostAddress(hostNet.cidr, i),
      netns,
      veth: vethName(netns),
    };
  });

  const apiLog = path.join(logs, 'apiserver.log');
  opts.out('starting the API server');
  // Supervised like every component, its back-off capped low: everything waits on it.
  const apiArgs = [
    '--etcd-endpoints', etcd.endpoints.join(','),
    // etcd takes only certificates its own CA signed; the API server holds the one client certificate.
    '--etcd-cafile', etcd.apiServerClient.caFile,
    '--etcd-certfile', etcd.apiServerClient.certFile,
    '--etcd-keyfile', etcd.apiServerClient.keyFile,
    // Loopback for this machine's clients, the host network for the hosts and their pods.
    '--host', '0.0.0.0',
    '--advertise-address', hostNet.gateway,
    '--port', String(apiPort),
    '--tls-cert-file', pki.apiServer.cert,
    '--tls-key-file', pki.apiServer.key,
    '--token-file', pki.tokenFile,
    '--encryption-provider-config', ensureEncryptionConfig(path.join(home, 'pki')),
    // Nodes authenticate with the client certificates the cluster CA signed when they joined.
    '--client-ca-file', pki.caFile,
    // Logs and exec: the API server calls node agents with this client certificate and
    // trusts their serving certificates when the cluster CA signed them.
    '--kubelet-client-cert-file', pki.kubeletClient.cert,
    '--kubelet-client-key-file', pki.kubeletClient.key,
    '--kubelet-certificate-authority', pki.caFile,
    '--service-cluster-ip-range', serviceSubnet,
    ...(opts.apiServerWorkers && opts.apiServerWorkers > 1 ? ['--workers', String(opts.apiServerWorkers)] : []),
  ];
  processes.push(startSupervised('apiserver', apiLog, componentCommand('apiserver/main'), apiArgs, { maxBackoffMs: apiServerMaxBackoffMs }));
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
    startSupervised('controller-manager', path.join(logs, 'controller-manager.log'), componentCommand('controllers/main'), [
      '--kubeconfig', controllerManagerKubeconfig,
      '--metrics-port', String(await freePort()),
      // Signs the certificates joining nodes ask for (csrsigning).
      '--cluster-signing-cert-file', pki.caFile,
      '--cluster-signing-key-file', pki.caKeyFile,
    ]),
  );
  save();

  // The cluster DNS on the control plane's address; pods reach it as the kube-dns Service.
  const dnsIp = clusterDnsIp(serviceSubnet);
  const dnsPort = (await dnsPortFree(hostNet.gateway, 53)) ? 53 : await freePort();
  opts.out(`starting the cluster DNS at ${hostNet.gateway}:${dnsPort} (Service kube-system/kube-dns, ${dnsIp})`);
  const dnsDir = path.join(home, 'dns');
  fs.mkdirSync(dnsDir, { recursive: true, mode: 0o700 });
  const dnsKubeconfig = path.join(dnsDir, 'kubeconfig');
  fs.writeFileSync(dnsKubeconfig, renderKubeconfig({ server, caPem: pki.ca.certPem, token: dnsToken, user: 'system:gantry-dns' }), { mode: 0o600 });
  processes.push(
    startSupervised('dns', path.join(logs, 'dns.log'), componentCommand('dns/main'), [
      '--kubeconfig', dnsKubeconfig,
      '--listen-address', hostNet.gateway,
      '--port', String(dnsPort),
      '--advertise-address', hostNet.gateway,
      '--cluster-domain', clusterDomain,
      '--service-ip', dnsIp,
    ]),
  );
  save();

  const root = hostCommands();
  for (const node of nodes) {
    opts.out(`creating host ${node.name} at ${node.address} (network namespace ${node.netns})`);
    await createHostNamespace(root, hostNet, node.netns!, node.address);
    state.nodes = [...state.nodes.filter((n) => n.name !== node.name), node];
    save();
  }

  // Every host joins as a real machine would (`gantry join`): a bootstrap token, the CA pinned
  // by its hash, its own key and certificates signed through the CSR API.
  const client = new RestClient({ server, caPem: pki.ca.certPem, token: adminToken });
  const api = new ApiClient({ client, qps: 50, burst: 50, clock: realClock });
  const token = await createBootstrapToken(api, { ttlMs: 60 * 60_000, description: 'gantry up: its hosts join with it', server: hostServer, caPem: pki.ca.certPem });
  if (await ensureDefaultStorageClass(api)) opts.out('created the default StorageClass local-path (a directory on the node of the claim\'s first pod)');
  const net = { clusterCidr: defaultClusterCidr, clusterDns: dnsIp, clusterDomain };
  const joined = await Promise.all(
    nodes.map((node) => joinCluster({ server: hostServer, token: token.token, caHash: token.caHash, nodeName: node.name, address: node.address, dir: nodeDir(home, node.name), out: (l) => opts.out(`  ${node.name}: ${l}`) })),
  );
  for (const [i, node] of nodes.entries()) {
    const j = joined[i]!;
    const files = { dir: j.dir, kubeconfig: j.kubeconfig, serving: j.serving, registriesFile: writeRegistriesFile(j.dir, registry.url) };
    fs.mkdirSync(node.root, { recursive: true, mode: 0o700 });
    opts.out(`starting the node agent of ${node.name} (root ${node.root})`);
    processes.push(startSupervised(`nodeagent-${node.name}`, path.join(logs, `nodeagent-${node.name}.log`), agentCommand(node), agentArgs(node, files, j.caFile, net)));
    save();
  }

  const deadline = opts.nodeReadyTimeoutMs ?? 90_000;
  const ready = await Promise.all(nodes.map((n) => waitNodeReady(client, n.name, n.address, n.port, deadline)));
  client.close();
  nodes.forEach((n, i) => {
    if (!ready[i]) opts.out(`warning: node ${n.name} is not Ready yet; pods will wait for it. See ${path.join(logs, `nodeagent-${n.name}.log`)}`);
  });
  return { kubeconfig, server, registry: registry.url, nodes: nodes.map((n, i) => ({ name: n.name, address: n.address, ready: ready[i]! })), logs, alreadyRunning: false };
}
