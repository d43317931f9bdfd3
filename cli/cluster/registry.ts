// The cluster's image registry: a detached docker-registry with its storage under
// $GANTRY_HOME/registry, holding the small images built from images/, so pods naming
// `busybox` or `gantry/web:v1` run without reaching the internet.
//
// Pushes need credentials: the registry runs with token auth (distribution's auth.token)
// and trusts only the cluster's token service (registryauth/, supervised like the other
// components), which gives anyone `pull` and the push user created here `pull,push`. The
// push user's password is made once and kept, 0600, in $GANTRY_HOME/registry/push-auth.json
// (containers-auth.json: `buildah push --authfile`, skopeo, podman); only its scrypt hash is
// in the token service's users file.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readAuthFile, writeAuthFile } from '../../common/images/authFile.js';
import { startRegistry, type LocalRegistry } from '../../common/images/registryProcess.js';
import { ensureSigner, tokenAuthorityFor, tokenServiceArgs, waitForTokenService, type TokenServiceFiles } from '../../common/images/registryTokenService.js';
import { hashUser, passwordMatches, readRegistryUsers, writeRegistryUsers } from '../../common/images/registryUsers.js';
import { openImageBuilder, registryHasTestImages } from '../../common/images/testImages.js';
import { componentCommand } from '../../common/proc/components.js';
import { stopPid } from '../../common/proc/pids.js';
import { freePort } from '../../common/proc/ports.js';
import { toYaml } from '../../common/yaml.js';
import type { ClusterProcess } from './state.js';
import { startSupervised } from './supervise.js';

export const pushUser = 'gantry-push';

export interface ClusterRegistry {
  /** The registry; its username/password are the push user's. */
  registry: LocalRegistry;
  /** The push credentials for the registry's host, for `--authfile`. */
  pushAuthFile: string;
  /** In start order: the token service (supervised), then the registry. */
  processes: ClusterProcess[];
}

export function pushAuthFile(home: string): string {
  return path.join(home, 'registry', 'push-auth.json');
}

/**
 * The push user's password: the one already in push-auth.json when the users file still
 * accepts it (a restarted `up`), else a new one, its hash written to the users file.
 */
async function ensurePushPassword(home: string, files: TokenServiceFiles): Promise<string> {
  const kept = Object.values(readAuthFile(pushAuthFile(home))).find((e) => e.username === pushUser);
  if (kept && fs.existsSync(files.usersFile)) {
    const user = readRegistryUsers(files.usersFile).find((u) => u.name === pushUser);
    if (user && (await passwordMatches(user, kept.password))) return kept.password;
  }
  const password = randomBytes(24).toString('base64url');
  writeRegistryUsers(files.usersFile, [await hashUser(pushUser, password, ['pull', 'push'])]);
  return password;
}

/**
 * Starts the token service (under `gantry supervise`, logging to `registry-auth.log` beside
 * `logFile`) and, once it answers, the registry trusting it on `listenAddress:port`.
 */
export async function startClusterRegistry(home: string, listenAddress: string, port: number, logFile: string): Promise<ClusterRegistry> {
  const dir = path.join(home, 'registry');
  const files = ensureSigner(path.join(dir, 'auth'));
  const password = await ensurePushPassword(home, files);
  const settings = { listenAddress, port: await freePort() };
  const authority = tokenAuthorityFor(files, settings);
  const authLog = path.join(path.dirname(logFile), 'registry-auth.log');
  const tokenService = startSupervised('registry-auth', authLog, componentCommand('registryauth/main'), tokenServiceArgs(files, settings));
  let registry: LocalRegistry;
  try {
    await waitForTokenService(authority, 30_000, () => `see ${authLog}`);
    registry = await startRegistry({ dir, listenAddress, port, logFile, detached: true, auth: 'token', tokenAuthority: authority, username: pushUser, password });
  } catch (e) {
    await stopPid(tokenService.pid, tokenService.marker, 30_000);
    throw e;
  }
  writeAuthFile(pushAuthFile(home), registry.host, pushUser, password);
  return { registry, pushAuthFile: pushAuthFile(home), processes: [tokenService, { name: 'registry', pid: registry.pid, marker: registry.marker }] };
}

/**
 * Builds and pushes the images unless the registry has them all (a restarted `up` keeps
 * its registry storage; after `down` it is gone, so the next `up` builds again).
 * buildah's storage lives in $GANTRY_HOME/buildah only while building.
 */
export async function ensureClusterImages(reg: LocalRegistry, home: string, out: (line: string) => void): Promise<'present' | 'built'> {
  if (await registryHasTestImages(reg)) return 'present';
  const workDir = path.join(home, 'buildah');
  // Left over by an interrupted `up`: never build on top of someone else's storage.
  fs.rmSync(workDir, { recursive: true, force: true });
  out('building the images in images/ with buildah');
  const builder = await openImageBuilder(workDir);
  try {
    await builder.push(reg);
  } finally {
    builder.close();
  }
  return 'built';
}

/**
 * The node agent's registries file (nodeagent/images/registry/hosts.ts format): docker.io
 * comes from the cluster registry only. Not falling back to Docker Hub keeps the cluster
 * self-contained and offline; other registries are still pulled from directly. No
 * credentials: agents pull anonymously (the token service grants anyone `pull`).
 */
export function registriesConfigYaml(registryUrl: string): string {
  return (
    '# docker.io images come from the cluster registry started by `gantry up`.\n' +
    toYaml({ mirrors: { 'docker.io': { endpoint: [registryUrl] } }, disableDefaultEndpoint: true })
  );
}
