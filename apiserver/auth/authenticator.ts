// Who is asking: the authenticators in Kubernetes' order. A verified client certificate
// first, then the bearer token (the static token file, then bootstrap tokens); a request
// with no credentials at all is `system:anonymous`, which the authorizer lets read only the
// public cluster-info (everything else it is refused stays a 401, see authorizeRequest).

import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { UnauthorizedError } from '../../common/errors.js';
import type { Attributes, RuleAuthorizer } from './authorizer.js';
import type { BootstrapTokenAuthenticator } from './bootstrapTokens.js';
import type { TokenAuthenticator, UserInfo } from './tokens.js';
import { certificateUser } from './x509.js';

export const anonymousUser: UserInfo = { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

export function isAnonymous(user: UserInfo): boolean {
  return user.name === anonymousUser.name;
}

/** The parts of a request authentication looks at (also an upgrade's IncomingMessage). */
export interface AuthRequest {
  headers: IncomingHttpHeaders;
  socket: Socket;
}

export interface RequestAuthenticatorDeps {
  tokens: TokenAuthenticator;
  /** Bootstrap tokens (Secrets in kube-system); absent: not accepted. */
  bootstrap?: BootstrapTokenAuthenticator;
  /** Whether a request without credentials is system:anonymous (true) or a 401 (false). */
  anonymous?: boolean;
}

export class RequestAuthenticator {
  constructor(private readonly deps: RequestAuthenticatorDeps) {}

  authenticate(req: AuthRequest): UserInfo {
    const fromCert = certificateUser(req.socket);
    if (fromCert) return fromCert;
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      if (this.deps.anonymous) return anonymousUser;
      throw new UnauthorizedError();
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new UnauthorizedError();
    const token = m[1]!;
    const user = this.deps.tokens.lookup(token) ?? this.deps.bootstrap?.authenticate(token);
    if (!user) throw new UnauthorizedError();
    return user;
  }
}

/**
 * The authorizer's verdict, except that an anonymous request refused is a 401, not a 403:
 * anonymous access exists only for cluster-info, and to everyone else a request without
 * credentials must still read "Unauthorized".
 */
export function authorizeRequest(authorizer: RuleAuthorizer, user: UserInfo, info: Attributes): void {
  if (isAnonymous(user) && !authorizer.decide(user, info).allowed) throw new UnauthorizedError();
  authorizer.authorize(user, info);
}
