// The registry token service's users: a JSON file of salted scrypt hashes (never the
// passwords), 0600. `gantry up` writes it when it creates the push credentials; the token
// service (registryauth/) reads it at start-up and checks Basic credentials against it.
//
//   {"users": [{"name": "gantry-push", "actions": ["pull", "push"],
//               "scrypt": {"N": 16384, "r": 8, "p": 1, "salt": "<base64>", "hash": "<base64>"}}]}

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import fs from 'node:fs';

/** What a user may do on every repository (the registry's action names). */
export type RegistryAction = 'pull' | 'push';
export const registryActions: readonly RegistryAction[] = ['pull', 'push'];

export interface RegistryUser {
  name: string;
  actions: RegistryAction[];
  scrypt: { N: number; r: number; p: number; salt: string; hash: string };
}

export interface RegistryUsersFile {
  users: RegistryUser[];
}

/** OWASP's minimum for scrypt: about 50 ms and 16 MiB per check, which bounds guessing. */
const params = { N: 2 ** 14, r: 8, p: 1 };
const hashBytes = 32;

function derive(password: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  const opts: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem: 128 * p.N * p.r * 2 };
  return new Promise((resolve, reject) => scrypt(password, salt, hashBytes, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashUser(name: string, password: string, actions: RegistryAction[]): Promise<RegistryUser> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, params);
  return { name, actions: [...actions], scrypt: { ...params, salt: salt.toString('base64'), hash: hash.toString('base64') } };
}

/** True when `password` is this user's; constant-time in the comparison. */
export async function passwordMatches(user: RegistryUser, password: string): Promise<boolean> {
  const want = Buffer.from(user.scrypt.hash, 'base64');
  const got = await derive(password, Buffer.from(user.scrypt.salt, 'base64'), user.scrypt);
  return want.length === got.length && timingSafeEqual(want, got);
}

export function writeRegistryUsers(file: string, users: RegistryUser[]): void {
  const body: RegistryUsersFile = { users };
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  // writeFileSync keeps the mode of a file that already exists.
  fs.chmodSync(file, 0o600);
}

/** Reads and checks the file; throws with the file name and the first problem found. */
export function readRegistryUsers(file: string): RegistryUser[] {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the registry users file ${file}: ${(e as Error).message}`);
  }
  const bad = (why: string): never => {
    throw new Error(`registry users file ${file}: ${why}`);
  };
  const users = (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return bad('expected {"users": [...]}');
  const seen = new Set<string>();
  return users.map((u: unknown, i): RegistryUser => {
    const o = (u ?? {}) as Partial<RegistryUser>;
    if (typeof o.name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(o.name)) bad(`users[${i}].name must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (seen.has(o.name!)) bad(`users[${i}].name ${JSON.stringify(o.name)} appears twice`);
    seen.add(o.name!);
    if (!Array.isArray(o.actions) || !o.actions.every((a) => registryActions.includes(a))) bad(`users[${i}].actions must be a list of ${registryActions.join(', ')}`);
    const s = o.scrypt;
    const intIn = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
    // Bounds keep a tampered file from making every check cost gigabytes.
    if (!s || !intIn(s.N, 2, 2 ** 20) || (s.N & (s.N - 1)) !== 0 || !intIn(s.r, 1, 32) || !intIn(s.p, 1, 16) || typeof s.salt !== 'string' || typeof s.hash !== 'string' || Buffer.from(s.hash, 'base64').length !== hashBytes) {
      bad(`users[${i}].scrypt must hold N (a power of two), r, p, salt and a ${hashBytes}-byte hash, in base64`);
    }
    return { name: o.name!, actions: [...new Set(o.actions!)], scrypt: { N: s!.N, r: s!.r, p: s!.p, salt: s!.salt, hash: s!.hash } };
  });
}
