// From a Pod to the configs the node agent hands its runtime. The pod worker's order:
//   asPod(obj) -> sandboxConfig(pod, ...) -> prepareVolumes(pod, podDir, sources)
//   then per container: resolveEnv -> containerMounts -> containerResources -> containerConfig
// Every failure caused by the pod itself is a PodSpecError (ContainerConfigError,
// VolumeError) with the kubelet's reason and the field at fault.

export { asPod, type Container, type Pod, type Volume } from './types.js';
export { ContainerConfigError, PodSpecError, VolumeError, type PodSpecErrorReason } from './errors.js';
export { qosClass, type QosClass } from './qos.js';
export { containerResources, oomScoreAdj, podCgroupParent, type ResourceOptions } from './resources.js';
export { resolveEnv, type EnvSources } from './env.js';
export { expandCommand } from './expansion.js';
export { configMapContent, secretContent, type ConfigMapContent, type ObjectSources } from './sources.js';
export { cleanupVolumes, prepareVolumes, type PreparedVolume, type VolumeSources } from './volumes.js';
export { containerMounts, type MountOptions } from './mounts.js';
export { parseResolvConf, podDnsConfig, type DnsOptions } from './dns.js';
export { sandboxConfig, type SandboxOptions } from './sandboxConfig.js';
export { containerConfig, type ContainerOptions } from './containerConfig.js';
export { containerHash } from './containerHash.js';
export * from './labels.js';
