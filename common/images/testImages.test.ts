// The images `gantry up` puts in the cluster registry: every reference is pushed and
// answered, gantry/redis carries the configuration the examples rely on, and a registry
// missing any one image (here: redis, as in a registry filled before it existed) is
// reported incomplete so `up` builds again instead of leaving `image: gantry/redis:7` dangling.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildTestImages, registryHasTestImages, testImageRefs, type TestImages } from './testImages.js';
import { startRegistry, type LocalRegistry } from './registryProcess.js';

async function getJson<T>(url: string, accept: string): Promise<T> {
  const res = await fetch(url, { headers: { accept } });
  expect(res.status, url).to.equal(200);
  return (await res.json()) as T;
}

interface OciManifest {
  config: { digest: string };
  layers: { digest: string; size: number }[];
}
interface OciConfig {
  config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; ExposedPorts?: Record<string, unknown> };
}

describe('testImages: the cluster images in a registry', function () {
  this.timeout(120_000);
  let dir: string;
  let reg: LocalRegistry;
  let images: TestImages;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-testimages-'));
    reg = await startRegistry({ dir: path.join(dir, 'registry') });
    expect(await registryHasTestImages(reg)).to.equal(false);
    images = await buildTestImages(reg);
  });
  after(async () => {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pushes every reference, gantry/redis:7 among them, each with its digest', async () => {
    const refs = testImageRefs(reg.host);
    expect(refs.redis).to.equal(`${reg.host}/gantry/redis:7`);
    for (const ref of Object.values(refs)) expect(images.digests[ref], ref).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(await registryHasTestImages(reg)).to.equal(true);
  });

  it('gantry/redis: busybox layers below, entrypoint redis-server with the image config, uid 999, /data', async () => {
    const accept = 'application/vnd.oci.image.manifest.v1+json';
    const redis = await getJson<OciManifest>(`${reg.url}/v2/gantry/redis/manifests/7`, accept);
    const busybox = await getJson<OciManifest>(`${reg.url}/v2/gantry/busybox/manifests/latest`, accept);
    // Shares the busybox layers (pulled once per node), adds one layer of its own.
    expect(redis.layers.slice(0, busybox.layers.length).map((l) => l.digest)).to.deep.equal(busybox.layers.map((l) => l.digest));
    expect(redis.layers).to.have.length(busybox.layers.length + 1);
    const { config } = await getJson<OciConfig>(`${reg.url}/v2/gantry/redis/blobs/${redis.config.digest}`, 'application/vnd.oci.image.config.v1+json');
    expect(config.Entrypoint).to.deep.equal(['redis-server', '/etc/redis/redis.conf']);
    // busybox's CMD ["/bin/sh"] must not leak in as arguments to redis-server.
    expect(config.Cmd ?? []).to.deep.equal([]);
    expect(config.User).to.equal('999:999');
    expect(config.WorkingDir).to.equal('/data');
    expect(config.ExposedPorts).to.have.property('6379/tcp');
  });

  it('a registry without gantry/redis is incomplete, and complete again once it is pushed', async () => {
    const repo = path.join(reg.storageDir, 'docker/registry/v2/repositories/gantry/redis');
    expect(fs.existsSync(repo), repo).to.equal(true);
    fs.rmSync(repo, { recursive: true });
    expect(await registryHasTestImages(reg)).to.equal(false);
    await buildTestImages(reg);
    expect(await registryHasTestImages(reg)).to.equal(true);
  });
});
