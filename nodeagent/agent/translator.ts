// What the pod sync needs from the Pod -> CRI translation (nodeagent/podspec): a small
// interface, so the sync's rules do not depend on how env, volumes and configs are built.

import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import type { ContainerSpec, Pod } from './podTypes.js';

export interface ContainerContext {
  attempt: number;
  imageRef: string;
  podIP: string;
}

export interface PodTranslator {
  qosClass(pod: Pod): string;
  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig;
  /**
   * Creates or refreshes the pod's volumes on the host. Throws a PodSpecError (reason FailedMount) when it cannot.
   * `podStarted`: the pod has run here before, so a claim deleted since then does not stop it.
   */
  prepareVolumes(pod: Pod, opts?: { podStarted?: boolean }): Promise<void>;
  /** Unmounts and removes everything the pod had on the host. */
  cleanupVolumes(podUid: string): Promise<void>;
  /** Throws a PodSpecError (reason CreateContainerConfigError) for missing ConfigMaps, Secrets or keys. */
  containerConfig(pod: Pod, container: ContainerSpec, ctx: ContainerContext): Promise<ContainerConfig>;
  /** A stable hash of the container's spec: a different hash means the container must be replaced. */
  specHash(container: ContainerSpec): string;
}

/** The annotation the sync stores the spec hash under on each runtime container. */
export const specHashAnnotation = 'io.kubernetes.container.hash';
