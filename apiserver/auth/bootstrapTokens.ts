// Bootstrap-token authentication, as Kubernetes' bootstrap token authenticator: a bearer
// token `<id>.<secret>` is checked against the Secret `kube-system/bootstrap-token-<id>`
// read from the API server's own watch cache (no etcd round trip per request). A token of
// that shape that does not check out is a 401; any other token is not ours to judge.

import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../common/api/meta.js';
import type { Clock } from '../../common/clock.js';
import { UnauthorizedError } from '../../common/errors.js';
import {
  bootstrappersGroup,
  bootstrapTokenSecretName,
  bootstrapTokenSecretType,
  bootstrapUserPrefix,
  parseBootstrapToken,
  secretData,
  tokenExpiry,
  tokenExtraGroups,
} from '../../common/pki/bootstrapToken.js';
import type { UserInfo } from './tokens.js';

export interface BootstrapTokenAuthenticatorDeps {
  /** The Secret of that name in kube-system, as the cache holds it now. */
  secret(name: string): KubeObject | undefined;
  clock: Clock;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Lengths are fixed by the token format; compare in constant time all the same.
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BootstrapTokenAuthenticator {
  constructor(private readonly deps: BootstrapTokenAuthenticatorDeps) {}

  /** The bootstrapper behind `token`; undefined when it is not a bootstrap token; 401 when it is one that fails. */
  authenticate(token: string): UserInfo | undefined {
    const t = parseBootstrapToken(token);
    if (!t) return undefined;
    const secret = this.deps.secret(bootstrapTokenSecretName(t.id));
    // Kubernetes logs why and answers only 401: the reason is nobody's business but the operator's.
    if (!secret || secret.metadata.deletionTimestamp || secret.type !== bootstrapTokenSecretType) throw new UnauthorizedError();
    const data = secretData(secret);
    if (!sameString(data['token-secret'] ?? '', t.secret) || data['token-id'] !== t.id) throw new UnauthorizedError();
    if (data['usage-bootstrap-authentication'] !== 'true') throw new UnauthorizedError();
    const expiry = tokenExpiry(data);
    if (expiry !== undefined && !(expiry > this.deps.clock.now())) throw new UnauthorizedError();
    const groups = [bootstrappersGroup, ...tokenExtraGroups(data).filter((g) => g !== bootstrappersGroup)];
    return { name: `${bootstrapUserPrefix}${t.id}`, uid: '', groups: [...groups, 'system:authenticated'] };
  }
}
