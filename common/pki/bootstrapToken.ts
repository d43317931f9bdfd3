// Bootstrap tokens as Kubernetes defines them: `<id>.<secret>` (6 and 16 characters of
// [a-z0-9]) kept as a Secret `bootstrap-token-<id>` of type `bootstrap.kubernetes.io/token`
// in kube-system. Shared by the API server (which authenticates them) and the CLI (which
// makes, lists and deletes them).

import { randomInt } from 'node:crypto';
import type { KubeObject } from '../api/meta.js';

export const bootstrapTokenSecretType = 'bootstrap.kubernetes.io/token';
export const bootstrapTokenNamespace = 'kube-system';
export const bootstrapTokenSecretPrefix = 'bootstrap-token-';
/** The user a token authenticates as is `system:bootstrap:<id>`; every token is in this group. */
export const bootstrapUserPrefix = 'system:bootstrap:';
export const bootstrappersGroup = 'system:bootstrappers';
/** The extra group `gantry token create` gives (kubeadm's is `system:bootstrappers:kubeadm:default-node-token`). */
export const defaultNodeTokenGroup = 'system:bootstrappers:gantry:default-node-token';
/** Extra groups must stay inside system:bootstrappers, as Kubernetes checks. */
const extraGroupPattern = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

const tokenPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface BootstrapToken {
  id: string;
  secret: string;
}

/** The id and secret of a well-formed token; undefined for anything else (another kind of token). */
export function parseBootstrapToken(token: string): BootstrapToken | undefined {
  const m = tokenPattern.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function formatBootstrapToken(t: BootstrapToken): string {
  return `${t.id}.${t.secret}`;
}

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

export function generateBootstrapToken(): BootstrapToken {
  return { id: randomString(6), secret: randomString(16) };
}

export function bootstrapTokenSecretName(id: string): string {
  return `${bootstrapTokenSecretPrefix}${id}`;
}

export interface BootstrapTokenSecretOptions {
  /** Time to live in ms; 0 or undefined: the token never expires. */
  ttlMs?: number;
  description?: string;
  extraGroups?: string[];
  now: number;
}

/** The Secret that makes `t` a token the API server accepts for authentication. */
export function bootstrapTokenSecret(t: BootstrapToken, opts: BootstrapTokenSecretOptions): KubeObject {
  const data: Record<string, string> = {
    'token-id': t.id,
    'token-secret': t.secret,
    'usage-bootstrap-authentication': 'true',
  };
  if (opts.ttlMs) data.expiration = new Date(opts.now + opts.ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (opts.description) data.description = opts.description;
  const groups = opts.extraGroups ?? [defaultNodeTokenGroup];
  for (const g of groups) if (!extraGroupPattern.test(g)) throw new Error(`extra group ${JSON.stringify(g)} must start with "system:bootstrappers:"`);
  if (groups.length) data['auth-extra-groups'] = groups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(t.id), namespace: bootstrapTokenNamespace },
    type: bootstrapTokenSecretType,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** A Secret's data, decoded; values that are not strings are left out. */
export function secretData(secret: KubeObject): Record<string, string> {
  const data = secret.data;
  if (typeof data !== 'object' || data === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) if (typeof v === 'string') out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

/** When the token stops working (ms since the epoch); undefined: never. NaN for an unreadable date. */
export function tokenExpiry(data: Record<string, string>): number | undefined {
  if (data.expiration === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(data.expiration) ? Date.parse(data.expiration) : NaN;
}

/** auth-extra-groups, keeping only names inside system:bootstrappers. */
export function tokenExtraGroups(data: Record<string, string>): string[] {
  return (data['auth-extra-groups'] ?? '').split(',').map((g) => g.trim()).filter((g) => extraGroupPattern.test(g));
}
