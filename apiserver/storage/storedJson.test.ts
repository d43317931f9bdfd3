import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { storedJson } from './storedJson.js';

// The one serialization of a write must be byte-identical to the slow path it replaces:
// etcd's value = JSON.stringify of the object without metadata.resourceVersion, and the
// answer = JSON.stringify of {apiVersion, kind, ...object} with the new resourceVersion
// last in metadata (what the store's typed() copy serializes to).

function slowStored(o: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = o.metadata;
  return JSON.stringify({ ...o, metadata: meta });
}

function slowAnswer(o: KubeObject, revision: number): string {
  const out: KubeObject = { apiVersion: o.apiVersion, kind: o.kind, ...o };
  out.metadata = { ...o.metadata, resourceVersion: String(revision) };
  return JSON.stringify(out);
}

const pod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'd', uid: 'u-1', labels: { app: 'wéb "quoted"\n' }, managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': {} } }] },
  spec: { containers: [{ name: 'c', image: 'i:1' }] },
  status: { phase: 'Pending' },
});

const cases: { name: string; obj: () => KubeObject; spliced: boolean }[] = [
  { name: 'a typical pod (multi-byte and escaped characters in metadata)', obj: pod, spliced: true },
  { name: 'empty metadata', obj: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { a: '1' } }), spliced: true },
  { name: 'metadata last', obj: () => ({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' }, metadata: { name: 'c' } }), spliced: true },
  { name: 'undefined members are left out, as JSON.stringify does', obj: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: undefined }, data: undefined } as unknown as KubeObject), spliced: true },
  { name: 'kind before apiVersion: the answer reorders them, so no splice', obj: () => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } }), spliced: false },
  { name: 'a resourceVersion of its own in metadata keeps its place in the answer: no splice', obj: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '', name: 'c' } }), spliced: false },
  { name: 'no apiVersion or kind: no splice', obj: () => ({ metadata: { name: 'c' }, data: {} } as KubeObject), spliced: false },
];

describe('storedJson: one serialization per write', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const obj = tc.obj();
      const before = JSON.stringify(obj);
      const s = storedJson(obj);
      expect(s.bytes.toString()).to.equal(slowStored(obj));
      const answer = s.answer(12345);
      if (tc.spliced) {
        expect(answer?.toString()).to.equal(slowAnswer(obj, 12345));
        expect(JSON.parse(answer!.toString()).metadata.resourceVersion).to.equal('12345');
      } else {
        expect(answer).to.equal(undefined);
      }
      // The watch cache's entry: the stored value parsed and stamped, as JSON.stringify writes it.
      const parsed = JSON.parse(s.bytes.toString()) as KubeObject;
      const entry = s.entry(12345);
      expect(entry?.json.toString()).to.equal(JSON.stringify({ ...parsed, metadata: { ...parsed.metadata, resourceVersion: '12345' } }));
      if (tc.spliced) expect(answer, 'the answer and the entry share one splice').to.equal(entry?.json);
      expect(JSON.stringify(obj), 'the object is not changed').to.equal(before);
    });
  }
});
