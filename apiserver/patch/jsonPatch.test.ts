import { expect } from 'chai';
import { ApiError, BadRequestError, TooLargeError } from '../../common/errors.js';
import { MAX_JSON_PATCH_OPERATIONS, applyJsonPatch } from './jsonPatch.js';
import { deepFreeze, nested, sharesObjects } from './testSupport.js';

const deployment = () => ({
  metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
  spec: {
    replicas: 1,
    template: { spec: { containers: [{ name: 'c', image: 'web:1', args: ['a', 'b'] }] } },
  },
});

describe('applyJsonPatch (RFC 6902)', () => {
  const cases: Array<{ name: string; patch: unknown[]; want: (d: ReturnType<typeof deployment>) => unknown }> = [
    {
      name: 'replace a scalar',
      patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      want: (d) => ({ ...d, spec: { ...d.spec, replicas: 3 } }),
    },
    {
      name: 'add a map key, escaping "/" as ~1',
      patch: [{ op: 'add', path: '/metadata/annotations/kubernetes.io~1change-cause', value: 'x' }],
      want: (d) => ({ ...d, metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, 'kubernetes.io/change-cause': 'x' } } }),
    },
    {
      name: 'append to a list with -',
      patch: [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: 'c' }],
      want: (d) => {
        d.spec.template.spec.containers[0].args.push('c');
        return d;
      },
    },
    {
      name: 'insert into a list by index',
      patch: [{ op: 'add', path: '/spec/template/spec/containers/0/args/0', value: 'z' }],
      want: (d) => {
        d.spec.template.spec.containers[0].args.unshift('z');
        return d;
      },
    },
    {
      name: 'remove a key',
      patch: [{ op: 'remove', path: '/metadata/annotations' }],
      want: (d) => ({ ...d, metadata: { name: 'web' } }),
    },
    {
      name: 'rollout undo: replace the template and annotations after a passing test',
      patch: [
        { op: 'test', path: '/metadata/name', value: 'web' },
        { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'c', image: 'web:0' }] } } },
        { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3' } },
      ],
      want: () => ({
        metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '3' } },
        spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'web:0' }] } } },
      }),
    },
    {
      name: 'move a value',
      patch: [{ op: 'move', from: '/spec/replicas', path: '/metadata/replicas' }],
      want: (d) => ({ metadata: { ...d.metadata, replicas: 1 }, spec: { template: d.spec.template } }),
    },
    {
      name: 'copy a value, then change the copy only',
      patch: [
        { op: 'copy', from: '/spec/template/spec/containers/0', path: '/spec/template/spec/containers/-' },
        { op: 'replace', path: '/spec/template/spec/containers/1/name', value: 'd' },
      ],
      want: (d) => {
        d.spec.template.spec.containers.push({ name: 'd', image: 'web:1', args: ['a', 'b'] });
        return d;
      },
    },
    {
      name: 'replace the whole document',
      patch: [{ op: 'replace', path: '', value: { a: 1 } }],
      want: () => ({ a: 1 }),
    },
    { name: 'an empty patch changes nothing', patch: [], want: (d) => d },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const original = deepFreeze(deployment());
      const patch = deepFreeze(structuredClone(tc.patch));
      const got = applyJsonPatch(original, patch);
      expect(got).to.deep.equal(tc.want(deployment()));
      expect(original).to.deep.equal(deployment());
      expect(sharesObjects(got, original)).to.equal(false);
      expect(sharesObjects(got, patch)).to.equal(false);
    });
  }

  /** Failures Kubernetes reports as 422 Invalid with its generic message. */
  const invalid: Array<{ name: string; patch: unknown[]; detail: RegExp }> = [
    { name: 'replace at a missing path', patch: [{ op: 'replace', path: '/spec/nope', value: 1 }], detail: /jsonpatch replace operation does not apply: doc is missing path/ },
    { name: 'remove at a missing path', patch: [{ op: 'remove', path: '/metadata/labels' }], detail: /remove operation does not apply/ },
    { name: 'add under a missing parent', patch: [{ op: 'add', path: '/status/phase', value: 'x' }], detail: /add operation does not apply: doc is missing path/ },
    { name: 'add past the end of a list', patch: [{ op: 'add', path: '/spec/template/spec/containers/5', value: {} }], detail: /out of range/ },
    { name: 'a list index with a leading zero', patch: [{ op: 'replace', path: '/spec/template/spec/containers/00', value: {} }], detail: /invalid array index/ },
    { name: 'a failed test', patch: [{ op: 'test', path: '/spec/replicas', value: 2 }], detail: /testing value \/spec\/replicas failed/ },
    { name: 'an unknown op', patch: [{ op: 'frobnicate', path: '/spec' }], detail: /unknown operation "frobnicate"/ },
    { name: 'the library-internal _get op', patch: [{ op: '_get', path: '/spec' }], detail: /unknown operation/ },
    { name: 'a path that is not a pointer', patch: [{ op: 'add', path: 'spec', value: 1 }], detail: /invalid "path"/ },
    { name: 'a bad escape in a path', patch: [{ op: 'add', path: '/a~2b', value: 1 }], detail: /invalid "path"/ },
    { name: 'add without a value', patch: [{ op: 'add', path: '/x' }], detail: /missing "value"/ },
    { name: 'copy without from', patch: [{ op: 'copy', path: '/x' }], detail: /invalid "from"/ },
    { name: 'copy from a missing path', patch: [{ op: 'copy', from: '/nope', path: '/x' }], detail: /doc is missing from path: \/nope/ },
    { name: 'move into its own child', patch: [{ op: 'move', from: '/spec', path: '/spec/inner' }], detail: /cannot be moved into one of its children/ },
    { name: 'a __proto__ path', patch: [{ op: 'add', path: '/__proto__/polluted', value: true }], detail: /does not apply/ },
    { name: 'a path through the prototype', patch: [{ op: 'replace', path: '/constructor', value: 1 }], detail: /doc is missing path/ },
    { name: 'the second op fails', patch: [{ op: 'add', path: '/a', value: 1 }, { op: 'remove', path: '/b' }], detail: /^operation 1: / },
  ];
  for (const tc of invalid) {
    it(`422: ${tc.name}`, () => {
      let caught: unknown;
      try {
        applyJsonPatch(deepFreeze(deployment()), tc.patch);
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(ApiError);
      const err = caught as ApiError;
      expect(err.code).to.equal(422);
      expect(err.reason).to.equal('Invalid');
      expect(err.message).to.equal('the server rejected our request due to an error in our request');
      expect(err.details.causes?.[0].message).to.match(tc.detail);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  }

  const badRequests: Array<{ name: string; patch: unknown }> = [
    { name: 'an object instead of a list', patch: { op: 'add', path: '/a', value: 1 } },
    { name: 'a string', patch: 'add' },
    { name: 'an operation that is not an object', patch: [['add', '/a']] },
    { name: 'hostile nesting in a value', patch: [{ op: 'add', path: '/a', value: nested(5000) }] },
  ];
  for (const tc of badRequests) {
    it(`400: ${tc.name}`, () => {
      expect(() => applyJsonPatch(deployment(), tc.patch)).to.throw(BadRequestError);
    });
  }

  it('413: more than 10,000 operations, with Kubernetes\' message', () => {
    const patch = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
    expect(() => applyJsonPatch(deployment(), patch)).to.throw(TooLargeError, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
  });

  it('allows exactly 10,000 operations', () => {
    const patch = Array.from({ length: MAX_JSON_PATCH_OPERATIONS }, (_, i) => ({ op: 'add', path: `/k${i % 10}`, value: i }));
    expect(applyJsonPatch({}, patch)).to.have.property('k9', 9999);
  });

  it('stops a doubling copy chain early instead of exhausting memory', () => {
    // Each copy doubles the document: 10,000 of them would need 2^10000 bytes.
    const patch = [{ op: 'add', path: '/a', value: 'x'.repeat(1000) }];
    for (let i = 0; i < 9_999; i++) patch.push({ op: 'copy', from: '', path: `/c${i}` } as never);
    const started = Date.now();
    let caught: unknown;
    try {
      applyJsonPatch({}, patch);
    } catch (e) {
      caught = e;
    }
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(caught).to.be.instanceOf(ApiError);
    expect((caught as ApiError).code).to.equal(422);
    expect((caught as ApiError).details.causes?.[0].message).to.match(/accumulated size increase of copy is \d+, exceeding the limit 3145728/);
  });

  it('413: a result larger than maxBytes', () => {
    const patch = [{ op: 'add', path: '/blob', value: 'x'.repeat(2000) }];
    expect(() => applyJsonPatch({}, patch, 1024)).to.throw(TooLargeError, /limit is 1024/);
    expect(applyJsonPatch({}, patch, 4096)).to.deep.equal({ blob: 'x'.repeat(2000) });
  });

  it('counts copied bytes against maxBytes', () => {
    const patch = [
      { op: 'copy', from: '/blob', path: '/b1' },
      { op: 'remove', path: '/b1' },
      { op: 'copy', from: '/blob', path: '/b2' },
    ];
    const original = { blob: 'x'.repeat(600) };
    expect(() => applyJsonPatch(original, patch, 1000)).to.throw(ApiError, /rejected/);
    expect(applyJsonPatch(original, patch, 2000)).to.have.keys('blob', 'b2');
  });

  it('keeps the original intact when an operation fails half way', () => {
    const original = deepFreeze(deployment());
    expect(() =>
      applyJsonPatch(original, [
        { op: 'replace', path: '/spec/replicas', value: 9 },
        { op: 'test', path: '/spec/replicas', value: 1 },
      ]),
    ).to.throw(ApiError);
    expect(original.spec.replicas).to.equal(1);
  });
});
