import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { storedJson } from '../storage/storedJson.js';
import { CachedObject, factsOf, PreparedEntry } from './cachedObject.js';
import { encodeObject } from './encoded.js';

const managedFields = [{ manager: 'kubectl', operation: 'Update' as const, apiVersion: 'v1', time: '2024-05-01T12:00:00Z', fieldsType: 'FieldsV1' as const, fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } }];

const pod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u1', labels: { app: 'web', tier: 'front' }, managedFields },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'web:1' }], restartPolicy: 'Always', hostNetwork: true },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }] },
});

interface Case {
  name: string;
  object: KubeObject;
}

const cases: Case[] = [
  { name: 'a pod with labels and managedFields', object: pod() },
  { name: 'metadata after other members', object: { spec: { x: 1 }, kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '3' }, data: { k: 'v' } } as KubeObject },
  { name: 'non-ASCII text before and inside metadata', object: { apiVersion: 'v1', kind: 'ConfigMap', data: { 'ü': 'naïve ☃ \u{1F600}' }, metadata: { name: 'b', annotations: { note: 'ça va — 日本' } } } as KubeObject },
  { name: 'members that JSON leaves out', object: { apiVersion: 'v1', kind: 'Secret', gone: undefined, metadata: { name: 'c', namespace: undefined }, fn: (() => 1) as unknown, type: 'Opaque' } as unknown as KubeObject },
  { name: 'escapes in keys and values', object: { apiVersion: 'v1', kind: 'ConfigMap', 'we"ird\nkey': 'tab\there "quoted" \\ </script>', metadata: { name: 'd', labels: { 'a/b': 'c' } } } as KubeObject },
  { name: 'integer-like keys (JSON puts them first)', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e' }, 2: 'two', 1: 'one' } as unknown as KubeObject },
  { name: 'no kind or apiVersion', object: { metadata: { name: 'f' }, spec: {} } as KubeObject },
  { name: 'spec before metadata, multi-byte text in both', object: { spec: { nodeName: 'ñ', x: ['日本'] }, apiVersion: 'v1', kind: 'Pod', metadata: { name: 'g', labels: { a: 'b' }, managedFields }, status: { phase: 'é' } } as KubeObject },
  { name: 'empty metadata', object: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { a: 1 } } as KubeObject },
  { name: 'managedFields first in metadata', object: { apiVersion: 'v1', kind: 'Pod', metadata: { managedFields, name: 'h' }, spec: {} } as unknown as KubeObject },
];

/** An entry as the watch cache made it before: the stored value parsed, stamped and serialized. */
const slowEntry = (stored: Buffer, revision: number): CachedObject => CachedObject.stamped('/registry/x/y', revision, JSON.parse(stored.toString()) as KubeObject);

describe('compact watch-cache entries', () => {
  for (const tc of cases) {
    it(`round-trips byte-exact: ${tc.name}`, () => {
      const stamped = { ...tc.object, metadata: { ...tc.object.metadata, resourceVersion: '42' } };
      const entry = CachedObject.stamped('/registry/x/y', 42, tc.object);
      expect(entry.json.toString()).to.equal(JSON.stringify(stamped));
      expect(entry.json.equals(Buffer.from(JSON.stringify(stamped)))).to.equal(true);
      expect(entry.metadataJson().toString()).to.equal(JSON.stringify(stamped.metadata));
      expect(entry.object).to.deep.equal(JSON.parse(JSON.stringify(stamped)));
      expect(entry.revision).to.equal(42);
      // Each read parses anew: a reader may change its copy without touching the entry.
      const copy = entry.object;
      copy.metadata.name = 'changed';
      expect(entry.object.metadata.name).to.equal(tc.object.metadata.name);
    });
  }

  for (const tc of cases) {
    it(`an entry from a write's own bytes equals the one parsed and serialized again: ${tc.name}`, () => {
      const stored = storedJson(tc.object);
      const bytes = stored.entry(42);
      expect(bytes, 'spliceable').to.not.equal(undefined);
      const fast = new CachedObject('/registry/x/y', 42, new PreparedEntry(bytes!, factsOf(JSON.parse(JSON.stringify(tc.object)) as KubeObject)));
      const slow = slowEntry(stored.bytes, 42);
      expect(fast.json.toString()).to.equal(slow.json.toString());
      expect(fast.json.byteOffset, 'a buffer of its own').to.equal(0);
      expect(fast.json.buffer.byteLength).to.equal(fast.json.length);
      expect(fast.metadataJson().toString()).to.equal(slow.metadataJson().toString());
      expect(fast.forReading()).to.deep.equal(slow.forReading());
      expect(fast.specJson()?.toString()).to.equal(slow.specJson()?.toString());
      expect(fast.specJson()?.toString()).to.equal(JSON.stringify(tc.object.spec));
      expect([fast.kind, fast.apiVersion, fast.labels, fast.fields]).to.deep.equal([slow.kind, slow.apiVersion, slow.labels, slow.fields]);
      expect(stored.entry(42), 'made once per revision').to.equal(bytes);
    });
  }

  /** Everything a reader of an entry can see. */
  const view = (e: CachedObject): unknown[] => [e.key, e.revision, e.json.toString(), e.metadataJson().toString(), e.forReading(), e.specJson()?.toString(), e.kind, e.apiVersion, e.labels, e.fields];
  for (const tc of cases) {
    it(`a new resourceVersion (a delete's) is a splice equal to stamping the object again: ${tc.name}`, () => {
      const stored = storedJson(tc.object);
      const made = [slowEntry(stored.bytes, 42), new CachedObject('/registry/x/y', 42, new PreparedEntry(stored.entry(42)!, factsOf(JSON.parse(JSON.stringify(tc.object)) as KubeObject)))];
      for (const entry of made) {
        let e = entry;
        // Longer, shorter, then the same length: spans after the value move with it.
        for (const rev of [1_000_000, 7, 9]) {
          const next = e.restamped(rev);
          expect(view(next)).to.deep.equal(view(CachedObject.stamped(e.key, rev, e.object)));
          expect(next.json.byteOffset, 'a buffer of its own').to.equal(0);
          e = next;
        }
      }
    });
  }

  it('an entry whose object had no resourceVersion is stamped the slow way', () => {
    const entry = new CachedObject('/registry/x/y', 3, pod());
    expect(view(entry.restamped(4))).to.deep.equal(view(CachedObject.stamped('/registry/x/y', 4, pod())));
  });

  const cuts: { name: string; metadata: Record<string, unknown> }[] = [
    { name: 'in the middle', metadata: { name: 'a', managedFields, uid: 'u' } },
    { name: 'last', metadata: { name: 'a', managedFields } },
    { name: 'first', metadata: { managedFields, name: 'a', labels: { x: 'ü' } } },
    { name: 'alone', metadata: { managedFields } },
    { name: 'first, then a member JSON leaves out, then one it keeps', metadata: { managedFields, gone: undefined, name: 'a' } },
    { name: 'absent', metadata: { name: 'ü', annotations: { a: '日本' } } },
    { name: 'undefined', metadata: { name: 'a', managedFields: undefined } },
  ];
  for (const tc of cuts) {
    it(`reads without managedFields (${tc.name}) and keeps them in the bytes`, () => {
      const obj = { apiVersion: 'v1', kind: 'Pod', metadata: tc.metadata, spec: { x: 'ü' } } as unknown as KubeObject;
      const entry = new CachedObject('/registry/pods/a', 1, obj);
      const { managedFields: _mf, ...rest } = JSON.parse(JSON.stringify(obj.metadata)) as Record<string, unknown>;
      expect(entry.forReading()).to.deep.equal({ apiVersion: 'v1', kind: 'Pod', metadata: rest, spec: { x: 'ü' } });
      expect(entry.json.toString()).to.equal(JSON.stringify(obj));
    });
  }

  it('owns its bytes (not a slice of the shared pool) and keeps no parsed tree', () => {
    const entry = CachedObject.stamped('/registry/pods/default/web-1', 7, pod());
    expect(entry.json.byteOffset).to.equal(0);
    expect(entry.json.buffer.byteLength).to.equal(entry.json.length);
    const members = Object.values(entry).filter((v) => v && typeof v === 'object' && !Buffer.isBuffer(v));
    // Only the selector values: labels and fields, no spec or status.
    expect(members).to.deep.equal([{ app: 'web', tier: 'front' }, entry.fields]);
  });

  it('keeps what selectors need: kind, apiVersion, labels and the kind\'s fields', () => {
    const entry = CachedObject.stamped('/registry/pods/default/web-1', 7, pod());
    expect(entry.kind).to.equal('Pod');
    expect(entry.apiVersion).to.equal('v1');
    expect(entry.labels).to.deep.equal({ app: 'web', tier: 'front' });
    expect(entry.fields).to.deep.include({
      'metadata.name': 'web-1',
      'metadata.namespace': 'default',
      'spec.nodeName': 'n1',
      'spec.hostNetwork': 'true',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.7',
    });
  });

  it('encodeObject marks no metadata span for an object without metadata', () => {
    const enc = encodeObject({ kind: 'X' } as unknown as KubeObject);
    expect(enc.json.toString()).to.equal('{"kind":"X"}');
    expect([enc.metaStart, enc.metaEnd]).to.deep.equal([0, 0]);
  });
});
