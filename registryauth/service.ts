// The token endpoint's decision, apart from HTTP: who the caller is (Basic credentials
// checked against the users file, or nobody), which of the asked scopes it gets, and the
// signed token. Bad input and bad credentials are typed errors; server.ts maps them.

import { ApiError, BadRequestError, TooManyRequestsError, UnauthorizedError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { passwordMatches, type RegistryAction, type RegistryUser } from '../common/images/registryUsers.js';
import { grant, subject, type Identity } from './policy.js';
import { parseScopes } from './scope.js';
import type { IssuedToken, TokenSigner } from './tokens.js';

export interface TokenServiceOptions {
  /** The registry's name (its config's auth.token.service): the tokens' audience. */
  service: string;
  users: RegistryUser[];
  /** What callers without credentials may do; [] makes every pull need credentials. */
  anonymousActions: RegistryAction[];
  signer: TokenSigner;
  logger: Logger;
}

/** A request as the endpoint sees it: the query's parameters and the Authorization header. */
export interface TokenRequest {
  service: string | null;
  scopes: string[];
  authorization: string | undefined;
  remote?: string;
}

/**
 * Credential checks cost ~16 MiB and ~50 ms of scrypt each; beyond this many at once a
 * caller is told to come back rather than the process growing without bound.
 */
const maxConcurrentChecks = 8;

export class TokenService {
  private readonly opts: TokenServiceOptions;
  private readonly users: Map<string, RegistryUser>;
  private checking = 0;
  /** Checked against for unknown names, so a miss costs what a wrong password does. */
  private readonly decoy: RegistryUser;

  constructor(opts: TokenServiceOptions, decoy: RegistryUser) {
    this.opts = opts;
    this.users = new Map(opts.users.map((u) => [u.name, u]));
    this.decoy = decoy;
  }

  async token(req: TokenRequest): Promise<IssuedToken> {
    const log = this.opts.logger;
    if (req.service !== null && req.service !== this.opts.service) {
      throw new BadRequestError(`unknown service ${JSON.stringify(req.service.slice(0, 200))}: this token service issues tokens for ${JSON.stringify(this.opts.service)}`);
    }
    const requested = parseScopes(req.scopes);
    const who = await this.identify(req);
    const access = grant(who, requested, this.opts.anonymousActions);
    log.info('token issued', { user: subject(who) || '(anonymous)', requested: req.scopes, granted: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`), remote: req.remote });
    return this.opts.signer.issue(subject(who), this.opts.service, access);
  }

  private async identify(req: TokenRequest): Promise<Identity> {
    const h = req.authorization;
    if (h === undefined || h === '') return { kind: 'anonymous' };
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
    if (!m) throw new UnauthorizedError('only Basic credentials are accepted');
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new UnauthorizedError('malformed Basic credentials');
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (this.checking >= maxConcurrentChecks) throw new TooManyRequestsError('too many credential checks in progress', 1);
    this.checking++;
    let ok: boolean;
    const user = this.users.get(name);
    try {
      ok = await passwordMatches(user ?? this.decoy, password);
    } finally {
      this.checking--;
    }
    if (!user || !ok) {
      this.opts.logger.warn('credentials refused', { user: name.slice(0, 64), remote: req.remote });
      throw new UnauthorizedError(`invalid username or password`);
    }
    return { kind: 'user', name: user.name, actions: user.actions };
  }
}

export function isClientError(e: unknown): e is ApiError {
  return e instanceof ApiError && e.code < 500;
}
