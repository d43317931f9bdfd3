// The ImageService against a real registry (Debian's docker-registry) holding images
// built by buildah: pulls by tag, digest and through indexes, OCI and Docker media
// types, mirrors, shared layers, persistence across restarts, removal and GC.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotFoundError } from '../../common/errors.js';
import { buildTestImages, type TestImages } from '../../common/images/testImages.js';
import { startCountingProxy } from '../testing/countingProxy.js';
import { mirrorTo, openService, storeEntries } from '../testing/imageFixtures.js';
import { pushImage } from '../testing/registryPush.js';
import { startRegistry, type LocalRegistry } from '../../common/images/registryProcess.js';
import { makeTar } from '../testing/tarLayer.js';
import { ManifestError, RegistryError } from './errors.js';
import type { RegistryImageService } from './imageService.js';
import type { RegistriesConfig } from './registry/hosts.js';

type ErrorClass = abstract new (...args: never[]) => Error;

describe('RegistryImageService against a real registry', function () {
  this.timeout(120_000);
  let work: string;
  let reg: LocalRegistry;
  let images: TestImages;
  let svc: RegistryImageService | undefined;
  let root: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-images-'));
    reg = await startRegistry({ dir: path.join(work, 'registry') });
    images = await buildTestImages(reg);
  });

  after(async () => {
    await reg?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  let n = 0;
  beforeEach(() => {
    root = path.join(work, `store-${n++}`);
  });

  afterEach(() => {
    svc?.close();
    svc = undefined;
  });

  const open = async (opts: Parameters<typeof openService>[1] = {}): Promise<RegistryImageService> => {
    svc = await openService(root, { registries: mirrorTo(reg), ...opts });
    return svc;
  };

  describe('pulls', () => {
    const cases: Array<{ name: string; ref: (i: TestImages) => string; sameIdAs?: (i: TestImages) => string; cmd: string[]; layers: number }> = [
      { name: 'by tag, OCI media types', ref: (i) => i.busybox, cmd: ['/bin/sh'], layers: 2 },
      { name: 'by tag, Docker schema 2 media types', ref: (i) => i.busyboxDocker, cmd: ['/bin/sh'], layers: 2 },
      { name: 'by digest', ref: (i) => `${reg.host}/gantry/web@${i.digests[i.webV1]}`, sameIdAs: (i) => i.webV1, cmd: ['httpd', '-f', '-v', '-p', '8080', '-h', '/www'], layers: 3 },
      { name: 'from an OCI index (the linux/amd64 entry)', ref: (i) => i.multiOci, sameIdAs: (i) => i.webV1, cmd: ['httpd', '-f', '-v', '-p', '8080', '-h', '/www'], layers: 3 },
      { name: 'from a Docker manifest list', ref: (i) => i.multiDocker, sameIdAs: (i) => i.webV1, cmd: ['httpd', '-f', '-v', '-p', '8080', '-h', '/www'], layers: 3 },
      { name: 'the index by digest', ref: (i) => `${reg.host}/gantry/multi@${i.digests[i.multiOci]}`, sameIdAs: (i) => i.webV1, cmd: ['httpd', '-f', '-v', '-p', '8080', '-h', '/www'], layers: 3 },
      { name: 'busybox through the docker.io mirror', ref: () => 'busybox', sameIdAs: (i) => i.busybox, cmd: ['/bin/sh'], layers: 2 },
      { name: 'gantry/web:v1 through the docker.io mirror', ref: () => 'gantry/web:v1', sameIdAs: (i) => i.webV1, cmd: ['httpd', '-f', '-v', '-p', '8080', '-h', '/www'], layers: 3 },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const s = await open();
        const ref = tc.ref(images);
        const id = await s.pullImage({ image: ref });
        expect(id).to.match(/^sha256:[a-f0-9]{64}$/);
        const status = await s.imageStatus({ image: ref });
        expect(status?.id).to.equal(id);
        expect(status?.spec.cmd).to.deep.equal(tc.cmd);
        expect(status?.size).to.be.greaterThan(1_000_000);
        const resolved = await s.resolve(ref);
        expect(resolved.imageId).to.equal(id);
        expect(resolved.layerDirs).to.have.length(tc.layers);
        for (const d of resolved.layerDirs) expect(fs.statSync(d).isDirectory()).to.equal(true);
        expect(fs.statSync(path.join(resolved.layerDirs[0]!, 'bin/busybox')).isFile()).to.equal(true);
        expect(fs.readlinkSync(path.join(resolved.layerDirs[1]!, 'bin/sh'))).to.equal('/bin/busybox');
        if (tc.sameIdAs) {
          const other = await openService(`${root}-ref`, { registries: mirrorTo(reg) });
          try {
            expect(await other.pullImage({ image: tc.sameIdAs(images) })).to.equal(id);
          } finally {
            other.close();
          }
        }
        // Nothing is left in flight: no partial downloads, no unpacking dirs, no compressed layers.
        expect(storeEntries(root, 'ingest')).to.deep.equal([]);
        expect(storeEntries(root, 'tmp')).to.deep.equal([]);
      });
    }

    it('records repo tags and digests, and finds the image by each name and by id', async () => {
      const s = await open();
      const id = await s.pullImage({ image: 'gantry/web:v1' });
      const byDigest = `docker.io/gantry/web@${images.digests[images.webV1]}`;
      const img = await s.imageStatus({ image: 'gantry/web:v1' });
      expect(img?.repoTags).to.deep.equal(['docker.io/gantry/web:v1']);
      expect(img?.repoDigests).to.deep.equal([byDigest]);
      for (const name of ['docker.io/gantry/web:v1', byDigest, id, id.slice('sha256:'.length)]) {
        expect((await s.imageStatus({ image: name }))?.id, name).to.equal(id);
      }
      expect(await s.imageStatus({ image: 'gantry/web:v2' })).to.equal(undefined);
      expect(await s.listImages({ image: { image: 'gantry/web:v1' } })).to.have.length(1);
      expect(await s.listImages({ image: { image: 'nothing:here' } })).to.deep.equal([]);
    });

    it('a tag pulled again after it moved names the new image only', async () => {
      const target = { url: reg.url };
      const first = await pushImage(target, 'gantry/moving', 'latest', { layers: [await makeTar([{ name: 'v', body: '1' }])] });
      const s = await open();
      const ref = `${reg.host}/gantry/moving:latest`;
      expect(await s.pullImage({ image: ref })).to.equal(first.configDigest);
      const second = await pushImage(target, 'gantry/moving', 'latest', { layers: [await makeTar([{ name: 'v', body: '2' }])] });
      expect(await s.pullImage({ image: ref })).to.equal(second.configDigest);
      expect((await s.imageStatus({ image: first.configDigest }))?.repoTags).to.deep.equal([]);
      expect((await s.imageStatus({ image: ref }))?.id).to.equal(second.configDigest);
    });

    it('de-duplicates concurrent pulls of one image', async () => {
      const proxy = await startCountingProxy(reg.url);
      try {
        const s = await open({ registries: { mirrors: { 'docker.io': { endpoint: [proxy.url] } }, disableDefaultEndpoint: true } });
        const ids = await Promise.all([1, 2, 3, 4].map(() => s.pullImage({ image: 'gantry/web:v2' })));
        expect(new Set(ids).size).to.equal(1);
        expect(proxy.count(/^GET \/v2\/gantry\/web\/manifests\/v2$/)).to.equal(1);
        // Each layer blob once: three layers plus the config.
        expect(proxy.count(/^GET \/v2\/gantry\/web\/blobs\//)).to.equal(4);
      } finally {
        await proxy.stop();
      }
    });

    it('tries mirrors in order', async () => {
      const s = await open({ registries: { mirrors: { 'docker.io': { endpoint: ['http://127.0.0.1:1', reg.url] } }, disableDefaultEndpoint: true } });
      expect(await s.pullImage({ image: 'busybox' })).to.match(/^sha256:/);
    });

    const failures: Array<{ name: string; ref: string; registries?: (r: LocalRegistry) => RegistriesConfig; error: ErrorClass; why: RegExp }> = [
      { name: 'an unknown tag', ref: 'gantry/web:nope', error: RegistryError, why: /manifest gantry\/web:nope not found at 127\.0\.0\.1:\d+/ },
      { name: 'an unknown repository', ref: 'nothing/here', error: RegistryError, why: /not found/ },
      { name: 'an unknown digest', ref: `gantry/web@sha256:${'0'.repeat(64)}`, error: RegistryError, why: /not found/ },
      { name: 'an index without linux/amd64', ref: 'gantry/armonly:latest', error: ManifestError, why: /no manifest for linux\/amd64 \(available: linux\/arm64\)/ },
      {
        name: 'every mirror down',
        ref: 'busybox',
        registries: () => ({ mirrors: { 'docker.io': { endpoint: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] } }, disableDefaultEndpoint: true }),
        error: RegistryError,
        why: /cannot pull docker\.io\/library\/busybox:latest from any endpoint \(127\.0\.0\.1:1: .*ECONNREFUSED.*; 127\.0\.0\.1:2: /,
      },
    ];
    for (const tc of failures) {
      it(`fails clearly for ${tc.name}`, async () => {
        if (tc.ref.startsWith('gantry/armonly')) {
          // An index whose only entry is arm64, pushed by hand.
          const { pushManifest } = await import('../testing/registryPush.js');
          const arm = await pushImage({ url: reg.url }, 'gantry/armonly', 'arm64', { layers: [await makeTar([{ name: 'a', body: 'a' }])], architecture: 'arm64' });
          const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: arm.manifestDigest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64' } }] }));
          await pushManifest({ url: reg.url }, 'gantry/armonly', 'latest', index, 'application/vnd.oci.image.index.v1+json');
        }
        const s = await open(tc.registries ? { registries: tc.registries(reg) } : {});
        let err: unknown;
        try {
          await s.pullImage({ image: tc.ref });
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(tc.error);
        expect((err as Error).message).to.match(tc.why);
        expect(storeEntries(root, 'layers/sha256')).to.deep.equal([]);
        expect(await s.listImages()).to.deep.equal([]);
      });
    }
  });

  describe('layers, removal and garbage collection', () => {
    it('shares layers between images with a common base', async () => {
      const s = await open();
      await s.pullImage({ image: 'gantry/web:v1' });
      await s.pullImage({ image: 'gantry/web:v2' });
      await s.pullImage({ image: 'busybox' });
      const [v1, v2, bb] = await Promise.all(['gantry/web:v1', 'gantry/web:v2', 'busybox'].map((r) => s.resolve(r)));
      expect(v1!.layerDirs.slice(0, 2)).to.deep.equal(v2!.layerDirs.slice(0, 2));
      expect(bb!.layerDirs).to.deep.equal(v1!.layerDirs.slice(0, 2));
      expect(v1!.layerDirs[2]).to.not.equal(v2!.layerDirs[2]);
      expect(fs.readFileSync(path.join(v1!.layerDirs[2]!, 'www/index.html'), 'utf8')).to.equal('gantry web v1\n');
      expect(fs.readFileSync(path.join(v2!.layerDirs[2]!, 'www/index.html'), 'utf8')).to.equal('gantry web v2\n');
      expect(storeEntries(root, 'layers/sha256')).to.have.length(4);
    });

    it('keeps images across a restart and cleans leftovers of an interrupted run', async () => {
      let s = await open();
      const id = await s.pullImage({ image: 'gantry/web:v1' });
      const before = await s.resolve('gantry/web:v1');
      s.close();
      // What a crash mid-pull leaves behind.
      fs.writeFileSync(path.join(root, 'ingest', 'partial'), 'half a blob');
      fs.mkdirSync(path.join(root, 'tmp', 'layer-x', 'fs'), { recursive: true });
      const orphan = path.join(root, 'layers', 'sha256', 'b'.repeat(64));
      fs.mkdirSync(path.join(orphan, 'fs'), { recursive: true });
      fs.writeFileSync(path.join(orphan, 'layer.json'), JSON.stringify({ diffId: `sha256:${'b'.repeat(64)}`, size: 1, entries: 1, createdAt: 0 }));
      fs.writeFileSync(path.join(root, 'images', '.x.json.123.tmp'), '{');
      s = await open();
      expect((await s.imageStatus({ image: 'gantry/web:v1' }))?.id).to.equal(id);
      expect(await s.resolve('gantry/web:v1')).to.deep.equal(before);
      expect(storeEntries(root, 'ingest')).to.deep.equal([]);
      expect(storeEntries(root, 'tmp')).to.deep.equal([]);
      expect(fs.existsSync(orphan)).to.equal(false);
      expect(storeEntries(root, 'images')).to.have.length(1);
    });

    it('removes an image and only the layers no other image uses', async () => {
      const s = await open();
      await s.pullImage({ image: 'gantry/web:v1' });
      await s.pullImage({ image: 'gantry/web:v2' });
      const v1 = await s.resolve('gantry/web:v1');
      const v2 = await s.resolve('gantry/web:v2');
      const usedBefore = (await s.imageFsInfo())[0]!.usedBytes;
      await s.removeImage({ image: 'gantry/web:v1' });
      expect(await s.imageStatus({ image: 'gantry/web:v1' })).to.equal(undefined);
      expect(fs.existsSync(v1.layerDirs[2]!)).to.equal(false);
      for (const d of v2.layerDirs) expect(fs.existsSync(d)).to.equal(true);
      expect((await s.imageFsInfo())[0]!.usedBytes).to.be.lessThan(usedBefore);
      await s.removeImage({ image: 'gantry/web:v1' }); // idempotent
      await s.removeImage({ image: v2.imageId });
      for (const d of v2.layerDirs) expect(fs.existsSync(d)).to.equal(false);
      expect(storeEntries(root, 'layers/sha256')).to.deep.equal([]);
      expect(storeEntries(root, 'blobs/sha256')).to.deep.equal([]);
      expect(storeEntries(root, 'images')).to.deep.equal([]);
      await expectRejects(s.resolve('gantry/web:v2'), NotFoundError);
    });

    it('collects unused images least recently used first, down to the low threshold', async () => {
      let now = 1_000;
      const disk = { capacity: 100 * 1024 * 1024 * 1024, available: 0 };
      const s = await open({ now: () => now, diskUsage: async () => disk });
      const bb = await s.pullImage({ image: 'busybox' });
      now += 1000;
      const v1 = await s.pullImage({ image: 'gantry/web:v1' });
      now += 1000;
      const v2 = await s.pullImage({ image: 'gantry/web:v2' });
      now += 1000;
      await s.resolve('busybox'); // busybox is now the most recently used
      // Below the high threshold: nothing to do.
      disk.available = disk.capacity * 0.5;
      expect(await s.collect(new Set(), { highPercent: 80, lowPercent: 60 })).to.deep.equal([]);
      // 1 byte above the low threshold: the least recently used unused image goes.
      disk.available = Math.floor(disk.capacity * 0.4) - 1;
      expect(await s.collect(new Set(), { highPercent: 60, lowPercent: 60 })).to.deep.equal([v1]);
      // Far above: everything unused goes; what is in use (by id or by name) and its layers stay.
      disk.available = 0;
      expect(await s.collect(new Set(['gantry/web:v2']), { highPercent: 90, lowPercent: 10 })).to.deep.equal([bb]);
      const kept = await s.resolve('gantry/web:v2');
      expect(kept.imageId).to.equal(v2);
      for (const d of kept.layerDirs) expect(fs.existsSync(d)).to.equal(true);
      expect(storeEntries(root, 'layers/sha256')).to.have.length(3);
      expect(await s.collect(new Set([v2]), { highPercent: 90, lowPercent: 10 })).to.deep.equal([]);
      await expectRejects(s.collect(new Set(), { highPercent: 10, lowPercent: 50 }), Error);
    });

    it('collects by the real filesystem usage (statfs)', async () => {
      const s = await open();
      const id = await s.pullImage({ image: 'busybox' });
      expect(await s.collect(new Set(), { highPercent: 100, lowPercent: 100 })).to.deep.equal([]);
      expect(await s.collect(new Set(), { highPercent: 0, lowPercent: 0 })).to.deep.equal([id]);
      expect(storeEntries(root, 'layers/sha256')).to.deep.equal([]);
    });
  });
});

async function expectRejects(p: Promise<unknown>, cls: ErrorClass): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).to.be.instanceOf(cls);
}
