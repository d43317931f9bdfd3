// Small images built by buildah from the Containerfiles in images/, Debian's busybox-static
// and Debian's redis (redisContext.ts), pushed to a local registry: what tests pull, and
// what `gantry up` puts in the cluster's registry so `image: busybox` works offline.
//
// buildah runs with its own --root/--runroot (vfs driver: no mounts left behind) in a
// work directory of ours, so nothing touches the machine's container storage, and that
// directory is removed when the builder is closed.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeRedisContext, redisImageTag } from './redisContext.js';
import { writeAuthFile } from './authFile.js';
import { fetchAnonymously } from './registryFetch.js';
import type { LocalRegistry } from './registryProcess.js';

const run = promisify(execFile);

export interface TestImages {
  /** `HOST/gantry/busybox:latest`, OCI media types, two layers. */
  busybox: string;
  /** The same image as `HOST/library/busybox:latest`, which `busybox` names through a docker.io mirror. */
  libraryBusybox: string;
  /** And as `HOST/busybox:latest`, for clients that name the registry itself (`127.0.0.1:5000/busybox`). */
  bareBusybox: string;
  /** `HOST/gantry/busybox:docker`, Docker v2 schema 2 media types. */
  busyboxDocker: string;
  /** `HOST/gantry/web:v1` and `:v2`: busybox plus a page; they share the busybox layers. */
  webV1: string;
  webV2: string;
  /** `HOST/gantry/redis:7`: Debian's redis-server and redis-cli on busybox, running as uid 999. */
  redis: string;
  /** An OCI index: linux/amd64 -> web v1, linux/arm64 -> web v2. */
  multiOci: string;
  /** A Docker manifest list with the same two entries. */
  multiDocker: string;
  /** Manifest (or index) digest of each reference above, as pushed. */
  digests: Record<string, string>;
}

type ImageKey = Exclude<keyof TestImages, 'digests'>;

/** The references of every test image in the registry at `host`. */
export function testImageRefs(host: string): Record<ImageKey, string> {
  return {
    busybox: `${host}/gantry/busybox:latest`,
    libraryBusybox: `${host}/library/busybox:latest`,
    bareBusybox: `${host}/busybox:latest`,
    busyboxDocker: `${host}/gantry/busybox:docker`,
    webV1: `${host}/gantry/web:v1`,
    webV2: `${host}/gantry/web:v2`,
    redis: `${host}/gantry/redis:${redisImageTag}`,
    multiOci: `${host}/gantry/multi:latest`,
    multiDocker: `${host}/gantry/multi:docker`,
  };
}

/** What is pushed for each reference, from the builder's local images. */
const pushes: Array<[ImageKey, string[]]> = [
  ['busybox', ['push', '--format', 'oci', 'localhost/gantry/busybox:latest']],
  ['libraryBusybox', ['push', '--format', 'oci', 'localhost/gantry/busybox:latest']],
  ['bareBusybox', ['push', '--format', 'oci', 'localhost/gantry/busybox:latest']],
  ['busyboxDocker', ['push', '--format', 'v2s2', 'localhost/gantry/busybox:latest']],
  ['webV1', ['push', '--format', 'oci', 'localhost/gantry/web:v1']],
  ['webV2', ['push', '--format', 'oci', 'localhost/gantry/web:v2']],
  ['redis', ['push', '--format', 'oci', `localhost/gantry/redis:${redisImageTag}`]],
  ['multiOci', ['manifest', 'push', '--all', '--format', 'oci', 'localhost/gantry/multi:latest']],
  ['multiDocker', ['manifest', 'push', '--all', '--format', 'v2s2', 'localhost/gantry/multi:latest']],
];

export interface ImageBuilder {
  /** Pushes every test image to `reg` and returns their references and digests. */
  push(reg: LocalRegistry): Promise<TestImages>;
  /** Removes the builder's storage. */
  close(): void;
}

/** images/ of the source tree, found from here whether running from source or from dist/. */
function findImagesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'images', 'busybox', 'Containerfile'))) return path.join(dir, 'images');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find images/busybox/Containerfile above ' + path.dirname(fileURLToPath(import.meta.url)));
    dir = parent;
  }
}

/**
 * Builds the test images in `workDir` (created; must not exist yet, so two builders never
 * share storage). The caller closes the builder, which removes `workDir`.
 */
export async function openImageBuilder(workDir: string, busyboxBinary = '/bin/busybox'): Promise<ImageBuilder> {
  const imagesDir = findImagesDir();
  fs.mkdirSync(workDir, { recursive: false, mode: 0o700 });
  const close = (): void => fs.rmSync(workDir, { recursive: true, force: true });
  try {
    const policy = path.join(workDir, 'policy.json');
    // A signature policy that accepts anything: these images are our own.
    fs.writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const global = ['--root', path.join(workDir, 'root'), '--runroot', path.join(workDir, 'runroot'), '--storage-driver', 'vfs'];
    const buildah = async (args: string[]): Promise<string> => {
      try {
        const { stdout } = await run('buildah', [...global, ...args], { env: { ...process.env, BUILDAH_ISOLATION: 'chroot', TMPDIR: workDir }, maxBuffer: 16 * 1024 * 1024 });
        return stdout;
      } catch (e) {
        const err = e as { stderr?: string; message?: string };
        throw new Error(`buildah ${args.slice(0, 2).join(' ')} failed: ${err.stderr?.trim() || err.message}`);
      }
    };
    const bud = ['bud', '--signature-policy', policy, '--isolation', 'chroot', '--layers', '--pull=never', '-q'];
    // busybox: the Containerfile plus the static binary as build context.
    const ctx = path.join(workDir, 'busybox-context');
    fs.mkdirSync(ctx);
    fs.copyFileSync(path.join(imagesDir, 'busybox/Containerfile'), path.join(ctx, 'Containerfile'));
    fs.copyFileSync(busyboxBinary, path.join(ctx, 'busybox'));
    fs.chmodSync(path.join(ctx, 'busybox'), 0o755);
    await buildah([...bud, '-t', 'localhost/gantry/busybox:latest', ctx]);
    for (const v of ['v1', 'v2']) {
      await buildah([...bud, '--build-arg', 'BASE=localhost/gantry/busybox:latest', '--build-arg', `VERSION=${v}`, '-t', `localhost/gantry/web:${v}`, path.join(imagesDir, 'web')]);
    }
    const redisCtx = path.join(workDir, 'redis-context');
    fs.mkdirSync(redisCtx);
    await makeRedisContext(imagesDir, redisCtx);
    await buildah([...bud, '--build-arg', 'BASE=localhost/gantry/busybox:latest', '-t', `localhost/gantry/redis:${redisImageTag}`, redisCtx]);
    await buildah(['manifest', 'create', 'localhost/gantry/multi:latest']);
    await buildah(['manifest', 'add', '--os', 'linux', '--arch', 'amd64', 'localhost/gantry/multi:latest', 'containers-storage:localhost/gantry/web:v1']);
    await buildah(['manifest', 'add', '--os', 'linux', '--arch', 'arm64', 'localhost/gantry/multi:latest', 'containers-storage:localhost/gantry/web:v2']);

    const push = async (reg: LocalRegistry): Promise<TestImages> => {
      // Credentials go in an authfile (containers-auth.json), not --creds: a command line is world-readable in /proc.
      const authArgs: string[] = [];
      if (reg.auth !== 'none') {
        const authFile = path.join(workDir, `auth-${reg.port}.json`);
        writeAuthFile(authFile, reg.host, reg.username, reg.password);
        authArgs.push('--authfile', authFile);
      }
      const common = ['--signature-policy', policy, '--tls-verify=false', '-q', ...authArgs];
      const refs = testImageRefs(reg.host);
      const digests: Record<string, string> = {};
      for (const [key, args] of pushes) {
        const digestFile = path.join(workDir, `digest-${key}-${reg.port}`);
        const cmd = args[0] === 'manifest' ? args.slice(0, 2) : args.slice(0, 1);
        const rest = args.slice(cmd.length);
        await buildah([...cmd, ...common, '--digestfile', digestFile, ...rest, `docker://${refs[key]}`]);
        digests[refs[key]] = fs.readFileSync(digestFile, 'utf8').trim();
      }
      return { ...refs, digests };
    };
    return { push, close };
  } catch (e) {
    close();
    throw e;
  }
}

let shared: Promise<ImageBuilder> | undefined;

/**
 * For tests: builds the test images once per process (in a temp dir removed when the
 * process exits) and pushes them to `reg`.
 */
export async function buildTestImages(reg: LocalRegistry): Promise<TestImages> {
  if (!shared) {
    const workDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-buildah-')), 'work');
    process.once('exit', () => fs.rmSync(path.dirname(workDir), { recursive: true, force: true }));
    shared = openImageBuilder(workDir);
  }
  let b: ImageBuilder;
  try {
    b = await shared;
  } catch (e) {
    shared = undefined;
    throw e;
  }
  return b.push(reg);
}

/** True when `reg` (plain HTTP; no auth, or token auth that lets anyone pull) already serves a manifest for every test image. */
export async function registryHasTestImages(reg: LocalRegistry): Promise<boolean> {
  const accept = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ].join(', ');
  const has = (ref: string): Promise<boolean> => {
    const rest = ref.slice(reg.host.length + 1);
    const colon = rest.lastIndexOf(':');
    const url = `${reg.url}/v2/${rest.slice(0, colon)}/manifests/${rest.slice(colon + 1)}`;
    return fetchAnonymously(url, { method: 'HEAD', headers: { accept } }, `repository:${rest.slice(0, colon)}:pull`).then(
      (res) => res.status === 200,
      () => false,
    );
  };
  const found = await Promise.all(Object.values(testImageRefs(reg.host)).map(has));
  return found.every(Boolean);
}
