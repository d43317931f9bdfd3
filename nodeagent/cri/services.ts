// The two services of the CRI-like contract. Failures are thrown as typed errors
// (common/errors: NotFoundError for unknown ids or images, ConflictError for state
// conflicts such as starting a running container, BadRequestError for invalid configs).

import type { Duplex } from 'node:stream';
import type {
  AttachRequest,
  AttachSession,
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  ExecRequest,
  ExecSession,
  ExecSyncResult,
  Image,
  ImageFilesystemUsage,
  ImageSpec,
  Orphan,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
} from './types.js';

export interface ImageService {
  /** Pulls (or finds) the image; returns its id (the config digest). */
  pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string>;
  /** undefined when the image is not present. */
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  listImages(filter?: { image?: ImageSpec }): Promise<Image[]>;
  /** Removes the image's tags and, once no image refers to them, its blobs and layers. */
  removeImage(image: ImageSpec): Promise<void>;
  imageFsInfo(): Promise<ImageFilesystemUsage[]>;
}

export interface RuntimeService {
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox and releases its network (IP). Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes a stopped sandbox and its containers. Idempotent. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds. Idempotent for exited containers. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
  containerStats(id: string): Promise<ContainerStats>;

  /** Runs a command to completion with a deadline and an output cap. */
  execSync(id: string, cmd: string[], opts: { timeoutSeconds: number; maxOutputBytes?: number }): Promise<ExecSyncResult>;
  /** Starts an interactive command (kubectl exec). */
  exec(id: string, req: ExecRequest): Promise<ExecSession>;
  /** Attaches to the container's stdio (kubectl attach, run -it); stdin only if created with stdin. */
  attach(id: string, req: AttachRequest): Promise<AttachSession>;
  /**
   * A TCP connection to `port` on the sandbox's loopback, inside its network namespace
   * (kubectl port-forward), as CRI's PortForward does. Rejects when nothing listens there.
   */
  portForward(podSandboxId: string, port: number): Promise<Duplex>;

  /** Found at start-up: state on disk that no record owns, for the agent to clean up. */
  orphans(): Promise<Orphan[]>;
}
