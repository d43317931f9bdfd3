// The node agent process: `node dist/nodeagent/main.js --kubeconfig ... --node-name ... --root ...`
// (all settings: agent/config.ts). Opens the image store and the runc runtime under --root,
// serves logs/exec for the API server, joins the cluster and runs the pods bound to this node.
// SIGTERM stops the agent but leaves containers running, like the kubelet: a restarted agent
// picks them up.

import fs from 'node:fs';
import path from 'node:path';
import { Informer } from '../common/client/informer.js';
import { RestClient } from '../common/client/restClient.js';
import { realClock } from '../common/clock.js';
import { ConfigError } from '../common/config.js';
import { readKubeconfig } from '../common/kubeconfig.js';
import { createLogger, type Logger } from '../common/logging.js';
import { exitOnStopSignals } from '../common/proc/stopSignals.js';
import { NodeAgent } from './agent/agent.js';
import { loadAgentConfig, type AgentConfig } from './agent/config.js';
import { agentEventRecorder, NodeEventRecorder, PodEventRecorder } from './agent/events.js';
import { readHostInfo } from './agent/hostInfo.js';
import { RuntimeContainerLocator } from './agent/locator.js';
import { NodeLifecycle } from './agent/nodeLifecycle.js';
import { RestPodApi } from './agent/podApi.js';
import { InformerPodSource } from './agent/podSource.js';
import { podCidrFromNode } from './agent/podCidr.js';
import { PodspecTranslator } from './agent/podspecTranslator.js';
import { pressureFrom, readPressure } from './agent/pressure.js';
import { runtimePodUids } from './agent/runtimePods.js';
import { parseQuantity } from '../common/quantity.js';
import { RegistryImageService } from './images/imageService.js';
import { loadRegistriesFile } from './images/registry/hosts.js';
import { RuncRuntime } from './runtime/runtime.js';
import { detectCgroupVersion } from './runtime/cgroups.js';
import { CgroupReader } from './stats/cgroupReader.js';
import { StatsSampler } from './stats/statsSampler.js';
import { startAgentServer } from './server/agentServer.js';
import { startPodNetwork, type PodNetwork } from './network/startPodNetwork.js';
import { ProxyEndpointDrain } from './agent/endpointDrain.js';
import { ServiceProxy } from './proxy/serviceProxy.js';
import type { ServiceWire } from '../common/api/serviceWire.js';
import { ensureLocalPathRoot, localPathRootOf } from './storage/localPath.js';
import { LocalPathCleaner } from './storage/localPathCleaner.js';

function fail(message: string): never {
  process.stderr.write(`gantry-agent: ${message}\n`);
  process.exit(2);
}

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

async function collectImages(images: RegistryImageService, runtime: RuncRuntime, logger: Logger): Promise<void> {
  const inUse = new Set((await runtime.listContainers()).map((c) => c.imageRef));
  const removed = await images.collect(inUse, { highPercent: 85, lowPercent: 80 });
  if (removed.length) logger.info('image garbage collection', { removed });
}

async function run(cfg: AgentConfig, logger: Logger): Promise<void> {
  const access = (() => {
    try {
      return readKubeconfig(cfg.kubeconfig);
    } catch (e) {
      fail(`cannot read kubeconfig ${cfg.kubeconfig}: ${(e as Error).message}`);
    }
  })();
  const client = new RestClient(access);
  const clock = realClock;
  fs.mkdirSync(cfg.root, { recursive: true, mode: 0o700 });
  // gantry.dev/local-path volumes; announced on the Node so the provisioner knows where they go.
  const localPathRoot = localPathRootOf(cfg.root);
  await ensureLocalPathRoot(localPathRoot);
  const podSubnet = cfg.podSubnet || (await podCidrFromNode({ client, nodeName: cfg.nodeName, clock, logger: logger.child({ subsystem: 'node' }) }));
  if (!podSubnet) fail('no pod subnet');
  logger.info('pod subnet', { podSubnet, from: cfg.podSubnet ? '--pod-subnet' : 'spec.podCIDR' });
  const images = await RegistryImageService.open({
    root: path.join(cfg.root, 'images'),
    ...(cfg.registriesFile ? { registries: loadRegistriesFile(cfg.registriesFile) } : {}),
    log: logger.child({ subsystem: 'images' }),
  });
  // Routes to the other nodes' pods; the pods' MTU and masquerading follow from the backend.
  const podNetwork: PodNetwork | undefined =
    cfg.podNetwork === 'none' ? undefined : await startPodNetwork({ cfg: { ...cfg, podNetwork: cfg.podNetwork }, client, podCidr: podSubnet, logger: logger.child({ subsystem: 'podnetwork' }) });
  const runtime = await RuncRuntime.open({
    root: path.join(cfg.root, 'runtime'),
    imageLayers: images,
    network: { bridge: cfg.bridge, subnet: podSubnet, ...(podNetwork ? { ipMasq: false, mtu: podNetwork.podMtu } : {}) },
    // The node IPAM carved the range from the cluster CIDR, and the overlay's own address lies in it.
    ...(podNetwork ? { skipSubnetCheck: true } : {}),
    cgroupRoot: `/${cfg.cgroupRoot}`,
    logger: logger.child({ subsystem: 'runtime' }),
  });
  const version = await runtime.version();
  const host = readHostInfo();
  const { source: pods, informer } = InformerPodSource.forNode(client, cfg.nodeName, logger.child({ subsystem: 'informer' }));
  // One watch of every Service, for the pods' service env vars and the service proxy.
  const services = new Informer<ServiceWire>({ client, path: '/api/v1/services', logger: logger.child({ subsystem: 'informer' }) });
  const translator = new PodspecTranslator({
    services,
    clock,
    client,
    podsRoot: path.join(cfg.root, 'pods'),
    logsRoot: path.join(cfg.root, 'logs'),
    nodeName: cfg.nodeName,
    hostIP: cfg.address,
    clusterDns: cfg.clusterDns,
    clusterDomain: cfg.clusterDomain,
    nodeMemoryBytes: host.memoryBytes,
    nodeCpuCores: host.cpuCores,
    localPathRoot,
  });
  const thresholds = { memoryAvailableBytes: parseQuantity(cfg.evictionMemoryAvailable).value(), diskFreePercent: cfg.evictionDiskFreePercent };
  const lifecycle = new NodeLifecycle({
    client,
    identity: {
      nodeName: cfg.nodeName,
      address: cfg.address,
      port: cfg.port,
      podSubnet,
      maxPods: cfg.maxPods,
      reservedCpu: cfg.systemReservedCpu,
      reservedMemory: cfg.systemReservedMemory,
      evictionMemoryAvailable: cfg.evictionMemoryAvailable,
      runtimeVersion: `${version.runtimeName}://${version.runtimeVersion}`,
      localPathRoot,
    },
    host,
    leaseDurationSeconds: cfg.leaseDurationSeconds,
    statusReportSeconds: cfg.nodeStatusReportSeconds,
    health: async () => {
      const pressure = pressureFrom(await readPressure(cfg.root), thresholds);
      try {
        await runtime.version();
        await runtimePodUids(runtime);
        return { pressure };
      } catch (e) {
        return { pressure, runtimeError: (e as Error).message };
      }
    },
    diskBytes: async () => {
      const s = await fs.promises.statfs(cfg.root);
      return BigInt(s.blocks) * BigInt(s.bsize);
    },
    clock,
    logger: logger.child({ subsystem: 'node' }),
  });
  // Services on this host (kube-proxy's job); pods behind one leave its rules before SIGTERM.
  const proxy = cfg.proxyMode === 'iptables' ? new ServiceProxy({ client, services, clusterCidr: cfg.clusterCidr, nodePortRange: cfg.nodePortRange, clock, logger }) : undefined;
  const eventRecorder = agentEventRecorder({ client, nodeName: cfg.nodeName, clock, logger: logger.child({ subsystem: 'events' }) });
  const agent = new NodeAgent({
    nodeName: cfg.nodeName,
    hostIP: cfg.address,
    runtime,
    images,
    pods,
    api: new RestPodApi(client, pods, logger.child({ subsystem: 'status' })),
    translator,
    events: new PodEventRecorder(eventRecorder),
    lifecycle,
    backoffInitialMs: cfg.backoffInitialSeconds * 1000,
    backoffMaxMs: cfg.backoffMaxSeconds * 1000,
    relistMs: cfg.relistMillis,
    hostLimits: { oomScoreAdjFloor: runtime.oomScoreAdjFloor },
    nodeEvents: new NodeEventRecorder(eventRecorder, cfg.nodeName),
    ...(proxy ? { endpointDrain: new ProxyEndpointDrain({ tracker: proxy, clock, logger: logger.child({ subsystem: 'drain' }) }) } : {}),
    clock,
    logger,
  });
  // Usage for the metrics API (kubectl top): the whole host as the node, as the kubelet reports it.
  const stats = new StatsSampler({ nodeName: cfg.nodeName, runtime, reader: new CgroupReader({ version: detectCgroupVersion() }), cgroupRoot: `/${cfg.cgroupRoot}`, intervalMs: cfg.statsIntervalSeconds * 1000, logger: logger.child({ subsystem: 'stats' }) });
  stats.start();
  const server = await startAgentServer({
    host: cfg.listenHost,
    port: cfg.port,
    tls: { certPem: readFile(cfg.tlsCertFile, 'TLS certificate'), keyPem: readFile(cfg.tlsKeyFile, 'TLS key'), clientCaPem: readFile(cfg.clientCaFile, 'client CA') },
    allowedClientNames: cfg.allowedClientNames,
    locator: new RuntimeContainerLocator(pods, runtime),
    runtime,
    stats,
    logger: logger.child({ subsystem: 'server' }),
  });
  logger.info('agent listening', { port: server.port, node: cfg.nodeName });
  const localPathCleaner = new LocalPathCleaner({ client, nodeName: cfg.nodeName, root: localPathRoot, clock, logger });
  informer.start();
  services.start();
  localPathCleaner.start();
  // Rules stay when the agent stops: Services keep working across an agent restart.
  proxy?.start();
  const gc = setInterval(() => void collectImages(images, runtime, logger).catch((e: unknown) => logger.warn('image GC failed', { error: (e as Error).message })), 5 * 60_000);
  exitOnStopSignals(logger, 'shutting down; containers keep running', () => {
    clearInterval(gc);
    stats.stop();
    return Promise.all([agent.stop(), informer.stop(), server.close(), podNetwork?.stop(), proxy?.stop(), services.stop(), localPathCleaner.stop()]).finally(() => client.close());
  });
  await agent.start();
  logger.info('agent running', { node: cfg.nodeName, pods: pods.uids().length });
}

async function main(): Promise<void> {
  let cfg: AgentConfig;
  try {
    cfg = loadAgentConfig(process.argv.slice(2));
  } catch (e) {
    fail(e instanceof ConfigError ? e.message : String(e));
  }
  const logger = createLogger('agent', { level: cfg.logLevel });
  try {
    await run(cfg, logger);
  } catch (e) {
    logger.error('agent failed', { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

void main();
