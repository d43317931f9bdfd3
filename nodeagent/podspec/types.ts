// The parts of a Pod (wire JSON, as the API server stores it) this folder reads. Narrow on
// purpose: only fields the node agent acts on. `asPod` checks the outline of an object from
// the API; deeper fields are checked where they are read, with the field path in the error.

import { isObject, type KubeObject, type ObjectMeta } from '../../common/api/meta.js';
import { PodSpecError } from './errors.js';

/** A quantity as it appears on the wire: `500m`, `1Gi`, or a bare number. */
export type QuantityValue = string | number;
export type ResourceList = Record<string, QuantityValue>;

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: QuantityValue;
}

export interface KeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: ObjectFieldSelector;
    resourceFieldRef?: ResourceFieldSelector;
    configMapKeyRef?: KeySelector;
    secretKeyRef?: KeySelector;
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

export interface SeccompProfile {
  type: string;
  localhostProfile?: string;
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: SeccompProfile;
  procMount?: string;
}

export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  fsGroup?: number;
  sysctls?: { name: string; value: string }[];
  seccompProfile?: SeccompProfile;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMount[];
  ports?: ContainerPort[];
  securityContext?: SecurityContext;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  /** `Always` on an init container makes it a sidecar. */
  restartPolicy?: string;
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

export interface ConfigMapProjection {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
}

export interface SecretProjection {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: QuantityValue };
  hostPath?: { path: string; type?: string };
  configMap?: ConfigMapProjection & { defaultMode?: number };
  secret?: { secretName?: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  downwardAPI?: { items?: DownwardAPIVolumeFile[]; defaultMode?: number };
  projected?: {
    defaultMode?: number;
    sources?: { configMap?: ConfigMapProjection; secret?: SecretProjection; downwardAPI?: { items?: DownwardAPIVolumeFile[] }; serviceAccountToken?: unknown; clusterTrustBundle?: unknown }[];
  };
  [source: string]: unknown;
}

export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  nodeName?: string;
  serviceAccountName?: string;
  hostname?: string;
  subdomain?: string;
  hostAliases?: { ip?: string; hostnames?: string[] }[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  shareProcessNamespace?: boolean;
  dnsPolicy?: string;
  dnsConfig?: PodDNSConfig;
  securityContext?: PodSecurityContext;
  priorityClassName?: string;
  priority?: number;
  terminationGracePeriodSeconds?: number;
  enableServiceLinks?: boolean;
}

export interface PodStatus {
  qosClass?: string;
  podIP?: string;
  hostIP?: string;
}

/** A pod with the identity a node agent needs: name, namespace and uid are set. */
export interface Pod extends KubeObject {
  metadata: ObjectMeta & { name: string; namespace: string; uid: string };
  spec: PodSpec;
  status?: PodStatus;
}

function checkList(v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) throw new PodSpecError(`${field} must be a list`, field);
  v.forEach((item, i) => {
    if (!isObject(item)) throw new PodSpecError(`${field}[${i}] must be an object`, `${field}[${i}]`);
    if (typeof item.name !== 'string' || item.name === '') throw new PodSpecError(`${field}[${i}].name is required`, `${field}[${i}].name`);
  });
}

/** Checks the outline of a pod from the API (identity, containers, volumes) and types it. */
export function asPod(obj: KubeObject): Pod {
  const m = obj.metadata;
  for (const k of ['name', 'namespace', 'uid'] as const) {
    if (!isObject(m) || typeof m[k] !== 'string' || m[k] === '') throw new PodSpecError(`metadata.${k} is required`, `metadata.${k}`);
  }
  if (!isObject(obj.spec)) throw new PodSpecError('spec is required', 'spec');
  if (!Array.isArray(obj.spec.containers) || obj.spec.containers.length === 0) throw new PodSpecError('spec.containers must list at least one container', 'spec.containers');
  checkList(obj.spec.containers, 'spec.containers');
  checkList(obj.spec.initContainers, 'spec.initContainers');
  checkList(obj.spec.volumes, 'spec.volumes');
  if (obj.status !== undefined && !isObject(obj.status)) throw new PodSpecError('status must be an object', 'status');
  return obj as Pod;
}

/** `spec.containers[i]` or `spec.initContainers[i]`: where a container sits, for error messages. */
export function containerField(pod: Pod, container: Container): string {
  const i = pod.spec.containers.findIndex((c) => c.name === container.name);
  if (i >= 0) return `spec.containers[${i}]`;
  const j = (pod.spec.initContainers ?? []).findIndex((c) => c.name === container.name);
  return j >= 0 ? `spec.initContainers[${j}]` : `container ${JSON.stringify(container.name)}`;
}

/** All containers of the pod, init containers included, for lookups by name. */
export function allContainers(pod: Pod): Container[] {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
}

/** A list field read defensively: absent is empty, anything but a list is a typed error. */
export function listAt<T>(v: T[] | undefined | null, field: string): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PodSpecError(`${field} must be a list`, field);
  return v;
}

/** A map field (labels, resource lists) read defensively. */
export function mapAt<T>(v: Record<string, T> | undefined | null, field: string): Record<string, T> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new PodSpecError(`${field} must be an object`, field);
  return v as Record<string, T>;
}
