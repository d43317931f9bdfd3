// Registry credentials in the containers-auth.json format that `buildah push --authfile`,
// skopeo, podman (and docker's config.json) read: {"auths": {"HOST:PORT": {"auth": base64(user:password)}}}.

import fs from 'node:fs';

export interface AuthFileEntry {
  username: string;
  password: string;
}

/** Writes (0600, replacing the file) credentials for one registry host. */
export function writeAuthFile(file: string, host: string, username: string, password: string): void {
  const auths = { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  fs.writeFileSync(file, JSON.stringify({ auths }, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Every host's credentials in an auth file; {} when it is missing or unreadable. */
export function readAuthFile(file: string): Record<string, AuthFileEntry> {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  const out: Record<string, AuthFileEntry> = {};
  const auths = (doc as { auths?: Record<string, { auth?: unknown }> } | null)?.auths ?? {};
  for (const [host, v] of Object.entries(auths)) {
    if (typeof v?.auth !== 'string') continue;
    const decoded = Buffer.from(v.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) out[host] = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return out;
}
