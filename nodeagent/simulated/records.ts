// What a simulated node remembers about each sandbox and container. A running container's
// exit is not an event: `exitsAt` says when its process ends on its own, and the state is
// brought up to date whenever someone looks (see SimulatedHost.refresh).

import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import type { SimulatedProgram } from './commands.js';

export interface SimulatedSandboxRecord {
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  /** 'ready' from creation until stopPodSandbox. */
  state: 'ready' | 'notready';
  /** The pod's address while the sandbox holds one; absent with the node's network or once stopped. */
  ip?: string;
  containerIds: Set<string>;
}

export interface SimulatedContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  createdAt: number;
  /** Absolute: the sandbox's log directory joined with the config's logPath. */
  logPath: string;
  program: SimulatedProgram;
  /** The process's environment and working directory, for exec. */
  env: readonly string[];
  cwd: string;
  state: 'created' | 'running' | 'exited';
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  /** When the running process exits on its own (epoch ms); set once its output is written. */
  exitsAt?: number;
}
