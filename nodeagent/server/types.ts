// What the node agent's streaming server needs from the rest of the agent: a way to find the
// runtime container behind a pod's container name, and the runtime to exec, attach and
// port-forward with.

import type { StatsSummary } from '../../common/api/statsSummary.js';
import type { Logger } from '../../common/logging.js';
import type { RuntimeService } from '../cri/services.js';

export interface LocatedContainer {
  containerId: string;
  /** Absolute path of the container's CRI log file. */
  logPath: string;
  running: boolean;
}

export interface ContainerLocator {
  /**
   * The runtime container of a pod's container; `previous` = the last terminated instance.
   * Throws NotFoundError (common/errors.ts) when unknown.
   */
  locate(namespace: string, pod: string, container: string, opts: { previous: boolean }): Promise<LocatedContainer>;
}

export interface AgentServerTls {
  certPem: string;
  keyPem: string;
  /** The CA that signed the API server's client certificate. */
  clientCaPem: string;
}

export interface AgentServerOptions {
  host: string;
  /** 0 picks a free port (see the returned `port`). */
  port: number;
  tls: AgentServerTls;
  /** Certificate common names allowed to call the server (the API server's kubelet-client CN). */
  allowedClientNames: string[];
  locator: ContainerLocator;
  runtime: RuntimeService;
  /** The sampled usage behind /stats/summary (nodeagent/stats); without it that path answers 503. */
  stats?: StatsSource;
  logger: Logger;
  /** How often exec websockets are pinged; default 5000. */
  pingIntervalMs?: number;
  /** How long a SPDY client may take to open the streams its request needs; default 30000. */
  streamCreationTimeoutMs?: number;
}

export interface StatsSource {
  /** The latest figures; undefined until the first sample. */
  summary(): StatsSummary | undefined;
}

export interface AgentServer {
  port: number;
  /** Stops listening and ends every open log stream and exec session. */
  close(): Promise<void>;
}

/** The pod container a request is about, from its path. */
export interface ContainerTarget {
  namespace: string;
  pod: string;
  container: string;
}
