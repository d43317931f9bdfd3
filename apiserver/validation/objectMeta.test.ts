import { expect } from 'chai';
import type { ObjectMeta } from '../../common/api/meta.js';
import { maxAnnotationBytes, objectMetaCauses } from './objectMeta.js';

describe('objectMetaCauses (ValidateObjectMeta: labels and annotations)', () => {
  const cases: { name: string; meta: ObjectMeta; fields: string[]; says?: RegExp }[] = [
    { name: 'ordinary labels and annotations', meta: { labels: { app: 'web', 'app.kubernetes.io/name': 'web', empty: '' }, annotations: { 'example.com/Note': 'x y z', description: 'free text' } }, fields: [] },
    { name: 'a label key with a space', meta: { labels: { 'bad key': '1' } }, fields: ['metadata.labels'], says: /^Invalid value: "bad key": the name part must consist of alphanumeric/ },
    { name: 'a label key with two slashes', meta: { labels: { 'a/b/c': '1' } }, fields: ['metadata.labels'], says: /at most one "\/"/ },
    { name: 'a label key with an upper-case prefix', meta: { labels: { 'Example.com/x': '1' } }, fields: ['metadata.labels'], says: /prefix must be a lowercase DNS subdomain/ },
    { name: 'a label key whose name part is 64 characters', meta: { labels: { ['k'.repeat(64)]: '1' } }, fields: ['metadata.labels'], says: /no more than 63 characters/ },
    { name: 'a label value with a space', meta: { labels: { app: 'my web' } }, fields: ['metadata.labels'], says: /^Invalid value: "my web": a label value must be empty or consist of/ },
    { name: 'a label value of 64 characters', meta: { labels: { app: 'v'.repeat(64) } }, fields: ['metadata.labels'], says: /must be no more than 63 characters/ },
    { name: 'an annotation key with a space', meta: { annotations: { 'bad key': 'x' } }, fields: ['metadata.annotations'], says: /^Invalid value: "bad key"/ },
    { name: 'annotations over 256 KiB together', meta: { annotations: { a: 'x'.repeat(maxAnnotationBytes / 2), b: 'y'.repeat(maxAnnotationBytes / 2) } }, fields: ['metadata.annotations'], says: /^Too long: must have at most 262144 bytes$/ },
    { name: 'annotations at exactly 256 KiB', meta: { annotations: { a: 'x'.repeat(maxAnnotationBytes - 1) } }, fields: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const causes = objectMetaCauses(tc.meta);
      expect(causes.map((c) => c.field)).to.deep.equal(tc.fields);
      if (tc.says) expect(causes[0]!.message).to.match(tc.says);
    });
  }
});
