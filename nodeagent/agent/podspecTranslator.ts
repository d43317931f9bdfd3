// The agent's PodTranslator over nodeagent/podspec: ConfigMaps and Secrets read from the API
// when a container is configured (a container sees one version of each), volumes kept under
// <podsRoot>/<uid>, logs under <logsRoot>/<namespace>_<name>_<uid> as the kubelet lays them out.
// Claims and PersistentVolumes are read from the API with the node's own credentials (the
// node authorizer lets a node read them only through its pods) when a pod's volumes are first
// prepared. Service variables come from the agent's shared Services informer. Like the
// kubelet, no container starts before that informer has listed once (a pod would silently miss
// KUBERNETES_SERVICE_HOST); a start waits a bounded time for it and then fails with
// CreateContainerConfigError, which the pod sync retries, so an unreachable API server
// delays pods but never hangs their workers.

import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { builtinResources } from '../../common/api/resources.js';
import { ApiClient } from '../../common/client/apiClient.js';
import type { RestClient } from '../../common/client/restClient.js';
import { NotFoundError } from '../../common/errors.js';
import type { KubeObject } from '../../common/api/meta.js';
import { realClock, type Timer, type TimerClock } from '../../common/clock.js';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import {
  asPod,
  cleanupVolumes,
  configMapContent,
  ContainerConfigError,
  containerConfig,
  containerHash,
  containerMounts,
  containerResources,
  parseResolvConf,
  prepareVolumes,
  qosClass,
  resolveEnv,
  sandboxConfig,
  secretContent,
  type Container,
  type Pod as SpecPod,
  type ObjectSources,
  type PreparedVolume,
} from '../podspec/index.js';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { PersistentVolumeSources } from '../podspec/persistentVolume.js';
import { serviceEnvForPod, type ServiceForEnv } from '../podspec/serviceEnv.js';
import type { ContainerSpec, Pod } from './podTypes.js';
import type { ContainerContext, PodTranslator } from './translator.js';

/** The part of a shared Services informer the translator reads (common/client/informer.ts's Informer fits). */
export interface ServiceCache {
  hasSynced(): boolean;
  waitForSync(): Promise<void>;
  readonly store: { list(): readonly ServiceForEnv[] };
}

/** The kubelet's words when its service lister has not synced, so users find the same message. */
export const servicesNotSyncedMessage = 'services have not yet been read at least once, cannot construct envvars';

export interface PodspecTranslatorOptions {
  client: RestClient;
  podsRoot: string;
  logsRoot: string;
  nodeName: string;
  hostIP: string;
  clusterDns: string[];
  clusterDomain: string;
  nodeMemoryBytes: bigint;
  nodeCpuCores: number;
  hostResolvConf?: string;
  /** Where gantry.dev/local-path volumes live on this node (`<root>/local-path`); none: never created. */
  localPathRoot?: string;
  /** Every Service of the cluster (started by the caller); without it containers get no service variables. */
  services?: ServiceCache;
  /** How long a container start waits for the first list of Services before it fails (and is retried). Default 5000. */
  serviceSyncWaitMs?: number;
  clock?: TimerClock;
}

export class PodspecTranslator implements PodTranslator {
  private readonly volumes = new Map<string, Map<string, PreparedVolume>>();
  private readonly sources: ObjectSources;
  private readonly persistentVolumes: PersistentVolumeSources;
  private readonly allocatable: Record<string, string>;
  private readonly hostResolv: ReturnType<typeof parseResolvConf>;
  /** One wait on the informer for all starts, so starts retried while the API is away add no waiters to it. */
  private servicesSynced: Promise<void> | undefined;

  constructor(private readonly o: PodspecTranslatorOptions) {
    const api = new ApiClient({ client: o.client, qps: 0 });
    const read = async (kind: 'ConfigMap' | 'Secret', ns: string, name: string): Promise<KubeObject | undefined> => {
      try {
        return await api.get(builtinResources.find((r) => r.kind === kind)!, ns, name);
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    };
    this.sources = {
      configMap: async (ns, name) => {
        const obj = await read('ConfigMap', ns, name);
        return obj ? configMapContent(obj) : undefined;
      },
      secret: async (ns, name) => {
        const obj = await read('Secret', ns, name);
        return obj ? secretContent(obj) : undefined;
      },
    };
    const orMissing = async <T>(p: string): Promise<T | undefined> => {
      try {
        return (await api.send<T>('GET', p)).body;
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    };
    const seg = encodeURIComponent;
    this.persistentVolumes = {
      claim: (ns, name) => orMissing<V1PersistentVolumeClaim>(`/api/v1/namespaces/${seg(ns)}/persistentvolumeclaims/${seg(name)}`),
      volume: (name) => orMissing<V1PersistentVolume>(`/api/v1/persistentvolumes/${seg(name)}`),
      node: async () => {
        const node = await orMissing<KubeObject>(`/api/v1/nodes/${seg(o.nodeName)}`);
        return { name: o.nodeName, labels: node?.metadata?.labels ?? {} };
      },
      ...(o.localPathRoot ? { localPathRoot: o.localPathRoot } : {}),
    };
    this.allocatable = { cpu: String(o.nodeCpuCores), memory: String(o.nodeMemoryBytes) };
    let resolv = '';
    try {
      resolv = readFileSync(o.hostResolvConf ?? '/etc/resolv.conf', 'utf8');
    } catch {
      // No host resolver config: pods with dnsPolicy Default get an empty one, as the kubelet does.
    }
    this.hostResolv = parseResolvConf(resolv);
  }

  private podDir(uid: string): string {
    return path.join(this.o.podsRoot, uid);
  }

  private logDir(pod: Pod): string {
    return path.join(this.o.logsRoot, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
  }

  qosClass(pod: Pod): string {
    return qosClass(asPod(pod as unknown as KubeObject));
  }

  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    const hostResolv = this.hostResolv;
    return sandboxConfig(asPod(pod as unknown as KubeObject), {
      attempt,
      logDirectory: this.logDir(pod),
      dns: { clusterDNS: this.o.clusterDns, clusterDomain: this.o.clusterDomain, host: hostResolv },
    });
  }


  async prepareVolumes(pod: Pod, opts: { podStarted?: boolean } = {}): Promise<void> {
    await fs.mkdir(this.podDir(pod.metadata.uid), { recursive: true, mode: 0o700 });
    const previous = this.volumes.get(pod.metadata.uid);
    const prepared = await prepareVolumes(asPod(pod as unknown as KubeObject), this.podDir(pod.metadata.uid), {
      ...this.sources,
      nodeAllocatable: this.allocatable,
      persistentVolumes: this.persistentVolumes,
      ...(previous ? { previous } : {}),
      ...(opts.podStarted ? { podStarted: true } : {}),
    });
    this.volumes.set(pod.metadata.uid, prepared);
  }

  async cleanupVolumes(podUid: string): Promise<void> {
    this.volumes.delete(podUid);
    await cleanupVolumes(this.podDir(podUid));
    await fs.rm(this.podDir(podUid), { recursive: true, force: true });
    for (const name of await fs.readdir(this.o.logsRoot).catch(() => [] as string[])) {
      if (name.endsWith(`_${podUid}`)) await fs.rm(path.join(this.o.logsRoot, name), { recursive: true, force: true });
    }
  }

  async containerConfig(pod: Pod, spec: ContainerSpec, ctx: ContainerContext): Promise<ContainerConfig> {
    const p = asPod(pod as unknown as KubeObject);
    const c = spec as unknown as Container;
    // Volumes are (re)written before each container starts: a restarted agent has no map yet, and content may have changed.
    // Called only once the pod's sandbox exists.
    await this.prepareVolumes(pod, { podStarted: true });
    const serviceEnv = await this.serviceEnv(p);
    const envs = await resolveEnv(p, c, {
      ...this.sources,
      ...(serviceEnv ? { serviceEnv } : {}),
      ...(ctx.podIP ? { podIP: ctx.podIP, podIPs: [ctx.podIP] } : {}),
      hostIP: this.o.hostIP,
      hostIPs: [this.o.hostIP],
      nodeName: this.o.nodeName,
      nodeAllocatable: this.allocatable,
    });
    const mounts = await containerMounts(p, c, this.volumes.get(pod.metadata.uid) ?? new Map(), { envs });
    const resources = containerResources(p, c, { nodeMemoryCapacity: this.o.nodeMemoryBytes });
    return containerConfig(p, c, { attempt: ctx.attempt, envs, mounts, resources, imageRef: ctx.imageRef });
  }

  /** The pod's service variables; undefined when the agent has no Services cache. */
  private async serviceEnv(pod: SpecPod): Promise<Record<string, string> | undefined> {
    const cache = this.o.services;
    if (!cache) return undefined;
    if (!cache.hasSynced()) {
      const clock = this.o.clock ?? realClock;
      let timer: Timer | undefined;
      await Promise.race([
        (this.servicesSynced ??= cache.waitForSync()),
        new Promise<void>((resolve) => (timer = clock.setTimer(resolve, this.o.serviceSyncWaitMs ?? 5000))),
      ]);
      timer?.cancel();
      if (!cache.hasSynced()) throw new ContainerConfigError(servicesNotSyncedMessage);
    }
    return serviceEnvForPod(pod.metadata.namespace, pod.spec.enableServiceLinks, cache.store.list());
  }

  specHash(container: ContainerSpec): string {
    return containerHash(container as unknown as Container);
  }
}
