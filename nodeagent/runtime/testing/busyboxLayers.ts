// Test-only images for the runtime, built on the spot from the host's static busybox
// (Debian busybox-static) so the runtime's tests need no registry or image store:
//
//   busybox         one layer: /bin/busybox, a symlink per applet, /etc/passwd and group, /tmp
//   busybox-layered the busybox layer plus one replacing /etc/image-file and adding /etc/extra
//   echo-entry      busybox with ENTRYPOINT ["/bin/echo", "entry"] CMD ["cmd"] and USER nobody
//
// Layer directories are shared by every container of the image, as the real store's are.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError } from '../../../common/errors.js';
import type { ImageLayers, ResolvedImage } from '../../cri/layers.js';
import type { ImageConfigSummary } from '../../cri/types.js';

const baseConfig: ImageConfigSummary = {
  entrypoint: [],
  cmd: ['sh'],
  env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  workingDir: '',
  user: '',
  exposedPorts: [],
};

function imageId(name: string, layers: string[], config: ImageConfigSummary): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify({ name, layers, config })).digest('hex');
}

export class BusyboxLayers implements ImageLayers {
  private readonly images = new Map<string, ResolvedImage>();
  /** How many times resolve was called (tests check the runtime asks the store). */
  resolveCount = 0;

  private constructor(readonly dir: string) {}

  /**
   * Builds the layers under `dir` (removed by the caller with the test's temp dir); over a
   * `dir` built before (by another process of the same test) it only registers them.
   */
  static create(dir: string, busybox = '/bin/busybox'): BusyboxLayers {
    const l = new BusyboxLayers(dir);
    const base = path.join(dir, 'layer-busybox');
    const second = path.join(dir, 'layer-extra');
    if (!fs.existsSync(path.join(second, 'etc', 'extra'))) buildLayers(base, second, busybox);
    l.add('busybox', [base], baseConfig);
    l.add('busybox-layered', [base, second], baseConfig);
    l.add('echo-entry', [base], { ...baseConfig, entrypoint: ['/bin/echo', 'entry'], cmd: ['cmd'], user: 'nobody' });
    return l;
  }

  private add(name: string, layerDirs: string[], config: ImageConfigSummary): void {
    const r: ResolvedImage = { imageId: imageId(name, layerDirs, config), layerDirs, config };
    this.images.set(name, r);
    this.images.set(r.imageId, r);
  }

  async resolve(image: string): Promise<ResolvedImage> {
    this.resolveCount++;
    const name = image.replace(/^(docker\.io\/)?(library\/)?/, '').replace(/:latest$/, '');
    const r = this.images.get(name);
    if (!r) throw new NotFoundError({ resource: 'images', name: image });
    return { ...r, layerDirs: [...r.layerDirs], config: { ...r.config } };
  }

  /** The directory of the base (busybox) layer. */
  get baseLayer(): string {
    return path.join(this.dir, 'layer-busybox');
  }
}

function buildLayers(base: string, second: string, busybox: string): void {
  fs.mkdirSync(path.join(base, 'bin'), { recursive: true, mode: 0o755 });
  fs.copyFileSync(busybox, path.join(base, 'bin', 'busybox'));
  fs.chmodSync(path.join(base, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => /^[a-z0-9_.-]+$/.test(a) && a !== 'busybox');
  for (const a of applets) fs.symlinkSync('busybox', path.join(base, 'bin', a));
  for (const d of ['etc', 'proc', 'sys', 'dev', 'root', 'var', 'usr/bin']) fs.mkdirSync(path.join(base, d), { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.join(base, 'tmp'), { mode: 0o1777 });
  fs.chmodSync(path.join(base, 'tmp'), 0o1777);
  fs.writeFileSync(path.join(base, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/tmp:/bin/sh\n');
  fs.writeFileSync(path.join(base, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n');
  fs.writeFileSync(path.join(base, 'etc', 'image-file'), 'from the image\n');

  fs.mkdirSync(path.join(second, 'etc'), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(second, 'etc', 'image-file'), 'from the upper layer\n');
  fs.writeFileSync(path.join(second, 'etc', 'extra'), 'extra\n');
}
