// The scheduler's typed configuration: defaults < config file (--config, YAML or JSON) <
// environment (GANTRY_SCHEDULER_<SETTING>) < flags (--kubeconfig ...), validated with ajv at
// start-up. The plugin sections (`plugins`, `pluginConfig`) come from the file; see
// profile.ts for their format.

import type { JSONSchemaType } from 'ajv';
import { loadConfig } from '../../common/config.js';
import type { PluginArgs, PluginsConfig } from './profile.js';

export interface SchedulerConfig {
  /** Where to find the API server, its CA and a token. */
  kubeconfig: string;
  /** Pods whose spec.schedulerName is this are ours. */
  schedulerName: string;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  /** Unique per scheduler process; '' = hostname and a random suffix. */
  identity: string;
  metricsHost: string;
  /** Port of /metrics and /healthz; 0 picks a free one (logged). */
  metricsPort: number;
  /** 0 = adaptive (50% minus 1% per 125 nodes, at least 5%). */
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  /** How long a bound-but-unconfirmed pod keeps counting against its node. */
  assumedPodTTLSeconds: number;
  maxInFlightBindings: number;
  preemption: boolean;
  /** A Normal "Scheduled" Event per bound pod, as kube-scheduler records. */
  scheduledEvents: boolean;
  logLevel: string;
  plugins: PluginsConfig;
  pluginConfig: PluginArgs[];
}

const pluginRef = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1 }, weight: { type: 'integer', minimum: 1, maximum: 100, nullable: true } },
  required: ['name'],
  additionalProperties: false,
} as const;

const pluginSet = {
  type: 'object',
  nullable: true,
  properties: {
    enabled: { type: 'array', nullable: true, items: pluginRef },
    disabled: { type: 'array', nullable: true, items: pluginRef },
  },
  additionalProperties: false,
} as const;

export const schedulerConfigSchema: JSONSchemaType<SchedulerConfig> = {
  type: 'object',
  properties: {
    kubeconfig: { type: 'string', minLength: 1 },
    schedulerName: { type: 'string', minLength: 1 },
    leaderElect: { type: 'boolean' },
    leaseNamespace: { type: 'string', minLength: 1 },
    leaseName: { type: 'string', minLength: 1 },
    leaseDurationSeconds: { type: 'number', exclusiveMinimum: 0 },
    renewDeadlineSeconds: { type: 'number', exclusiveMinimum: 0 },
    retryPeriodSeconds: { type: 'number', exclusiveMinimum: 0 },
    identity: { type: 'string' },
    metricsHost: { type: 'string' },
    metricsPort: { type: 'integer', minimum: 0, maximum: 65535 },
    percentageOfNodesToScore: { type: 'number', minimum: 0, maximum: 100 },
    podInitialBackoffSeconds: { type: 'number', exclusiveMinimum: 0 },
    podMaxBackoffSeconds: { type: 'number', exclusiveMinimum: 0 },
    assumedPodTTLSeconds: { type: 'number', minimum: 0 },
    maxInFlightBindings: { type: 'integer', minimum: 1, maximum: 10_000 },
    preemption: { type: 'boolean' },
    scheduledEvents: { type: 'boolean' },
    logLevel: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
    plugins: {
      type: 'object',
      properties: { filter: pluginSet, score: pluginSet },
      additionalProperties: false,
      required: [],
    },
    pluginConfig: {
      type: 'array',
      items: {
        type: 'object',
        // `args` may be anything here: each plugin validates its own when it is built.
        properties: { name: { type: 'string', minLength: 1 }, args: {} as never },
        required: ['name'],
        additionalProperties: false,
      },
    },
  },
  required: [
    'kubeconfig',
    'schedulerName',
    'leaderElect',
    'leaseNamespace',
    'leaseName',
    'leaseDurationSeconds',
    'renewDeadlineSeconds',
    'retryPeriodSeconds',
    'identity',
    'metricsHost',
    'metricsPort',
    'percentageOfNodesToScore',
    'podInitialBackoffSeconds',
    'podMaxBackoffSeconds',
    'assumedPodTTLSeconds',
    'maxInFlightBindings',
    'preemption',
    'scheduledEvents',
    'logLevel',
    'plugins',
    'pluginConfig',
  ],
  additionalProperties: false,
};

export const schedulerConfigDefaults: Partial<SchedulerConfig> = {
  schedulerName: 'default-scheduler',
  leaderElect: true,
  leaseNamespace: 'kube-system',
  leaseName: 'gantry-scheduler',
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
  identity: '',
  metricsHost: '127.0.0.1',
  metricsPort: 10259,
  percentageOfNodesToScore: 0,
  podInitialBackoffSeconds: 1,
  podMaxBackoffSeconds: 10,
  assumedPodTTLSeconds: 30,
  maxInFlightBindings: 128,
  preemption: true,
  scheduledEvents: true,
  logLevel: 'info',
  plugins: {},
  pluginConfig: [],
};

/** Loads and validates; throws ConfigError with every problem named. */
export function loadSchedulerConfig(argv: string[]): SchedulerConfig {
  return loadConfig(schedulerConfigSchema, schedulerConfigDefaults, argv, 'GANTRY_SCHEDULER');
}
