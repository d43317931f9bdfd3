// Hollow nodes, as Kubernetes' kubemark runs them: many simulated nodes in one process, each a
// real NodeAgent (the same registration, lease, pod sync, status and probe code as a real
// node) over its own SimulatedHost, with no processes, files or network behind its pods. All
// nodes share one API client and one informer over all pods (split by node), so a node costs
// its agent's objects and timers, not a connection and a watch of its own.
//
// Node objects are left in place on stop(), as kubemark leaves them: they go NotReady once
// their leases expire, and a restart with the same names adopts them.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinResources } from '../../common/api/resources.js';
import { ApiClient } from '../../common/client/apiClient.js';
import type { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import { NodeAgent } from '../agent/agent.js';
import { agentEventRecorder, PodEventRecorder, type EventSink } from '../agent/events.js';
import type { HostInfo } from '../agent/hostInfo.js';
import { NodeLifecycle } from '../agent/nodeLifecycle.js';
import type { NodeHealth, NodeIdentity } from '../agent/nodeObject.js';
import { RestPodApi } from '../agent/podApi.js';
import { SimulatedHost, type SimulatedDelays } from '../simulated/host.js';
import { SimulatedImageService } from '../simulated/imageService.js';
import { SimulatedRuntime } from '../simulated/runtime.js';
import { HollowTranslator } from './hollowTranslator.js';
import { allPodsInformer, SharedPodSource } from './sharedPodSource.js';

export interface HollowNodesOptions {
  /** Shared by every node; needs rights over all Nodes, Leases and pods (an admin client). */
  client: RestClient;
  count: number;
  /** Node i is `<namePrefix><startIndex + i>`. */
  namePrefix: string;
  startIndex?: number;
  /** Node i's pod subnet is A.(B + i/256).(i%256).0/24 from this A.B.0.0 (default 10.64.0.0). */
  podSubnetBase?: string;
  leaseDurationSeconds: number;
  /** How often each node writes its status when nothing changed (default 300, the kubelet's). */
  statusReportSeconds?: number;
  relistMs: number;
  /** Every pod of a node synced without a change, this often (default: the agent's, 60 s). */
  resyncMs?: number;
  delays?: SimulatedDelays;
  cpuCores?: number;
  memoryBytes?: bigint;
  maxPods?: number;
  /** Write pod events to the API (default false: at scale they would dominate the load). */
  events?: boolean;
  /** Nodes starting (registering) at the same time (default 50). */
  registerConcurrency?: number;
  /**
   * Exit code of a container's service on SIGTERM (default 143: it shuts down when asked, so
   * deletions finish at once; the simulator's own default ignores SIGTERM like `sleep`).
   */
  serviceExitCodeOnTerm?: number;
  /** Spread nodes over this many `topology.kubernetes.io/zone` labels (default 0: none). */
  zones?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  logger: Logger;
  /** Called as nodes finish registering, e.g. for progress lines. */
  onRegistered?: (registered: number, total: number) => void;
}

export interface HollowNode {
  name: string;
  host: SimulatedHost;
  agent: NodeAgent;
}

export interface HollowNodes {
  nodeNames: string[];
  /** Resolves once every node has registered and listed its pods (or stop() was called). */
  registered: Promise<void>;
  /** A running node's agent and simulated host, for tests. */
  node(name: string): HollowNode | undefined;
  /** Stops every agent and the shared informer; Node objects stay. */
  stop(): Promise<void>;
}

const archNames: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
const healthy: NodeHealth = { pressure: { memory: false, disk: false, pids: false } };
const diskBytes = 100n * 1024n ** 3n;

/** The /24 of node `i` under `base` (A.B.0.0): A.(B + i/256).(i%256).0/24. */
export function hollowPodSubnet(base: string, i: number): string {
  const m = /^(\d+)\.(\d+)\.0\.0$/.exec(base);
  if (!m) throw new Error(`pod subnet base ${JSON.stringify(base)} must look like A.B.0.0`);
  const second = Number(m[2]) + Math.floor(i / 256);
  if (Number(m[1]) > 255 || second > 255) throw new Error(`pod subnet base ${base} has no room for node ${i}`);
  return `${m[1]}.${second}.${i % 256}.0/24`;
}

function hostInfo(nodeName: string, cpuCores: number, memoryBytes: bigint, bootId: string): HostInfo {
  return {
    cpuCores,
    memoryBytes,
    hostname: nodeName,
    // Stable per name, so a restarted hollow process reports the same machine.
    machineId: Buffer.from(nodeName).toString('hex').padEnd(32, '0').slice(-32),
    bootId,
    kernelVersion: os.release(),
    osImage: 'Gantry hollow node',
    architecture: archNames[process.arch] ?? process.arch,
  };
}

const nodesResource = builtinResources.find((r) => r.kind === 'Node')!;
const noEvents: EventSink = { record: () => undefined };

export function startHollowNodes(o: HollowNodesOptions): HollowNodes {
  const start = o.startIndex ?? 0;
  const base = o.podSubnetBase ?? '10.64.0.0';
  const nodeNames = Array.from({ length: o.count }, (_, i) => `${o.namePrefix}${start + i}`);
  // Fail before anything starts if the subnets do not fit.
  hollowPodSubnet(base, start + o.count - 1);
  const logger = o.logger;
  const logsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-hollow-'));
  const informer = allPodsInformer(o.client, logger.child({ subsystem: 'informer' }));
  const nodeApi = new ApiClient({ client: o.client, qps: 0 });
  const pods = new SharedPodSource(informer);
  const bootId = randomUUID();
  const memoryBytes = o.memoryBytes ?? 16n * 1024n ** 3n;
  const nodes = new Map<string, HollowNode>();
  let stopping = false;

  const startNode = async (i: number): Promise<void> => {
    const name = nodeNames[i]!;
    const nodeLogger = logger.child({ node: name });
    const host = new SimulatedHost({
      podSubnet: hollowPodSubnet(base, start + i),
      ...(o.delays ? { delays: o.delays } : {}),
      serviceExitCodeOnTerm: o.serviceExitCodeOnTerm ?? 143,
    });
    const source = pods.forNode(name);
    const identity: NodeIdentity = {
      nodeName: name,
      // Logs and exec are not served for hollow nodes: nothing listens here.
      address: '127.0.0.1',
      port: 0,
      podSubnet: host.addresses.subnet,
      maxPods: o.maxPods ?? 110,
      // Nothing reserved: allocatable equals capacity, like Node objects made by hand.
      reservedCpu: '0',
      reservedMemory: '0',
      evictionMemoryAvailable: '0',
      runtimeVersion: 'gantry-simulated://0.1.0',
    };
    const lifecycle = new NodeLifecycle({
      client: o.client,
      identity,
      host: hostInfo(name, o.cpuCores ?? 4, memoryBytes, bootId),
      leaseDurationSeconds: o.leaseDurationSeconds,
      statusReportSeconds: o.statusReportSeconds ?? 300,
      health: () => Promise.resolve(healthy),
      diskBytes: () => Promise.resolve(diskBytes),
      clock: realClock,
      logger: nodeLogger,
    });
    const agent = new NodeAgent({
      nodeName: name,
      hostIP: identity.address,
      runtime: new SimulatedRuntime(host),
      images: new SimulatedImageService(host),
      pods: source,
      api: new RestPodApi(o.client, source, nodeLogger),
      translator: new HollowTranslator({ logsRoot, nodeName: name, nodeMemoryBytes: memoryBytes }),
      events: o.events ? new PodEventRecorder(agentEventRecorder({ client: o.client, nodeName: name, clock: realClock, logger: nodeLogger })) : noEvents,
      lifecycle,
      backoffInitialMs: o.backoffInitialMs ?? 10_000,
      backoffMaxMs: o.backoffMaxMs ?? 300_000,
      relistMs: o.relistMs,
      ...(o.resyncMs !== undefined ? { resyncMs: o.resyncMs } : {}),
      clock: realClock,
      logger: nodeLogger,
    });
    nodes.set(name, { name, host, agent });
    await agent.start();
    // NodeAgent.start goes on after a stop() that came during its register(): stop it again.
    if (stopping) return agent.stop();
    if (o.zones) {
      const zone = `zone-${(start + i) % o.zones}`;
      await nodeApi
        .patch(nodesResource, undefined, name, 'merge', { metadata: { labels: { 'topology.kubernetes.io/zone': zone } } })
        .catch((e: unknown) => nodeLogger.warn('labelling the node with its zone failed', { error: e instanceof Error ? e.message : String(e) }));
    }
  };

  informer.start();
  const registered = (async () => {
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (!stopping && next < o.count) {
        const i = next++;
        try {
          await startNode(i);
        } catch (e) {
          logger.error('hollow node failed to start', { node: nodeNames[i], error: e instanceof Error ? e.message : String(e) });
        }
        done++;
        if (!stopping) o.onRegistered?.(done, o.count);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.registerConcurrency ?? 50, o.count) }, worker));
  })();

  return {
    nodeNames,
    registered,
    node: (name) => nodes.get(name),
    async stop() {
      stopping = true;
      const stopAll = (): Promise<unknown> => Promise.all([...nodes.values()].map((n) => n.agent.stop()));
      // The first stop ends registrations that are retrying (after their current back-off, at
      // most 10 s); a start that completes later stops its agent itself. The second stop
      // covers starts still waiting when the bound runs out.
      await stopAll();
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([registered, new Promise((r) => (bound = setTimeout(r, 12_000)))]);
      clearTimeout(bound);
      await stopAll();
      pods.close();
      await informer.stop();
      fs.rmSync(logsRoot, { recursive: true, force: true });
    },
  };
}
