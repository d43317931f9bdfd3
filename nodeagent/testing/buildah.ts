// Test images built by buildah from the Containerfiles in images/ and Debian's
// busybox-static, pushed to a test registry. buildah runs with its own --root/--runroot
// (vfs driver: no mounts left behind) in a temp dir, so tests never touch the machine's
// container storage. Images are built once per process and pushed to each registry
// that asks; the temp dir goes when the process exits.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestRegistry } from './registryProcess.js';

const run = promisify(execFile);

export interface TestImages {
  /** `HOST/gantry/busybox:latest`, OCI media types, two layers. */
  busybox: string;
  /** The same image as `HOST/library/busybox:latest`, which `busybox` names through a docker.io mirror. */
  libraryBusybox: string;
  /** `HOST/gantry/busybox:docker`, Docker v2 schema 2 media types. */
  busyboxDocker: string;
  /** `HOST/gantry/web:v1` and `:v2`: busybox plus a page; they share the busybox layers. */
  webV1: string;
  webV2: string;
  /** An OCI index: linux/amd64 -> web v1, linux/arm64 -> web v2. */
  multiOci: string;
  /** A Docker manifest list with the same two entries. */
  multiDocker: string;
  /** Manifest (or index) digest of each reference above, as pushed. */
  digests: Record<string, string>;
}

interface Builder {
  dir: string;
  /** A signature policy that accepts anything: these images are our own. */
  policy: string;
  buildah(args: string[]): Promise<string>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const imagesDir = path.join(repoRoot, 'images');
let builder: Promise<Builder> | undefined;

async function makeBuilder(): Promise<Builder> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-buildah-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const policy = path.join(dir, 'policy.json');
  fs.writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const global = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'runroot'), '--storage-driver', 'vfs'];
  const buildah = async (args: string[]): Promise<string> => {
    try {
      const { stdout } = await run('buildah', [...global, ...args], { env: { ...process.env, BUILDAH_ISOLATION: 'chroot' }, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message?: string };
      throw new Error(`buildah ${args.slice(0, 2).join(' ')} failed: ${err.stderr?.trim() || err.message}`);
    }
  };
  // busybox: the Containerfile plus the static binary as build context.
  const ctx = path.join(dir, 'busybox-context');
  fs.mkdirSync(ctx);
  fs.copyFileSync(path.join(imagesDir, 'busybox/Containerfile'), path.join(ctx, 'Containerfile'));
  fs.copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
  fs.chmodSync(path.join(ctx, 'busybox'), 0o755);
  await buildah(['bud', '--signature-policy', policy, '--isolation', 'chroot', '--layers', '--pull=never', '-q', '-t', 'localhost/gantry/busybox:latest', ctx]);
  for (const v of ['v1', 'v2']) {
    await buildah(['bud', '--signature-policy', policy, '--isolation', 'chroot', '--layers', '--pull=never', '-q', '--build-arg', 'BASE=localhost/gantry/busybox:latest', '--build-arg', `VERSION=${v}`, '-t', `localhost/gantry/web:${v}`, path.join(imagesDir, 'web')]);
  }
  await buildah(['manifest', 'create', 'localhost/gantry/multi:latest']);
  await buildah(['manifest', 'add', '--os', 'linux', '--arch', 'amd64', 'localhost/gantry/multi:latest', 'containers-storage:localhost/gantry/web:v1']);
  await buildah(['manifest', 'add', '--os', 'linux', '--arch', 'arm64', 'localhost/gantry/multi:latest', 'containers-storage:localhost/gantry/web:v2']);
  return { dir, policy, buildah };
}

/** Builds the test images (once per process) and pushes them to `reg`. */
export async function buildTestImages(reg: TestRegistry): Promise<TestImages> {
  builder ??= makeBuilder();
  let b: Builder;
  try {
    b = await builder;
  } catch (e) {
    builder = undefined;
    throw e;
  }
  const common = ['--signature-policy', b.policy, '--tls-verify=false', '-q', ...(reg.auth === 'none' ? [] : ['--creds', `${reg.username}:${reg.password}`])];
  const h = reg.host;
  const images: Omit<TestImages, 'digests'> = {
    busybox: `${h}/gantry/busybox:latest`,
    libraryBusybox: `${h}/library/busybox:latest`,
    busyboxDocker: `${h}/gantry/busybox:docker`,
    webV1: `${h}/gantry/web:v1`,
    webV2: `${h}/gantry/web:v2`,
    multiOci: `${h}/gantry/multi:latest`,
    multiDocker: `${h}/gantry/multi:docker`,
  };
  const pushes: Array<[keyof typeof images, string[]]> = [
    ['busybox', ['push', '--format', 'oci', 'localhost/gantry/busybox:latest']],
    ['libraryBusybox', ['push', '--format', 'oci', 'localhost/gantry/busybox:latest']],
    ['busyboxDocker', ['push', '--format', 'v2s2', 'localhost/gantry/busybox:latest']],
    ['webV1', ['push', '--format', 'oci', 'localhost/gantry/web:v1']],
    ['webV2', ['push', '--format', 'oci', 'localhost/gantry/web:v2']],
    ['multiOci', ['manifest', 'push', '--all', '--format', 'oci', 'localhost/gantry/multi:latest']],
    ['multiDocker', ['manifest', 'push', '--all', '--format', 'v2s2', 'localhost/gantry/multi:latest']],
  ];
  const digests: Record<string, string> = {};
  for (const [key, args] of pushes) {
    const digestFile = path.join(b.dir, `digest-${key}-${reg.host.replace(/[^0-9]/g, '')}`);
    const cmd = args[0] === 'manifest' ? args.slice(0, 2) : args.slice(0, 1);
    const rest = args.slice(cmd.length);
    await b.buildah([...cmd, ...common, '--digestfile', digestFile, ...rest, `docker://${images[key]}`]);
    digests[images[key]] = fs.readFileSync(digestFile, 'utf8').trim();
  }
  return { ...images, digests };
}
