// The API server's flags for its serving limits, with kube-apiserver's names and defaults
// (--max-requests-inflight 400, --max-mutating-requests-inflight 200, --request-timeout
// 1m0s) plus Gantry's --max-connections-per-source. The flags become the typed
// ServingLimitsOverrides that startApiServer takes; what they cannot mean stops the server
// at start with the flag's name in the message.

import type { JSONSchemaType } from 'ajv';
import { ConfigError } from '../common/config.js';
import { defaultInflightLimits } from './http/inflight.js';
import { defaultServingLimits, type ServingLimitsOverrides } from './http/servingLimits.js';
import { formatGoDuration, parseGoDuration } from './protobuf/goTime.js';

export interface ServingFlags {
  /** `--max-requests-inflight`: non-mutating requests in flight per class (0: unlimited). */
  maxRequestsInflight: number;
  /** `--max-mutating-requests-inflight`: mutating requests in flight per class (0: unlimited). */
  maxMutatingRequestsInflight: number;
  /** `--request-timeout`: a Go duration (1m0s, 60s, 90s, 2m); a non-long-running request gets 504 after it. */
  requestTimeout: string;
  /** `--max-connections-per-source`: open connections one remote address may hold (0: unlimited). */
  maxConnectionsPerSource: number;
}

export const servingFlagProperties: JSONSchemaType<ServingFlags>['properties'] = {
  maxRequestsInflight: { type: 'integer', minimum: 0 },
  maxMutatingRequestsInflight: { type: 'integer', minimum: 0 },
  requestTimeout: { type: 'string', minLength: 1 },
  maxConnectionsPerSource: { type: 'integer', minimum: 0 },
};

export const servingFlagNames = Object.keys(servingFlagProperties) as (keyof ServingFlags)[];

export const servingFlagDefaults: ServingFlags = {
  maxRequestsInflight: defaultInflightLimits.workload.readonly,
  maxMutatingRequestsInflight: defaultInflightLimits.workload.mutating,
  requestTimeout: formatGoDuration(BigInt(defaultServingLimits.requestTimeoutMs) * 1_000_000n),
  maxConnectionsPerSource: defaultServingLimits.maxConnectionsPerSource,
};

/** Past this Node's timers overflow and fire at once; a day is already far past any sane request. */
const maxRequestTimeoutMs = 24 * 3600 * 1000;

/** `1m0s` -> 60000; refuses what is not a positive Go duration of at most a day. */
export function parseRequestTimeout(text: string): number {
  let ns: bigint;
  try {
    ns = parseGoDuration(text.trim());
  } catch {
    throw new ConfigError(`--request-timeout: invalid duration ${JSON.stringify(text)} (a Go duration such as 1m0s, 60s or 90s)`);
  }
  if (ns <= 0n) throw new ConfigError(`--request-timeout must be greater than 0, got ${JSON.stringify(text)}`);
  // Whole milliseconds, rounded up: 1500us is 2 ms, never 0.
  const ms = Number((ns + 999_999n) / 1_000_000n);
  if (ms > maxRequestTimeoutMs) throw new ConfigError(`--request-timeout must be at most 24h0m0s, got ${JSON.stringify(text)}`);
  return ms;
}

/**
 * The limits the flags ask for. Both in-flight flags size each class's budget, the
 * workload's and the one reserved for the system's identities, as inflight.ts describes.
 */
export function servingLimitsFromFlags(flags: ServingFlags): ServingLimitsOverrides {
  const budget = { readonly: flags.maxRequestsInflight, mutating: flags.maxMutatingRequestsInflight };
  return {
    requestTimeoutMs: parseRequestTimeout(flags.requestTimeout),
    maxConnectionsPerSource: flags.maxConnectionsPerSource,
    inflight: { workload: { ...budget }, system: { ...budget } },
  };
}

/** `maxRequestsInflight must be >= 0` -> `--max-requests-inflight must be >= 0`: users type flags, not setting names. */
export function withFlagNames(message: string, settings: readonly string[]): string {
  let out = message;
  for (const s of [...settings].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![\\w-])${s}(?![\\w-])`, 'g'), `--${s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`);
  }
  return out;
}
