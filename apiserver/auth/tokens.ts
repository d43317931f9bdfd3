// Bearer-token authentication from a static token file, in Kubernetes' CSV format:
// token,user,uid,"group1,group2"

import fs from 'node:fs';
import { timingSafeEqual, createHash } from 'node:crypto';
import { UnauthorizedError } from '../../common/errors.js';

export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export class TokenAuthenticator {
  private readonly users = new Map<string, { hash: Buffer; user: UserInfo }>();

  constructor(entries: { token: string; user: UserInfo }[]) {
    for (const e of entries) this.users.set(digest(e.token).toString('hex'), { hash: digest(e.token), user: e.user });
  }

  static fromFile(file: string): TokenAuthenticator {
    const entries: { token: string; user: UserInfo }[] = [];
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const m = /^([^,]+),([^,]+),([^,]*)(?:,"?([^"]*)"?)?$/.exec(line);
      if (!m) throw new Error(`${file}:${i + 1}: expected token,user,uid,"groups"`);
      entries.push({ token: m[1]!, user: { name: m[2]!, uid: m[3]!, groups: (m[4] ?? '').split(',').map((g) => g.trim()).filter(Boolean) } });
    });
    return new TokenAuthenticator(entries);
  }

  /** The user of a token in the file; undefined when the file does not have it. */
  lookup(token: string): UserInfo | undefined {
    const d = digest(token);
    const hit = this.users.get(d.toString('hex'));
    if (!hit || !timingSafeEqual(hit.hash, d)) return undefined;
    return { ...hit.user, groups: [...hit.user.groups, 'system:authenticated'] };
  }

  /** The user behind an Authorization header; 401 when it is missing or unknown. */
  authenticate(header: string | undefined): UserInfo {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const user = m ? this.lookup(m[1]!) : undefined;
    if (!user) throw new UnauthorizedError();
    return user;
  }
}
