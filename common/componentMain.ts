// The shape every control-plane component's process shares (scheduler, controller manager):
// typed config first (a bad setting exits 2 with a message, before any network), then the
// kubeconfig, a logger, one API connection, the component itself, and a clean stop on
// SIGTERM/SIGINT. A component that loses its leader lease exits 1 and its supervisor restarts it.

import { ConfigError } from './config.js';
import { RestClient, type RestClientOptions } from './client/restClient.js';
import { readKubeconfig } from './kubeconfig.js';
import { createLogger, type Logger } from './logging.js';
import { exitOnStopSignals } from './proc/stopSignals.js';

export interface RunningComponent {
  stop(): Promise<void>;
}

export interface ComponentMain<C extends { kubeconfig: string; logLevel: string }, A extends RunningComponent> {
  /** e.g. `controller-manager`: the logger's component and, prefixed with `gantry-`, the error prefix. */
  name: string;
  /** How log lines name it, e.g. `controller manager`. Default: name. */
  title?: string;
  /** Which kubeconfig `gantry up` writes for this component (said when --kubeconfig is missing). */
  kubeconfigHint: string;
  /** Parses flags, environment and config file; throws ConfigError (or another Error) for bad settings. */
  loadConfig(argv: string[]): C;
  clientOptions?: RestClientOptions;
  start(deps: { config: C; client: RestClient; logger: Logger; onLostLeadership: () => void }): Promise<A>;
  /** For errors from start() that are the operator's to fix: the message to exit 2 with; undefined for a failure. */
  configErrorMessage?(e: unknown): string | undefined;
  /** What to log once it runs. */
  startedFields(app: A, config: C): Record<string, unknown>;
}

export async function runComponent<C extends { kubeconfig: string; logLevel: string }, A extends RunningComponent>(spec: ComponentMain<C, A>): Promise<void> {
  const title = spec.title ?? spec.name;
  const fail = (message: string): never => {
    process.stderr.write(`gantry-${spec.name}: ${message}\n`);
    process.exit(2);
  };
  let cfg: C;
  try {
    cfg = spec.loadConfig(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError && /must have required property 'kubeconfig'/.test(e.message)) fail(`--kubeconfig is required (${spec.kubeconfigHint})`);
    return fail((e as Error).message);
  }
  let access;
  try {
    access = readKubeconfig(cfg.kubeconfig);
  } catch (e) {
    return fail(`cannot read kubeconfig ${cfg.kubeconfig}: ${(e as Error).message}`);
  }
  const logger = createLogger(spec.name, { level: cfg.logLevel });
  const client = new RestClient(access, spec.clientOptions);
  let app: A;
  try {
    app = await spec.start({ config: cfg, client, logger, onLostLeadership: () => process.exit(1) });
  } catch (e) {
    const message = e instanceof ConfigError ? e.message : spec.configErrorMessage?.(e);
    if (message !== undefined) return fail(message);
    logger.error(`${title} failed to start`, { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  logger.info(`${title} started`, spec.startedFields(app, cfg));
  exitOnStopSignals(logger, 'shutting down', () => app.stop().finally(() => client.close()));
}
