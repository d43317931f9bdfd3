// Hostile registries and images, end to end: crafted layers pushed through the
// registry API and blobs altered in the registry's own storage. Every pull fails with
// a clear error, a canary directory outside the store is untouched, and the store keeps
// nothing of the failed pull (no layer, no blob, no partial download, no record).

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mirrorTo, openService, snapshotTree, storeEntries } from '../testing/imageFixtures.js';
import { pushImage, type HandMadeImage, type PushedImage } from '../testing/registryPush.js';
import { startRegistry, type LocalRegistry } from '../../common/images/registryProcess.js';
import { makeTar, type TarEntrySpec } from '../testing/tarLayer.js';
import { ContentVerificationError, UnsafeLayerError } from './errors.js';
import type { RegistryImageService } from './imageService.js';

type ErrorClass = abstract new (...args: never[]) => Error;

describe('malicious images and tampered registries', function () {
  this.timeout(60_000);
  let work: string;
  let canary: string;
  let reg: LocalRegistry;
  let root: string;
  let svc: RegistryImageService;
  let canaryBefore: Record<string, string>;
  let n = 0;

  // A good layer below the bad one: it unpacks fine, and must not outlive the failed pull.
  const base = async (tag: string): Promise<Buffer> => makeTar([{ name: 'etc/base', body: `base of ${tag}` }]);

  const up = '../'.repeat(20);
  const layerCases: Array<{ name: string; entries: (canary: string) => TarEntrySpec[]; why: RegExp }> = [
    { name: 'path traversal', entries: (c) => [{ name: `${up}${c}/victim`, body: 'pwned' }], why: /"\.\." component/ },
    { name: 'an absolute path', entries: (c) => [{ name: `${c}/victim`, body: 'pwned' }], why: /absolute path/ },
    { name: 'a symlink escape, then a write through it', entries: (c) => [{ name: 'evil', type: 'symlink', linkname: c }, { name: 'evil/victim', body: 'pwned' }], why: /beneath the symlink evil/ },
    { name: 'a relative symlink escape, then a write through it', entries: (c) => [{ name: 'evil', type: 'symlink', linkname: `${up}${c}` }, { name: 'evil/new', body: 'pwned' }], why: /beneath the symlink evil/ },
    { name: 'a hardlink escape', entries: (c) => [{ name: 'h', type: 'link', linkname: `${c}/victim` }], why: /absolute path/ },
    { name: 'a hardlink escape by traversal', entries: (c) => [{ name: 'h', type: 'link', linkname: `${up}${c}/victim` }], why: /"\.\." component/ },
    { name: 'a hardlink through a symlink', entries: (c) => [{ name: 's', type: 'symlink', linkname: c }, { name: 'h', type: 'link', linkname: 's/victim' }], why: /beneath the symlink s/ },
    { name: 'a whiteout of ".."', entries: () => [{ name: 'etc/.wh...', body: '' }], why: /whiteout of "\.\."/ },
    { name: 'a whiteout through a symlink', entries: (c) => [{ name: 's', type: 'symlink', linkname: c }, { name: 's/.wh.victim', body: '' }], why: /beneath the symlink s/ },
  ];

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-malicious-'));
    canary = path.join(work, 'canary');
    fs.mkdirSync(canary);
    fs.writeFileSync(path.join(canary, 'victim'), 'original');
    reg = await startRegistry({ dir: path.join(work, 'registry') });
  });

  after(async () => {
    await reg?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    root = path.join(work, `store-${n++}`);
    svc = await openService(root, { registries: mirrorTo(reg) });
    canaryBefore = snapshotTree(canary);
  });

  afterEach(() => {
    svc.close();
  });

  const push = async (repo: string, img: HandMadeImage): Promise<PushedImage> => pushImage({ url: reg.url }, repo, 'latest', img);

  const expectFailedPullLeftNothing = async (ref: string, cls: ErrorClass, why: RegExp): Promise<void> => {
    let err: unknown;
    try {
      await svc.pullImage({ image: ref });
    } catch (e) {
      err = e;
    }
    expect(err, 'the pull should fail').to.be.instanceOf(cls);
    expect((err as Error).message).to.match(why);
    expect(snapshotTree(canary), 'the canary outside the store changed').to.deep.equal(canaryBefore);
    for (const sub of ['layers/sha256', 'tmp', 'ingest', 'blobs/sha256', 'images']) expect(storeEntries(root, sub), sub).to.deep.equal([]);
    expect(await svc.listImages()).to.deep.equal([]);
  };

  for (const tc of layerCases) {
    it(`refuses a layer with ${tc.name}`, async () => {
      const repo = `evil/${tc.name.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`;
      await push(repo, { layers: [await base(repo), await makeTar(tc.entries(canary))] });
      await expectFailedPullLeftNothing(`${reg.host}/${repo}:latest`, UnsafeLayerError, tc.why);
    });
  }

  const tamperCases: Array<{ name: string; tamper: (img: PushedImage) => void; ref: (img: PushedImage, repo: string) => string; cls: ErrorClass; why: RegExp }> = [
    {
      name: 'a layer blob with different bytes of the same size',
      tamper: (img) => flipByte(reg.blobFile(img.layerDigests[1]!)),
      ref: (_, repo) => `${reg.host}/${repo}:latest`,
      cls: ContentVerificationError,
      why: /content sha256:[a-f0-9]{64} failed verification: the bytes received hash to sha256:/,
    },
    {
      name: 'a layer blob with bytes added',
      tamper: (img) => fs.appendFileSync(reg.blobFile(img.layerDigests[1]!), 'more'),
      ref: (_, repo) => `${reg.host}/${repo}:latest`,
      cls: ContentVerificationError,
      why: /the registry sent \d+ bytes, the descriptor says \d+/,
    },
    {
      name: 'a config blob with different bytes',
      tamper: (img) => flipByte(reg.blobFile(img.configDigest)),
      ref: (_, repo) => `${reg.host}/${repo}:latest`,
      cls: ContentVerificationError,
      why: /hash to/,
    },
    {
      name: 'a manifest with different bytes, pulled by digest',
      tamper: (img) => flipByte(reg.blobFile(img.manifestDigest), img.manifest.indexOf('"size"') + 8),
      ref: (img, repo) => `${reg.host}/${repo}@${img.manifestDigest}`,
      cls: ContentVerificationError,
      why: /served a manifest that hashes to/,
    },
    {
      name: 'a manifest with different bytes, pulled by tag',
      tamper: (img) => flipByte(reg.blobFile(img.manifestDigest), img.manifest.indexOf('"size"') + 8),
      ref: (_, repo) => `${reg.host}/${repo}:latest`,
      cls: ContentVerificationError,
      why: /claims digest sha256:/,
    },
  ];
  for (const tc of tamperCases) {
    it(`detects ${tc.name}`, async () => {
      const repo = `tampered/${tc.name.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`;
      const img = await push(repo, { layers: [await base(repo), await makeTar([{ name: 'data', body: `payload of ${repo}` }])] });
      tc.tamper(img);
      await expectFailedPullLeftNothing(tc.ref(img, repo), tc.cls, tc.why);
    });
  }

  it('detects a config whose diff_ids do not match the layers', async () => {
    const layer = await makeTar([{ name: 'x', body: 'diffid test' }]);
    await push('tampered/diffids', { layers: [layer], diffIds: [`sha256:${'1'.repeat(64)}`] });
    await expectFailedPullLeftNothing(`${reg.host}/tampered/diffids:latest`, ContentVerificationError, /uncompresses to sha256:[a-f0-9]{64}, not the diffID its config names/);
  });

  it('keeps the layers of another image that a failed pull shares', async () => {
    const good = await makeTar([{ name: 'shared', body: 'shared base' }]);
    const goodImg = await push('mixed/good', { layers: [good] });
    const id = await svc.pullImage({ image: `${reg.host}/mixed/good:latest` });
    expect(id).to.equal(goodImg.configDigest);
    await push('mixed/bad', { layers: [good, await makeTar([{ name: `${canary}/victim`, body: 'x' }])] });
    let err: unknown;
    try {
      await svc.pullImage({ image: `${reg.host}/mixed/bad:latest` });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(UnsafeLayerError);
    const r = await svc.resolve(`${reg.host}/mixed/good:latest`);
    expect(fs.readFileSync(path.join(r.layerDirs[0]!, 'shared'), 'utf8')).to.equal('shared base');
    expect(storeEntries(root, 'layers/sha256')).to.have.length(1);
    expect(storeEntries(root, 'tmp')).to.deep.equal([]);
  });
});

function flipByte(file: string, at?: number): void {
  const b = fs.readFileSync(file);
  const i = at ?? Math.floor(b.length / 2);
  b[i] = b[i]! ^ 0x01;
  fs.writeFileSync(file, b);
}
