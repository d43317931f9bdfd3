// `gantry token create|list|delete`: bootstrap tokens as Secrets in kube-system (the
// format in common/pki/bootstrapToken.ts), made and read with the admin's credentials.
// Creating a token also publishes kube-public/cluster-info (the cluster's CA), which a
// joining node reads before it trusts the server, as with kubeadm.

import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import { AlreadyExistsError, NotFoundError } from '../../common/errors.js';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import {
  bootstrapTokenNamespace,
  bootstrapTokenSecret,
  bootstrapTokenSecretName,
  bootstrapTokenSecretPrefix,
  bootstrapTokenSecretType,
  formatBootstrapToken,
  generateBootstrapToken,
  secretData,
  tokenExpiry,
} from '../../common/pki/bootstrapToken.js';
import { caPublicKeyHash } from '../../common/pki/signer.js';

const secrets = resourceFor('Secret');
const configMaps = resourceFor('ConfigMap');
const endpoints = resourceFor('Endpoints');

export const clusterInfoNamespace = 'kube-public';
export const clusterInfoName = 'cluster-info';

export interface CreatedToken {
  /** `<id>.<secret>`. */
  token: string;
  id: string;
  /** RFC 3339, or undefined for a token that never expires. */
  expires?: string;
  /** The CA pin to give `gantry join --ca-hash`. */
  caHash: string;
}

/** Publishes (or refreshes) cluster-info: a kubeconfig without credentials holding the server and its CA. */
export async function ensureClusterInfo(api: Api, server: string, caPem: string): Promise<void> {
  const data = { kubeconfig: renderKubeconfig({ server, caPem, token: '' }) };
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: clusterInfoName, namespace: clusterInfoNamespace }, data };
  try {
    await api.create(configMaps, clusterInfoNamespace, obj);
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
    await api.patch(configMaps, clusterInfoNamespace, clusterInfoName, 'merge', { data });
  }
}

interface EndpointsObject extends KubeObject {
  subsets?: Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }>;
}

/**
 * Where other machines reach the API server: the `kubernetes` Service's endpoints, which the
 * API server keeps at its --advertise-address and port. The admin's kubeconfig often names
 * 127.0.0.1 (`gantry up` writes it so), which is useless in a join command for another
 * machine. `fallback` when the endpoints are missing.
 */
export async function advertisedServer(api: Api, fallback: string): Promise<string> {
  try {
    const ep = await api.get<EndpointsObject>(endpoints, 'default', 'kubernetes');
    const subset = ep.subsets?.[0];
    const ip = subset?.addresses?.[0]?.ip;
    const port = subset?.ports?.[0]?.port;
    return ip && port ? `https://${ip}:${port}` : fallback;
  } catch (e) {
    if (e instanceof NotFoundError) return fallback;
    throw e;
  }
}

export interface CreateTokenOptions {
  /** 0: never expires. */
  ttlMs: number;
  description?: string;
  /** The server and CA joining nodes see (published in cluster-info). */
  server: string;
  caPem: string;
  now?: number;
}

export async function createBootstrapToken(api: Api, opts: CreateTokenOptions): Promise<CreatedToken> {
  await ensureClusterInfo(api, opts.server, opts.caPem);
  const now = opts.now ?? Date.now();
  for (let attempt = 0; ; attempt++) {
    const t = generateBootstrapToken();
    const secret = bootstrapTokenSecret(t, { ttlMs: opts.ttlMs, ...(opts.description ? { description: opts.description } : {}), now });
    try {
      await api.create(secrets, bootstrapTokenNamespace, secret);
    } catch (e) {
      // 36^6 ids: a clash is rare, but a second try costs nothing.
      if (e instanceof AlreadyExistsError && attempt < 3) continue;
      throw e;
    }
    const expiry = tokenExpiry(secretData(secret));
    return { token: formatBootstrapToken(t), id: t.id, ...(expiry !== undefined ? { expires: new Date(expiry).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}), caHash: caPublicKeyHash(opts.caPem) };
  }
}

export interface TokenInfo {
  id: string;
  /** RFC 3339 or '<forever>'. */
  expires: string;
  expired: boolean;
  usages: string[];
  description: string;
  groups: string;
}

export async function listBootstrapTokens(api: Api, now = Date.now()): Promise<TokenInfo[]> {
  const list = await api.list(secrets, bootstrapTokenNamespace, { fieldSelector: `type=${bootstrapTokenSecretType}` }).catch(async () => api.list(secrets, bootstrapTokenNamespace));
  const out: TokenInfo[] = [];
  for (const s of list.items) {
    if (s.type !== bootstrapTokenSecretType || !(s.metadata.name ?? '').startsWith(bootstrapTokenSecretPrefix)) continue;
    const d = secretData(s);
    const expiry = tokenExpiry(d);
    out.push({
      id: d['token-id'] ?? (s.metadata.name ?? '').slice(bootstrapTokenSecretPrefix.length),
      expires: expiry === undefined ? '<forever>' : Number.isNaN(expiry) ? '<invalid>' : new Date(expiry).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      expired: expiry !== undefined && !(expiry > now),
      usages: Object.keys(d).filter((k) => k.startsWith('usage-bootstrap-') && d[k] === 'true').map((k) => k.slice('usage-bootstrap-'.length)),
      description: d.description ?? '',
      groups: d['auth-extra-groups'] ?? '',
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Deletes a token by id or by `<id>.<secret>`; false when there was none. */
export async function deleteBootstrapToken(api: Api, idOrToken: string): Promise<boolean> {
  const id = idOrToken.split('.')[0]!;
  if (!/^[a-z0-9]{6}$/.test(id)) throw new Error(`invalid token id ${JSON.stringify(id)}: expected 6 characters of [a-z0-9]`);
  try {
    await api.delete(secrets, bootstrapTokenNamespace, bootstrapTokenSecretName(id));
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}
