// Signing the registry's bearer tokens: JWTs (RS256, jose) whose `x5c` header carries the
// signing certificate, which the registry checks against its `rootcertbundle`; claims as
// distribution's token auth reads them (iss, sub, aud, exp, nbf, iat, jti, access).

import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../common/clock.js';
import type { Access } from './policy.js';

export interface IssuedToken {
  token: string;
  /** The same token: OAuth 2 clients read access_token, Docker clients token. */
  access_token: string;
  expires_in: number;
  issued_at: string;
}

export interface TokenSignerOptions {
  keyPem: string;
  certPem: string;
  issuer: string;
  ttlSeconds: number;
  clock: Clock;
}

/** Tolerates a registry whose clock is a little behind ours. */
const notBeforeSkewSeconds = 10;

export class TokenSigner {
  private readonly key: KeyObject;
  private readonly x5c: string[];
  private readonly opts: TokenSignerOptions;

  constructor(opts: TokenSignerOptions) {
    const cert = new X509Certificate(opts.certPem);
    this.key = createPrivateKey(opts.keyPem);
    if (!cert.checkPrivateKey(this.key)) throw new Error('the token signing key does not belong to the signing certificate');
    if (this.key.asymmetricKeyType !== 'rsa') throw new Error(`the token signing key is ${this.key.asymmetricKeyType}, expected rsa`);
    this.x5c = [cert.raw.toString('base64')];
    this.opts = opts;
  }

  async issue(subject: string, audience: string, access: Access[]): Promise<IssuedToken> {
    const nowMs = this.opts.clock.now();
    const now = Math.floor(nowMs / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c: this.x5c })
      .setIssuer(this.opts.issuer)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now - notBeforeSkewSeconds)
      .setExpirationTime(now + this.opts.ttlSeconds)
      .setJti(randomBytes(12).toString('hex'))
      .sign(this.key);
    return { token, access_token: token, expires_in: this.opts.ttlSeconds, issued_at: new Date(nowMs).toISOString() };
  }
}
