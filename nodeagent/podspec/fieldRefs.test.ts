import { expect } from 'chai';
import { PodSpecError } from './errors.js';
import { formatMap, metadataFieldValue } from './fieldRefs.js';
import { testPod } from './testPods.js';

describe('podspec/fieldRefs', () => {
  const maps: { name: string; m: Record<string, string> | undefined; want: string }[] = [
    { name: 'empty', m: undefined, want: '' },
    { name: 'sorted by key, quoted', m: { b: '2', a: '1' }, want: 'a="1"\nb="2"' },
    { name: 'escapes quotes, backslashes and control characters', m: { k: 'say "hi"\\\n\t\x01' }, want: 'k="say \\"hi\\"\\\\\\n\\t\\x01"' },
    { name: 'keeps printable unicode', m: { k: 'héllo ✓' }, want: 'k="héllo ✓"' },
  ];
  for (const tc of maps) it(`formatMap: ${tc.name}`, () => expect(formatMap(tc.m)).to.equal(tc.want));

  const pod = testPod({ name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'web', 'x.io/y': 'z' }, annotations: { a: '1' } });
  const fields: { path: string; want: string }[] = [
    { path: 'metadata.name', want: 'p' },
    { path: 'metadata.namespace', want: 'ns' },
    { path: 'metadata.uid', want: 'u' },
    { path: 'metadata.labels', want: 'app="web"\nx.io/y="z"' },
    { path: 'metadata.annotations', want: 'a="1"' },
    { path: "metadata.labels['x.io/y']", want: 'z' },
    { path: "metadata.annotations['nope']", want: '' },
  ];
  for (const tc of fields) it(`metadata field ${tc.path}`, () => expect(metadataFieldValue(pod, { fieldPath: tc.path }, 'f')).to.equal(tc.want));

  it('refuses other API versions and node-only fields in metadata lookups', () => {
    expect(() => metadataFieldValue(pod, { fieldPath: 'metadata.name', apiVersion: 'v2' }, 'f')).to.throw(PodSpecError, /apiVersion/);
    expect(() => metadataFieldValue(pod, { fieldPath: 'status.podIP' }, 'f')).to.throw(PodSpecError, /unsupported fieldPath/);
    expect(() => metadataFieldValue(pod, { fieldPath: "['x']" }, 'f')).to.throw(PodSpecError, /unsupported fieldPath/);
  });
});
