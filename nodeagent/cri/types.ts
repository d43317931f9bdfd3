// The CRI-like contract between the node agent and its container runtime, modelled on
// Kubernetes' CRI v1 (runtime/v1 api.proto) with TypeScript types. Times are epoch
// milliseconds. Every implementation (runc, simulated) passes one shared test suite.

export interface KeyValue {
  key: string;
  value: string;
}

// ---- images -------------------------------------------------------------------

export interface ImageSpec {
  /** A reference: `busybox`, `gantry/web:v1`, `127.0.0.1:5000/x@sha256:...`. */
  image: string;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 of `user:password`, as in Docker config files. */
  auth?: string;
  /** A bearer token for the registry itself. */
  registryToken?: string;
}

export interface Image {
  /** The image id: the digest of its config blob (`sha256:...`). */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Bytes on disk of its unpacked layers. */
  size: number;
  /** From the image config: what runs when a container gives no command. */
  spec: ImageConfigSummary;
}

export interface ImageConfigSummary {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  exposedPorts: string[];
}

export interface ImageFilesystemUsage {
  mountpoint: string;
  usedBytes: number;
  inodesUsed: number;
}

// ---- sandboxes ------------------------------------------------------------------

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortMapping {
  protocol: Protocol;
  containerPort: number;
  hostPort: number;
  hostIp?: string;
}

export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE';

export interface NamespaceOptions {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
}

/** Extra /etc/hosts lines (the kubelet writes the pod's hosts file itself; CRI has no field for it). */
export interface HostsEntries {
  /** The pod's fully qualified name (`<hostname>.<subdomain>.<ns>.svc.<domain>`), listed before its hostname. */
  fqdn?: string;
  /** spec.hostAliases, in order. */
  aliases?: { ip: string; hostnames: string[] }[];
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  hosts?: HostsEntries;
  /** Directory for the containers' log files. */
  logDirectory: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    /** Cgroup parent of the pod, e.g. `gantry/pod<uid>` (relative to the runtime's configured root). */
    cgroupParent?: string;
    securityContext?: {
      namespaceOptions?: NamespaceOptions;
      privileged?: boolean;
    };
    /** Extra sysctls, e.g. net.ipv4.ip_unprivileged_port_start. */
    sysctls?: Record<string, string>;
  };
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatus extends PodSandbox {
  network?: { ip: string; additionalIps: string[] };
  /** The network namespace path, for tools and tests. */
  netnsPath?: string;
}

export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  labelSelector?: Record<string, string>;
}

// ---- containers -------------------------------------------------------------------

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  propagation?: MountPropagation;
}

export interface LinuxContainerResources {
  /** CFS period in microseconds (default 100000). */
  cpuPeriod?: number;
  /** CFS quota in microseconds per period; 0 or absent: unlimited. */
  cpuQuota?: number;
  /** Relative weight (cgroup v1 cpu.shares, 2..262144; converted to cpu.weight on v2). */
  cpuShares?: number;
  memoryLimitInBytes?: number;
  /** Maximum number of processes in the container; 0 or absent: unlimited. */
  pidsLimit?: number;
  oomScoreAdj?: number;
}

export interface Capabilities {
  addCapabilities?: string[];
  dropCapabilities?: string[];
}

export interface LinuxContainerSecurityContext {
  capabilities?: Capabilities;
  privileged?: boolean;
  namespaceOptions?: NamespaceOptions;
  runAsUser?: number;
  runAsGroup?: number;
  supplementalGroups?: number[];
  readonlyRootfs?: boolean;
  noNewPrivs?: boolean;
  /** 'runtime/default' (default), 'unconfined', or 'localhost/<path>'. */
  seccompProfile?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Relative to the sandbox's logDirectory. */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: {
    resources?: LinuxContainerResources;
    securityContext?: LinuxContainerSecurityContext;
  };
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus extends Container {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** 'OOMKilled', 'Completed', 'Error', ... */
  reason: string;
  message: string;
  mounts: Mount[];
  logPath: string;
}

export interface ContainerFilter {
  id?: string;
  state?: ContainerState;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export interface ContainerStats {
  id: string;
  timestamp: number;
  /** Cumulative CPU time in nanoseconds. */
  cpuUsageNanoCores?: number;
  cpuUsageCoreNanoSeconds: number;
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
  pids?: number;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  /** True when output was cut at the byte limit. */
  truncated: boolean;
  timedOut: boolean;
}

export interface ExecRequest {
  cmd: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** A running `exec`: streams wired to the process, and its exit code. */
export interface ExecSession {
  stdin?: NodeJS.WritableStream;
  stdout?: NodeJS.ReadableStream;
  stderr?: NodeJS.ReadableStream;
  resize(width: number, height: number): void;
  exitCode: Promise<number>;
  kill(): void;
}

/** kubectl attach / run -it: the container's own stdio, as the container was created with it. */
export interface AttachRequest {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * An attachment to a running container's stdio. Closing it detaches (the container keeps
 * running, as `kubectl attach` leaves it); `ended` settles when the container exits or the
 * attachment is closed.
 */
export interface AttachSession {
  stdin?: NodeJS.WritableStream;
  stdout?: NodeJS.ReadableStream;
  stderr?: NodeJS.ReadableStream;
  resize(width: number, height: number): void;
  ended: Promise<void>;
  close(): void;
}

/** What a runtime found on disk at start that no sandbox or container record explains. */
export interface Orphan {
  kind: 'container' | 'sandbox' | 'mount' | 'netns' | 'cgroup';
  id: string;
  detail: string;
}
