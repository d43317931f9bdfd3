import { expect } from 'chai';
import { type PatchType, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchTypeFromContentType, unknownPatchMeta } from './index.js';

describe('patchTypeFromContentType', () => {
  const cases: Array<{ contentType: string; want: PatchType | undefined }> = [
    { contentType: 'application/merge-patch+json', want: 'merge' },
    { contentType: 'application/json-patch+json', want: 'json' },
    { contentType: 'application/strategic-merge-patch+json', want: 'strategic' },
    { contentType: 'application/apply-patch+yaml', want: 'apply' },
    { contentType: 'application/strategic-merge-patch+json; charset=utf-8', want: 'strategic' },
    { contentType: 'Application/Merge-Patch+JSON', want: 'merge' },
    { contentType: 'application/json', want: undefined },
    { contentType: 'application/yaml', want: undefined },
    { contentType: '', want: undefined },
    { contentType: 'constructor', want: undefined },
  ];
  for (const tc of cases) {
    it(JSON.stringify(tc.contentType), () => expect(patchTypeFromContentType(tc.contentType)).to.equal(tc.want));
  }
});

describe('patch index', () => {
  it('exports the three appliers', () => {
    const original = { metadata: { labels: { a: '1' } } };
    expect(applyMergePatch(original, { metadata: { labels: { a: null } } })).to.deep.equal({ metadata: { labels: {} } });
    expect(applyJsonPatch(original, [{ op: 'remove', path: '/metadata/labels/a' }])).to.deep.equal({ metadata: { labels: {} } });
    expect(applyStrategicMergePatch(original, { metadata: { labels: { a: null } } }, unknownPatchMeta)).to.deep.equal({ metadata: { labels: {} } });
  });
});
