// The build context of gantry/redis: images/redis (Containerfile, config, accounts) plus
// Debian's redis binaries and the shared libraries they load, copied to the paths the
// dynamic loader looks for them. Debian's redis-tools ships the server as
// redis-check-rdb (redis-server's package only adds a symlink to it); the binary picks its
// role from the name it runs under, so it goes into the image as redis-server.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The tag the examples use; the build checks that Debian's redis has this major version. */
export const redisImageTag = '7';

export interface RedisBinaries {
  /** The server binary (redis-server, or redis-check-rdb which it links to). */
  server: string;
  cli: string;
}

/** Where Debian's redis-tools (and redis-server, if installed) put them. */
export function debianRedisBinaries(): RedisBinaries {
  const server = ['/usr/bin/redis-server', '/usr/bin/redis-check-rdb'].find((p) => fs.existsSync(p));
  const cli = '/usr/bin/redis-cli';
  if (!server || !fs.existsSync(cli)) {
    throw new Error("gantry/redis needs Debian's redis-tools (redis-check-rdb, redis-cli): run scripts/setup.sh or apt-get install redis-tools");
  }
  return { server: fs.realpathSync(server), cli };
}

/**
 * The files `ldd` output says a binary loads: every `=> /path` and the loader itself.
 * The vDSO has no file; a library ldd cannot find is an error, not a smaller image.
 */
export function parseLdd(output: string): string[] {
  const files: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('linux-vdso') || line.startsWith('linux-gate')) continue;
    if (line.includes('=> not found')) throw new Error(`missing shared library: ${line}`);
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const bare = /^(\/\S+)\s+\(0x/.exec(line);
    const file = arrow?.[1] ?? bare?.[1];
    if (file) files.push(file);
    else if (line.includes('statically linked')) continue;
    else throw new Error(`cannot read ldd line: ${line}`);
  }
  return files;
}

/** The version a redis binary reports (`Redis server v=7.0.15 ...` or `redis-check-rdb 7.0.15`). */
export function parseRedisVersion(output: string): string {
  const m = /(?:v=|\s)(\d+\.\d+\.\d+)/.exec(output);
  if (!m) throw new Error(`cannot read a redis version from ${JSON.stringify(output.trim())}`);
  return m[1]!;
}

async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  return parseLdd(stdout);
}

/**
 * Fills `ctx` (an empty directory) with the context images/redis/Containerfile builds from.
 * Returns the version of the redis inside.
 */
export async function makeRedisContext(imagesDir: string, ctx: string, bins: RedisBinaries = debianRedisBinaries()): Promise<string> {
  const { stdout } = await run(bins.server, ['--version']);
  const version = parseRedisVersion(stdout);
  if (version.split('.')[0] !== redisImageTag) {
    throw new Error(`gantry/redis:${redisImageTag} needs redis ${redisImageTag}.x (Debian 12's); ${bins.server} is ${version}`);
  }
  fs.cpSync(path.join(imagesDir, 'redis'), ctx, { recursive: true });
  const rootfs = path.join(ctx, 'rootfs');
  const put = (from: string, to: string): void => {
    const dest = path.join(rootfs, to);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    // copyFileSync follows symlinks: the image gets the library's bytes under the name asked for.
    fs.copyFileSync(from, dest);
    fs.chmodSync(dest, fs.statSync(from).mode & 0o777);
  };
  put(bins.server, '/usr/bin/redis-server');
  put(bins.cli, '/usr/bin/redis-cli');
  const libs = new Set([...(await sharedLibraries(bins.server)), ...(await sharedLibraries(bins.cli))]);
  for (const lib of libs) put(lib, lib);
  // Writable by whichever uid the pod runs as (replicas write the primary's snapshot here).
  const data = path.join(rootfs, 'data');
  fs.mkdirSync(data);
  fs.chmodSync(data, 0o1777);
  return version;
}
