// Helpers shared by the image tests: a service over a temp store, registries.yaml-style
// configs pointing at a test registry, and snapshots of a directory tree to prove that
// nothing outside the store changed.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../common/logging.js';
import { RegistryImageService, type RegistryImageServiceOptions } from '../images/imageService.js';
import type { RegistriesConfig } from '../images/registry/hosts.js';
import type { LocalRegistry } from '../../common/images/registryProcess.js';

/** docker.io mirrored to the test registry, nothing else tried: `busybox` and `gantry/web:v1` come from it. */
export function mirrorTo(reg: LocalRegistry): RegistriesConfig {
  const config: RegistriesConfig = { mirrors: { 'docker.io': { endpoint: [reg.url] } }, disableDefaultEndpoint: true };
  const c: NonNullable<RegistriesConfig['configs']>[string] = {};
  if (reg.auth !== 'none') c.auth = { username: reg.username, password: reg.password };
  if (reg.caFile) c.tls = { ca_file: reg.caFile };
  if (c.auth || c.tls) config.configs = { [reg.host]: c };
  return config;
}

export async function openService(root: string, opts: Partial<RegistryImageServiceOptions> = {}): Promise<RegistryImageService> {
  return RegistryImageService.open({ log: silentLogger(), ...opts, root });
}

/** Every path under dir with its type, mode, size, mtime and content hash. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    const rel = path.relative(dir, p) || '.';
    let detail = `${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${st.nlink}`;
    if (st.isFile()) detail += ` ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
    if (st.isSymbolicLink()) detail += ` -> ${fs.readlinkSync(p)}`;
    out[rel] = detail;
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n));
  };
  walk(dir);
  return out;
}

/** Entries of a store directory (layers/sha256, tmp, ingest, blobs/sha256), [] when missing. */
export function storeEntries(root: string, sub: string): string[] {
  try {
    return fs.readdirSync(path.join(root, sub)).sort();
  } catch {
    return [];
  }
}
