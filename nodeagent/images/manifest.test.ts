import { expect } from 'chai';
import { ManifestError } from './errors.js';
import { parseImageConfig } from './imageConfig.js';
import { parseManifestDocument, selectPlatform, type ImageIndex, type ImageManifest } from './manifest.js';
import { mediaTypes as mt } from './mediaTypes.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const desc = (mediaType: string, c: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ mediaType, digest: d(c), size: 10, ...extra });
const ociManifest = { schemaVersion: 2, mediaType: mt.ociManifest, config: desc(mt.ociConfig, 'c'), layers: [desc(mt.ociLayerGzip, 'a')] };
const buf = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
const amd64 = { os: 'linux', architecture: 'amd64' };

describe('manifest documents', () => {
  const accepted: Array<{ name: string; doc: unknown; contentType?: string; expected?: string; kind: 'index' | 'manifest'; mediaType: string }> = [
    { name: 'OCI manifest', doc: ociManifest, contentType: mt.ociManifest, kind: 'manifest', mediaType: mt.ociManifest },
    { name: 'OCI manifest without mediaType, by Content-Type', doc: { ...ociManifest, mediaType: undefined }, contentType: mt.ociManifest, kind: 'manifest', mediaType: mt.ociManifest },
    { name: 'OCI manifest without any media type, by shape', doc: { ...ociManifest, mediaType: undefined }, contentType: 'application/json', kind: 'manifest', mediaType: mt.ociManifest },
    {
      name: 'Docker schema 2 manifest',
      doc: { schemaVersion: 2, mediaType: mt.dockerManifest, config: desc(mt.dockerConfig, 'c'), layers: [desc(mt.dockerLayerGzip, 'a')] },
      contentType: `${mt.dockerManifest}; charset=utf-8`,
      kind: 'manifest',
      mediaType: mt.dockerManifest,
    },
    { name: 'OCI index', doc: { schemaVersion: 2, mediaType: mt.ociIndex, manifests: [desc(mt.ociManifest, 'b', { platform: amd64 })] }, kind: 'index', mediaType: mt.ociIndex },
    { name: 'Docker manifest list', doc: { schemaVersion: 2, mediaType: mt.dockerManifestList, manifests: [] }, contentType: mt.dockerManifestList, kind: 'index', mediaType: mt.dockerManifestList },
    { name: 'a manifest with no layers', doc: { ...ociManifest, layers: [] }, kind: 'manifest', mediaType: mt.ociManifest },
  ];
  for (const tc of accepted) {
    it(`reads ${tc.name}`, () => {
      const opts: Parameters<typeof parseManifestDocument>[1] = { what: 'm' };
      if (tc.contentType) opts.contentType = tc.contentType;
      const m = parseManifestDocument(buf(tc.doc), opts);
      expect(m.kind).to.equal(tc.kind);
      expect(m.mediaType).to.equal(tc.mediaType);
    });
  }

  const refused: Array<{ name: string; bytes: Buffer; contentType?: string; expected?: string; why: RegExp }> = [
    { name: 'not JSON', bytes: Buffer.from('{'), why: /not valid JSON/ },
    { name: 'an array', bytes: buf([]), why: /not a JSON object/ },
    { name: 'schema 1', bytes: buf({ schemaVersion: 1 }), why: /schema 1/ },
    { name: 'schemaVersion 3', bytes: buf({ ...ociManifest, schemaVersion: 3 }), why: /schemaVersion/ },
    { name: 'body and Content-Type disagree', bytes: buf(ociManifest), contentType: mt.dockerManifest, why: /ambiguous/ },
    { name: 'body and parent descriptor disagree', bytes: buf(ociManifest), expected: mt.ociIndex, why: /ambiguous/ },
    { name: 'both manifests and layers', bytes: buf({ ...ociManifest, mediaType: undefined, manifests: [] }), why: /ambiguous/ },
    { name: 'an index with layers', bytes: buf({ schemaVersion: 2, mediaType: mt.ociIndex, manifests: [], layers: [] }), why: /ambiguous/ },
    { name: 'unknown media type', bytes: buf({ ...ociManifest, mediaType: 'application/x-thing' }), why: /unsupported media type/ },
    { name: 'bad layer digest', bytes: buf({ ...ociManifest, layers: [{ mediaType: mt.ociLayer, digest: 'sha256:../../etc', size: 1 }] }), why: /not a valid sha256/ },
    { name: 'uppercase digest', bytes: buf({ ...ociManifest, layers: [{ mediaType: mt.ociLayer, digest: `sha256:${'A'.repeat(64)}`, size: 1 }] }), why: /not a valid/ },
    { name: 'negative size', bytes: buf({ ...ociManifest, layers: [{ mediaType: mt.ociLayer, digest: d('a'), size: -1 }] }), why: /size/ },
    { name: 'fractional size', bytes: buf({ ...ociManifest, layers: [{ mediaType: mt.ociLayer, digest: d('a'), size: 1.5 }] }), why: /size/ },
    { name: 'zstd layer', bytes: buf({ ...ociManifest, layers: [desc(mt.ociLayerZstd, 'a')] }), why: /zstd/ },
    { name: 'foreign layer', bytes: buf({ ...ociManifest, layers: [desc(mt.dockerForeignLayer, 'a')] }), why: /foreign/ },
    { name: 'an artifact, not an image', bytes: buf({ ...ociManifest, config: desc('application/vnd.example+json', 'c') }), why: /not a container image/ },
    { name: 'no layers array', bytes: buf({ ...ociManifest, layers: undefined }), why: /no layers/ },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.name}`, () => {
      const opts: Parameters<typeof parseManifestDocument>[1] = { what: 'm' };
      if (tc.contentType) opts.contentType = tc.contentType;
      if (tc.expected) opts.expectedMediaType = tc.expected;
      expect(() => parseManifestDocument(tc.bytes, opts)).to.throw(ManifestError, tc.why);
    });
  }
});

describe('platform selection', () => {
  const index = (ps: Array<Record<string, string> | undefined>): ImageIndex => ({
    kind: 'index',
    mediaType: mt.ociIndex,
    manifests: ps.map((p, i) => ({ mediaType: mt.ociManifest, digest: d(String(i)), size: 1, ...(p ? { platform: p as { os: string; architecture: string } } : {}) })),
  });
  const cases: Array<{ name: string; platforms: Array<Record<string, string> | undefined>; want: number | RegExp }> = [
    { name: 'picks linux/amd64 among others', platforms: [{ os: 'linux', architecture: 'arm64' }, amd64], want: 1 },
    { name: 'prefers no variant', platforms: [{ ...amd64, variant: 'v3' }, amd64], want: 1 },
    { name: 'takes a variant when nothing else matches', platforms: [{ ...amd64, variant: 'v2' }], want: 0 },
    { name: 'skips entries without platform', platforms: [undefined, amd64], want: 1 },
    { name: 'fails with what is available', platforms: [{ os: 'linux', architecture: 'arm64' }, { os: 'windows', architecture: 'amd64' }], want: /no manifest for linux\/amd64 \(available: linux\/arm64, windows\/amd64\)/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const idx = index(tc.platforms);
      if (typeof tc.want === 'number') expect(selectPlatform(idx, amd64, 'i').digest).to.equal(d(String(tc.want)));
      else expect(() => selectPlatform(idx, amd64, 'i')).to.throw(ManifestError, tc.want);
    });
  }
});

describe('image config', () => {
  const manifest = parseManifestDocument(buf(ociManifest), { what: 'm' }) as ImageManifest;
  const cfg = (o: Record<string, unknown>): Buffer => buf({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [d('e')] }, ...o });

  it('summarises the run defaults', () => {
    const c = parseImageConfig(cfg({ config: { Entrypoint: ['/x'], Cmd: null, Env: ['A=1'], WorkingDir: '/w', User: '1000', ExposedPorts: { '80/tcp': {}, '53/udp': {} } } }), manifest, amd64, 'c');
    expect(c.diffIds).to.deep.equal([d('e')]);
    expect(c.summary).to.deep.equal({ entrypoint: ['/x'], cmd: [], env: ['A=1'], workingDir: '/w', user: '1000', exposedPorts: ['53/udp', '80/tcp'] });
  });

  const refused: Array<{ name: string; bytes: Buffer; why: RegExp }> = [
    { name: 'diff_ids count differs from layers', bytes: cfg({ rootfs: { type: 'layers', diff_ids: [] } }), why: /0 diff_ids for 1/ },
    { name: 'a bad diff_id', bytes: cfg({ rootfs: { type: 'layers', diff_ids: ['sha256:/etc/passwd'] } }), why: /diff_ids\[0\]/ },
    { name: 'no rootfs', bytes: cfg({ rootfs: undefined }), why: /rootfs/ },
    { name: 'another architecture', bytes: cfg({ architecture: 'arm64' }), why: /architecture "arm64"/ },
    { name: 'another os', bytes: cfg({ os: 'windows' }), why: /os "windows"/ },
    { name: 'Cmd not a list', bytes: cfg({ config: { Cmd: 'sh' } }), why: /Cmd/ },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.name}`, () => {
      expect(() => parseImageConfig(tc.bytes, manifest, amd64, 'c')).to.throw(ManifestError, tc.why);
    });
  }
});
