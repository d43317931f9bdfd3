// Which cluster a command talks to and as whom: the kubeconfig files (--kubeconfig, else the
// KUBECONFIG list, else ~/.kube/config, else what `gantry up` wrote), the context
// (--context) and the namespace (-n, else the context's, else `default`).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../common/client/apiClient.js';
import { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import { loadKubeconfig, type KubeconfigSelection } from '../../common/kubeconfig.js';
import { Discovery } from './discovery.js';
import { UsageError, type Target } from './errors.js';

export interface AccessFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
}

/**
 * The kubeconfig files to merge, in precedence order. GANTRY_HOME defaults as in
 * cli/cluster/state.ts's gantryHome, but from the command's own environment.
 */
export function kubeconfigFiles(flag: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (flag) {
    if (!fs.existsSync(flag)) throw new UsageError(`--kubeconfig ${flag}: no such file`);
    return [flag];
  }
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length) return list;
  const home = env.HOME || os.homedir();
  const kubeDefault = path.join(home, '.kube', 'config');
  const gantry = path.join(env.GANTRY_HOME || path.join(home, '.gantry'), 'kubeconfig');
  return [fs.existsSync(kubeDefault) ? kubeDefault : gantry];
}

/** One command's connection: the typed client, the namespace, and discovery (fetched once, on first use). */
export class Session {
  readonly rest: RestClient;
  readonly api: ApiClient;
  readonly discovery: Discovery;
  /** The namespace for namespaced objects that name none. */
  readonly namespace: string;
  /** Whether -n was given (a manifest's other namespace is then an error, as in kubectl). */
  readonly namespaceFlag: boolean;
  readonly allNamespaces: boolean;
  readonly target: Target;

  constructor(readonly selection: KubeconfigSelection, flags: AccessFlags) {
    this.rest = new RestClient(selection.access, { maxSockets: 16 });
    // kubectl's default client-side limit (QPS 50, burst 300) rather than a controller's.
    this.api = new ApiClient({ client: this.rest, qps: 50, burst: 300, clock: realClock });
    this.discovery = new Discovery(this.api);
    this.namespace = flags.namespace || selection.namespace || 'default';
    this.namespaceFlag = Boolean(flags.namespace);
    this.allNamespaces = Boolean(flags.allNamespaces);
    this.target = { server: selection.access.server, files: selection.files };
  }

  close(): void {
    this.rest.close();
  }
}

export function openSession(flags: AccessFlags, env: NodeJS.ProcessEnv): Session {
  const files = kubeconfigFiles(flags.kubeconfig, env);
  return new Session(loadKubeconfig(files, flags.context ? { context: flags.context } : {}), flags);
}
