import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { base64Bytes, configKeyProblems, validateConfigMap, validateConfigMapUpdate } from './configMapValidation.js';

const configMap = (fields: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, ...fields });
const b64 = (bytes: number): string => Buffer.alloc(bytes, 7).toString('base64');
const keyMessage = "Invalid value: \"bad/key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('configKeyProblems', () => {
  const cases: { key: string; problems: number; first?: RegExp }[] = [
    { key: 'app.properties', problems: 0 },
    { key: 'KEY_NAME', problems: 0 },
    { key: '.hidden', problems: 0 },
    { key: 'a..b', problems: 0 },
    { key: 'bad/key', problems: 1, first: /^a valid config key must consist of/ },
    { key: '', problems: 1, first: /^a valid config key/ },
    { key: 'with space', problems: 1 },
    { key: '.', problems: 1, first: /^must not be '\.'$/ },
    { key: '..', problems: 1, first: /^must not be '\.\.'$/ },
    { key: '..data', problems: 1, first: /^must not start with '\.\.'$/ },
    { key: 'k'.repeat(254), problems: 1, first: /^must be no more than 253 characters$/ },
  ];
  for (const tc of cases) {
    it(`${JSON.stringify(tc.key.length > 20 ? `${tc.key.slice(0, 5)}...` : tc.key)}: ${tc.problems} problem(s)`, () => {
      const got = configKeyProblems(tc.key);
      expect(got).to.have.length(tc.problems);
      if (tc.first) expect(got[0]).to.match(tc.first);
    });
  }
});

describe('base64Bytes', () => {
  for (const n of [0, 1, 2, 3, 4, 1000, 1024 * 1024]) it(`${n} bytes`, () => expect(base64Bytes(b64(n))).to.equal(n));
});

describe('validateConfigMap', () => {
  const mib = 1024 * 1024;
  const cases: { name: string; obj: KubeObject; causes: string[]; message?: string }[] = [
    { name: 'empty', obj: configMap({}), causes: [] },
    { name: 'data and binaryData with distinct keys', obj: configMap({ data: { 'a.txt': 'x' }, binaryData: { 'b.bin': b64(3) } }), causes: [] },
    { name: 'a key with a slash', obj: configMap({ data: { 'bad/key': '1' } }), causes: ['FieldValueInvalid data[bad/key]'], message: keyMessage },
    { name: 'a bad binaryData key', obj: configMap({ binaryData: { 'x y': b64(1) } }), causes: ['FieldValueInvalid binaryData[x y]'] },
    {
      name: 'a key in both data and binaryData',
      obj: configMap({ data: { same: 'x' }, binaryData: { same: b64(1) } }),
      causes: ['FieldValueInvalid data[same]'],
      message: 'Invalid value: "same": duplicate of key present in binaryData',
    },
    { name: 'exactly 1 MiB across both', obj: configMap({ data: { a: 'x'.repeat(mib / 2) }, binaryData: { b: b64(mib / 2) } }), causes: [] },
    { name: 'one byte over 1 MiB', obj: configMap({ data: { a: 'x'.repeat(mib / 2) }, binaryData: { b: b64(mib / 2 + 1) } }), causes: ['FieldValueTooLong undefined'], message: 'Too long: may not be more than 1048576 bytes' },
    { name: 'sizes count UTF-8 bytes', obj: configMap({ data: { a: 'é'.repeat(mib / 2 + 1) } }), causes: ['FieldValueTooLong undefined'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const causes = validateConfigMap(tc.obj);
      expect(causes.map((c) => `${c.reason} ${c.field}`)).to.deep.equal(tc.causes);
      if (tc.message) expect(causes[0]?.message).to.equal(tc.message);
    });
  }
});

describe('validateConfigMapUpdate', () => {
  const old = configMap({ immutable: true, data: { a: '1' } });
  const cases: { name: string; old: KubeObject; obj: KubeObject; causes: string[] }[] = [
    { name: 'a mutable one may change', old: configMap({ data: { a: '1' } }), obj: configMap({ data: { a: '2' } }), causes: [] },
    { name: 'an immutable one may change its labels', old, obj: { ...configMap({ immutable: true, data: { a: '1' } }), metadata: { name: 'cm', labels: { x: 'y' } } }, causes: [] },
    { name: 'an immutable one keeps its data', old, obj: configMap({ immutable: true, data: { a: '2' } }), causes: ['FieldValueForbidden data'] },
    { name: 'an immutable one gains no binaryData', old, obj: configMap({ immutable: true, data: { a: '1' }, binaryData: { b: b64(1) } }), causes: ['FieldValueForbidden binaryData'] },
    { name: 'immutable stays immutable', old, obj: configMap({ immutable: false, data: { a: '1' } }), causes: ['FieldValueForbidden immutable'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(validateConfigMapUpdate(tc.obj, tc.old).map((c) => `${c.reason} ${c.field}`)).to.deep.equal(tc.causes));
});
