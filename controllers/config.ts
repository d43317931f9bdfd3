// The controller manager's typed configuration: defaults < config file (--config, YAML or
// JSON) < environment (GANTRY_CONTROLLERS_<SETTING>) < flags (--kubeconfig ...), validated
// with ajv at start-up. `controllers` picks what runs, as kube-controller-manager's
// --controllers: `*` for every registered controller, `-name` to leave one out, or names.
// Per-controller settings come from the file's `controllerOptions.<name>`; each controller
// validates its own.

import type { JSONSchemaType } from 'ajv';
import { ConfigError, loadConfig } from '../common/config.js';

export interface ControllerManagerConfig {
  /** Where to find the API server, its CA and a token. */
  kubeconfig: string;
  /** `*`, names, and `-name` exclusions. */
  controllers: string[];
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  /** Unique per process; '' = hostname and a random suffix. */
  identity: string;
  /** Client-side limits on requests to the API server (kube-controller-manager's --kube-api-qps/--kube-api-burst). */
  kubeApiQps: number;
  kubeApiBurst: number;
  /** How often every informer replays its cache to the handlers (0: never). */
  resyncPeriodSeconds: number;
  metricsHost: string;
  /** Port of /metrics and /healthz; 0 picks a free one (logged); -1 serves none. */
  metricsPort: number;
  logLevel: string;
  controllerOptions: Record<string, Record<string, unknown>>;
  /** kube-controller-manager's --cluster-signing-cert-file/--cluster-signing-key-file: `controllerOptions.csrsigning` certFile/keyFile. */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
}

export const controllerManagerConfigSchema: JSONSchemaType<ControllerManagerConfig> = {
  type: 'object',
  properties: {
    kubeconfig: { type: 'string', minLength: 1 },
    controllers: { type: 'array', items: { type: 'string', pattern: '^(\\*|-?[a-z0-9-]+)$' }, minItems: 1 },
    leaderElect: { type: 'boolean' },
    leaseNamespace: { type: 'string', minLength: 1 },
    leaseName: { type: 'string', minLength: 1 },
    leaseDurationSeconds: { type: 'number', exclusiveMinimum: 0 },
    renewDeadlineSeconds: { type: 'number', exclusiveMinimum: 0 },
    retryPeriodSeconds: { type: 'number', exclusiveMinimum: 0 },
    identity: { type: 'string' },
    kubeApiQps: { type: 'number', minimum: 0 },
    kubeApiBurst: { type: 'integer', minimum: 1 },
    resyncPeriodSeconds: { type: 'number', minimum: 0 },
    metricsHost: { type: 'string' },
    metricsPort: { type: 'integer', minimum: -1, maximum: 65535 },
    logLevel: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
    controllerOptions: {
      type: 'object',
      required: [],
      // Each controller validates its own section when it is built.
      additionalProperties: { type: 'object', required: [] } as never,
    },
    clusterSigningCertFile: { type: 'string', minLength: 1, nullable: true },
    clusterSigningKeyFile: { type: 'string', minLength: 1, nullable: true },
  },
  required: [
    'kubeconfig',
    'controllers',
    'leaderElect',
    'leaseNamespace',
    'leaseName',
    'leaseDurationSeconds',
    'renewDeadlineSeconds',
    'retryPeriodSeconds',
    'identity',
    'kubeApiQps',
    'kubeApiBurst',
    'resyncPeriodSeconds',
    'metricsHost',
    'metricsPort',
    'logLevel',
    'controllerOptions',
  ],
  additionalProperties: false,
};

export const controllerManagerConfigDefaults: Partial<ControllerManagerConfig> = {
  controllers: ['*'],
  leaderElect: true,
  leaseNamespace: 'kube-system',
  leaseName: 'kube-controller-manager',
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
  identity: '',
  // Far above Kubernetes' 20/30: the issue's goal is a 1,000-replica Deployment Available
  // within 15 s. Measured on the 2-core machine: 1,000 pods take ~8 s at 100 QPS, ~4 s at 200,
  // ~1.6 s unlimited; 200 leaves the API server room for everyone else.
  kubeApiQps: 200,
  kubeApiBurst: 400,
  resyncPeriodSeconds: 0,
  metricsHost: '127.0.0.1',
  metricsPort: 10257,
  logLevel: 'info',
  controllerOptions: {},
};

/** Loads and validates; throws ConfigError with every problem named. */
export function loadControllerManagerConfig(argv: string[]): ControllerManagerConfig {
  const cfg = loadConfig(controllerManagerConfigSchema, controllerManagerConfigDefaults, argv, 'GANTRY_CONTROLLERS');
  if (cfg.renewDeadlineSeconds >= cfg.leaseDurationSeconds) {
    throw new ConfigError(`invalid configuration: renewDeadlineSeconds (${cfg.renewDeadlineSeconds}) must be less than leaseDurationSeconds (${cfg.leaseDurationSeconds})`);
  }
  const { clusterSigningCertFile: certFile, clusterSigningKeyFile: keyFile } = cfg;
  if (certFile || keyFile) cfg.controllerOptions = { ...cfg.controllerOptions, csrsigning: { ...cfg.controllerOptions.csrsigning, ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) } };
  return cfg;
}
