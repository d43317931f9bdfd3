// Settings of the hollow-node process: defaults < --config file < GANTRY_HOLLOW_* environment
// < flags, validated before any node starts.

import type { JSONSchemaType } from 'ajv';
import { loadConfig } from '../../common/config.js';

export interface HollowConfig {
  /** Admin kubeconfig (one client acts for every node). */
  kubeconfig: string;
  count: number;
  namePrefix: string;
  /** Index of the first node, so several processes can share one prefix. */
  startIndex: number;
  /** A.B.0.0: node i gets A.(B + i/256).(i%256).0/24. */
  podSubnetBase: string;
  leaseDurationSeconds: number;
  nodeStatusReportSeconds: number;
  relistMillis: number;
  resyncSeconds: number;
  cpu: number;
  memory: string;
  maxPods: number;
  events: boolean;
  registerConcurrency: number;
  serviceExitCodeOnTerm: number;
  zones: number;
  pullDelayMillis: number;
  startDelayMillis: number;
  backoffInitialSeconds: number;
  backoffMaxSeconds: number;
  logLevel: string;
}

const schema: JSONSchemaType<HollowConfig> = {
  type: 'object',
  properties: {
    kubeconfig: { type: 'string', minLength: 1 },
    count: { type: 'integer', minimum: 1, maximum: 50_000 },
    namePrefix: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,200})?$' },
    startIndex: { type: 'integer', minimum: 0 },
    podSubnetBase: { type: 'string', pattern: '^\\d+\\.\\d+\\.0\\.0$' },
    leaseDurationSeconds: { type: 'integer', minimum: 4, maximum: 3600 },
    nodeStatusReportSeconds: { type: 'integer', minimum: 1 },
    relistMillis: { type: 'integer', minimum: 50 },
    resyncSeconds: { type: 'integer', minimum: 1 },
    cpu: { type: 'integer', minimum: 1 },
    memory: { type: 'string', minLength: 1 },
    maxPods: { type: 'integer', minimum: 1, maximum: 250 },
    events: { type: 'boolean' },
    registerConcurrency: { type: 'integer', minimum: 1, maximum: 1000 },
    serviceExitCodeOnTerm: { type: 'integer', minimum: 0, maximum: 255 },
    zones: { type: 'integer', minimum: 0 },
    pullDelayMillis: { type: 'integer', minimum: 0 },
    startDelayMillis: { type: 'integer', minimum: 0 },
    backoffInitialSeconds: { type: 'number', exclusiveMinimum: 0 },
    backoffMaxSeconds: { type: 'number', exclusiveMinimum: 0 },
    logLevel: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
  },
  required: ['kubeconfig', 'count'],
  additionalProperties: false,
};

export const hollowDefaults: Omit<HollowConfig, 'kubeconfig' | 'count'> = {
  namePrefix: 'hollow-',
  startIndex: 0,
  podSubnetBase: '10.64.0.0',
  // The kubelet's: renewals every 10 s, 0.1 per second per node of API load.
  leaseDurationSeconds: 40,
  nodeStatusReportSeconds: 300,
  relistMillis: 2000,
  resyncSeconds: 60,
  cpu: 4,
  memory: '16Gi',
  maxPods: 110,
  events: false,
  registerConcurrency: 50,
  serviceExitCodeOnTerm: 143,
  zones: 0,
  pullDelayMillis: 0,
  startDelayMillis: 0,
  backoffInitialSeconds: 10,
  backoffMaxSeconds: 300,
  logLevel: 'warn',
};

export function loadHollowConfig(argv: string[]): HollowConfig {
  return loadConfig(schema, hollowDefaults, argv, 'GANTRY_HOLLOW');
}
