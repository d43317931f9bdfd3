// The cluster's image registry: a detached docker-registry with its storage under
// $GANTRY_HOME/registry, holding the small images built from images/, so pods naming
// `busybox` or `gantry/web:v1` run without reaching the internet.

import fs from 'node:fs';
import path from 'node:path';
import { startRegistry, type LocalRegistry } from '../../common/images/registryProcess.js';
import { openImageBuilder, registryHasTestImages } from '../../common/images/testImages.js';
import { toYaml } from '../../common/yaml.js';

export function startClusterRegistry(home: string, listenAddress: string, port: number, logFile: string): Promise<LocalRegistry> {
  return startRegistry({ dir: path.join(home, 'registry'), listenAddress, port, logFile, detached: true });
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
 * self-contained and offline; other registries are still pulled from directly.
 */
export function registriesConfigYaml(registryUrl: string): string {
  return (
    '# docker.io images come from the cluster registry started by `gantry up`.\n' +
    toYaml({ mirrors: { 'docker.io': { endpoint: [registryUrl] } }, disableDefaultEndpoint: true })
  );
}
