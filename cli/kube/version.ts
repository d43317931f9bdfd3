// `gantry version`: this client's version (the package's) and the server's (/version).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeIO } from './io.js';
import type { Session } from './access.js';
import { toYaml } from '../../common/yaml.js';
import { UsageError } from './errors.js';

/** The gantry package's version, from the package.json above this file (source or dist/ tree). */
export function clientVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const f = path.join(dir, 'package.json');
    if (!fs.existsSync(f)) continue;
    const pkg = JSON.parse(fs.readFileSync(f, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'gantry' && pkg.version) return `v${pkg.version}`;
  }
  return 'unknown';
}

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
  platform?: string;
}

export interface VersionFlags {
  client?: boolean;
  output?: string;
}

/** Prints the client's version, then asks the server (unless --client); an unreachable server fails after the client line. */
export async function versionCommand(io: KubeIO, flags: VersionFlags, session: () => Session): Promise<void> {
  if (flags.output !== undefined && flags.output !== 'json' && flags.output !== 'yaml') throw new UsageError(`--output must be json or yaml, not "${flags.output}"`);
  const client = { gitVersion: clientVersion(), platform: `${process.platform}/${process.arch}` };
  let server: ServerVersion | undefined;
  if (!flags.output) io.out(`Client Version: ${client.gitVersion}\n`);
  if (!flags.client) {
    const s = session();
    try {
      server = (await s.api.send<ServerVersion>('GET', '/version')).body;
    } finally {
      s.close();
    }
  }
  if (!flags.output) {
    if (server) io.out(`Server Version: ${server.gitVersion}\n`);
    return;
  }
  const doc = { clientVersion: client, ...(server ? { serverVersion: server } : {}) };
  io.out(flags.output === 'json' ? JSON.stringify(doc, null, 2) + '\n' : toYaml(doc));
}
