// The pod -> CRI translation of a hollow node: the real one from nodeagent/podspec (sandbox
// config, container config, spec hash, QoS class, resources), minus everything that needs
// the host or the API: no volumes or mounts, env from literal values only (ConfigMap, Secret
// and field references are skipped: resolving them would cost API reads per pod at scale),
// no DNS servers. Logs go under one directory per process; only containers that print
// write there.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import type { ContainerConfig, DNSConfig, KeyValue, PodSandboxConfig } from '../cri/types.js';
import type { ContainerSpec, Pod } from '../agent/podTypes.js';
import type { ContainerContext, PodTranslator } from '../agent/translator.js';
import { asPod, containerConfig, containerHash, containerResources, qosClass, sandboxConfig, type Container, type Pod as PodspecPod } from '../podspec/index.js';

export interface HollowTranslatorOptions {
  /** Every pod's logs go under <logsRoot>/<uid>. */
  logsRoot: string;
  /** What a hostNetwork pod sees as its hostname. */
  nodeName: string;
  nodeMemoryBytes: bigint;
}

const noHostDns: DNSConfig = { servers: [], searches: [], options: [] };

function literalEnv(c: Container): KeyValue[] {
  const out: KeyValue[] = [];
  for (const e of c.env ?? []) if (e.name && e.valueFrom === undefined) out.push({ key: e.name, value: e.value ?? '' });
  return out;
}

/** The agent's pod as podspec's (the same JSON, checked in outline). */
function typed(pod: Pod): PodspecPod {
  return asPod(pod as unknown as KubeObject);
}

export class HollowTranslator implements PodTranslator {
  constructor(private readonly o: HollowTranslatorOptions) {}

  qosClass(pod: Pod): string {
    try {
      return qosClass(typed(pod));
    } catch {
      // A malformed quantity (the server validated the spec, so only defensively): what the server computed.
      return pod.status?.qosClass ?? 'BestEffort';
    }
  }

  private logDirectory(uid: string): string {
    return path.join(this.o.logsRoot, uid);
  }

  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    return sandboxConfig(typed(pod), {
      attempt,
      logDirectory: this.logDirectory(pod.metadata.uid),
      dns: { clusterDNS: [], clusterDomain: 'cluster.local', host: noHostDns },
      nodeHostname: this.o.nodeName,
    });
  }

  async prepareVolumes(_pod: Pod): Promise<void> {}

  /** Removes the pod's log directory (when a container printed); nothing else is on the host. */
  async cleanupVolumes(podUid: string): Promise<void> {
    await fs.rm(this.logDirectory(podUid), { recursive: true, force: true });
  }

  async containerConfig(pod: Pod, spec: ContainerSpec, ctx: ContainerContext): Promise<ContainerConfig> {
    const p = typed(pod);
    const c = spec as unknown as Container;
    return containerConfig(p, c, {
      attempt: ctx.attempt,
      envs: literalEnv(c),
      mounts: [],
      resources: containerResources(p, c, { nodeMemoryCapacity: this.o.nodeMemoryBytes }),
      imageRef: ctx.imageRef,
    });
  }

  specHash(container: ContainerSpec): string {
    return containerHash(container as unknown as Container);
  }
}
