import { expect } from 'chai';
import { BadRequestError } from '../../common/errors.js';
import { applyMergePatch, applyMergePatchInPlace } from './mergePatch.js';
import { deepFreeze, nested, sharesObjects } from './testSupport.js';

describe('applyMergePatch (RFC 7386)', () => {
  const cases: Array<{ name: string; original: unknown; patch: unknown; want: unknown }> = [
    { name: 'null deletes a key', original: { a: 1, b: 2 }, patch: { b: null }, want: { a: 1 } },
    { name: 'null for a missing key is a no-op', original: { a: 1 }, patch: { z: null }, want: { a: 1 } },
    {
      name: 'nested maps merge (kubectl label)',
      original: { metadata: { name: 'x', labels: { app: 'web' } } },
      patch: { metadata: { labels: { tier: 'front' } } },
      want: { metadata: { name: 'x', labels: { app: 'web', tier: 'front' } } },
    },
    {
      name: 'kubectl label k- sends null inside a nested map',
      original: { metadata: { labels: { app: 'web', tier: 'front' } } },
      patch: { metadata: { labels: { tier: null } } },
      want: { metadata: { labels: { app: 'web' } } },
    },
    { name: 'arrays are replaced, not merged', original: { list: [1, 2, 3] }, patch: { list: [4] }, want: { list: [4] } },
    { name: 'nulls inside arrays are kept', original: {}, patch: { list: [null, 1] }, want: { list: [null, 1] } },
    { name: 'nulls inside a new object are dropped', original: {}, patch: { a: { b: null, c: 1 } }, want: { a: { c: 1 } } },
    { name: 'an object replaces a scalar', original: { a: 'x' }, patch: { a: { b: 1 } }, want: { a: { b: 1 } } },
    { name: 'a scalar replaces an object', original: { a: { b: 1 } }, patch: { a: 2 }, want: { a: 2 } },
    { name: 'scale subresource', original: { spec: { replicas: 1 }, status: { replicas: 1 } }, patch: { spec: { replicas: 3 } }, want: { spec: { replicas: 3 }, status: { replicas: 1 } } },
    { name: 'an array patch replaces the document', original: { a: 1 }, patch: ['x'], want: ['x'] },
    { name: 'a scalar patch replaces the document', original: { a: 1 }, patch: 'x', want: 'x' },
    { name: 'a null patch yields null', original: { a: 1 }, patch: null, want: null },
    { name: 'a non-object original becomes an object', original: ['x'], patch: { a: 1 }, want: { a: 1 } },
    { name: 'empty patch changes nothing', original: { a: { b: [1] } }, patch: {}, want: { a: { b: [1] } } },
    // The examples of RFC 7386 appendix A.
    { name: 'rfc: change a value', original: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'rfc: add a member', original: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
    { name: 'rfc: nested delete', original: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
    { name: 'rfc: array of objects replaced', original: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
    { name: 'rfc: deep null in new member', original: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const original = deepFreeze(structuredClone(tc.original));
      const patch = deepFreeze(structuredClone(tc.patch));
      const got = applyMergePatch(original, patch);
      expect(got).to.deep.equal(tc.want);
      expect(original).to.deep.equal(tc.original);
      expect(sharesObjects(got, original), 'shares objects with the original').to.equal(false);
      expect(sharesObjects(got, patch), 'shares objects with the patch').to.equal(false);
    });
    it(`${tc.name} (in place, into the caller's own copy)`, () => {
      const patch = deepFreeze(structuredClone(tc.patch));
      const got = applyMergePatchInPlace(structuredClone(tc.original), patch);
      expect(got).to.deep.equal(tc.want);
      expect(sharesObjects(got, patch), 'shares objects with the patch').to.equal(false);
    });
  }

  it('treats __proto__ as an ordinary key', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const got = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(got)).to.equal(Object.prototype);
    expect(JSON.stringify(got)).to.equal('{"__proto__":{"polluted":true},"a":1}');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('refuses hostile nesting with a 400 instead of overflowing the stack', () => {
    expect(() => applyMergePatch({}, nested(5000))).to.throw(BadRequestError, /nested deeper than the maximum of 100/);
    expect(() => applyMergePatch({}, { a: nested(5000, 'array') })).to.throw(BadRequestError);
  });

  it('accepts nesting up to the bound', () => {
    expect(applyMergePatch({}, nested(90))).to.deep.equal(nested(90));
  });
});
