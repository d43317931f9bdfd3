import { expect } from 'chai';
import { BadRequestError } from '../errors.js';
import {
  everything,
  formatLabelSelectorObject,
  formatLabels,
  labelRequirement,
  labelSelectorFromObject,
  parseLabelSelector,
  selectorFromSet,
  selectsNothing,
  validateLabelSelectorObject,
  type LabelSelectorObject,
} from './labels.js';
import { labelValueErrors, qualifiedNameErrors } from './validation.js';

describe('parseLabelSelector', () => {
  const cases: { name: string; sel: string; str: string; yes: Record<string, string>[]; no: (Record<string, string> | undefined)[] }[] = [
    { name: 'empty selects everything', sel: '', str: '', yes: [{}, { a: 'b' }], no: [] },
    { name: 'blank selects everything', sel: '   ', str: '', yes: [{}], no: [] },
    { name: 'equality', sel: 'a=b', str: 'a=b', yes: [{ a: 'b' }, { a: 'b', c: 'd' }], no: [{}, { a: 'c' }, undefined] },
    { name: 'double equals', sel: 'a==b', str: 'a==b', yes: [{ a: 'b' }], no: [{ a: 'c' }] },
    { name: 'not equals matches missing', sel: 'a!=b', str: 'a!=b', yes: [{}, { a: 'c' }], no: [{ a: 'b' }] },
    { name: 'empty value', sel: 'a=', str: 'a=', yes: [{ a: '' }], no: [{}, { a: 'x' }] },
    { name: 'empty value before comma', sel: 'a=,b', str: 'a=,b', yes: [{ a: '', b: 'x' }], no: [{ a: '' }] },
    { name: 'in', sel: 'env in (prod, staging)', str: 'env in (prod,staging)', yes: [{ env: 'prod' }, { env: 'staging' }], no: [{}, { env: 'dev' }] },
    { name: 'notin matches missing', sel: 'env notin (dev)', str: 'env notin (dev)', yes: [{}, { env: 'prod' }], no: [{ env: 'dev' }] },
    { name: 'in with an empty member', sel: 'a in (x,)', str: 'a in (,x)', yes: [{ a: '' }, { a: 'x' }], no: [{}] },
    { name: 'exists', sel: 'a', str: 'a', yes: [{ a: '' }, { a: 'x' }], no: [{}] },
    { name: 'does not exist', sel: '!a', str: '!a', yes: [{}, { b: 'a' }], no: [{ a: '' }] },
    { name: 'spaces around not', sel: ' ! a ', str: '!a', yes: [{}], no: [{ a: 'x' }] },
    { name: 'and, sorted by key', sel: 'z=1, a in (x), !m', str: 'a in (x),!m,z=1', yes: [{ z: '1', a: 'x' }], no: [{ z: '1', a: 'x', m: '' }, { z: '1' }] },
    { name: 'whitespace tolerant', sel: '  a  =  b  ,  c  !=  d ', str: 'a=b,c!=d', yes: [{ a: 'b' }], no: [{ a: 'b', c: 'd' }] },
    { name: 'prefixed key', sel: 'app.kubernetes.io/name=web', str: 'app.kubernetes.io/name=web', yes: [{ 'app.kubernetes.io/name': 'web' }], no: [{ name: 'web' }] },
    { name: 'keyword as key and value', sel: 'in in (in, notin)', str: 'in in (in,notin)', yes: [{ in: 'notin' }], no: [{ in: 'x' }] },
    { name: 'greater than', sel: 'gen>3', str: 'gen>3', yes: [{ gen: '4' }], no: [{ gen: '3' }, { gen: 'x' }, {}] },
    { name: 'less than', sel: 'gen<3', str: 'gen<3', yes: [{ gen: '-1' }], no: [{ gen: '3' }] },
    { name: 'duplicated values collapse', sel: 'a in (x,x,y)', str: 'a in (x,y)', yes: [{ a: 'y' }], no: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = parseLabelSelector(tc.sel);
      expect(s.toString()).to.equal(tc.str);
      for (const l of tc.yes) expect(s.matches(l), `should match ${JSON.stringify(l)}`).to.equal(true);
      for (const l of tc.no) expect(s.matches(l), `should not match ${JSON.stringify(l)}`).to.equal(false);
      // The canonical form parses back to the same selector.
      expect(parseLabelSelector(s.toString()).toString()).to.equal(tc.str);
    });
  }

  const rejects: { sel: string; mentions: string }[] = [
    { sel: 'a=b,', mentions: 'end of string' },
    { sel: ',a=b', mentions: "','" },
    { sel: 'a b', mentions: "'b'" },
    { sel: 'a=b=c', mentions: "'='" },
    { sel: 'a in ()', mentions: 'must not be empty' },
    { sel: 'a in (x', mentions: 'end of string' },
    { sel: 'a in x', mentions: "'('" },
    { sel: 'a in (x y)', mentions: "'y'" },
    { sel: 'a!b', mentions: "'!'" },
    { sel: '!a=b', mentions: "'='" },
    { sel: '!', mentions: 'label key' },
    { sel: '=b', mentions: "'='" },
    { sel: 'a=(b)', mentions: "'('" },
    { sel: 'a>b', mentions: 'integer' },
    { sel: 'a/b/c=d', mentions: 'at most one "/"' },
    { sel: '-a=b', mentions: 'invalid label key' },
    { sel: 'Example.com/a=b', mentions: 'DNS subdomain' },
    { sel: `${'k'.repeat(64)}=b`, mentions: '63' },
    { sel: 'a=-b', mentions: 'invalid label value' },
    { sel: `a=${'v'.repeat(64)}`, mentions: '63' },
    { sel: 'a in (ok, b@d)', mentions: 'invalid label value' },
  ];
  for (const tc of rejects) {
    it(`rejects ${JSON.stringify(tc.sel)}`, () => {
      let err: unknown;
      try {
        parseLabelSelector(tc.sel);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(BadRequestError);
      expect((err as Error).message).to.contain(tc.mentions);
      expect((err as Error).message).to.contain('unable to parse label selector');
    });
  }

  it('lists equality requirements', () => {
    const s = parseLabelSelector('a=1,b==2,c in (3),d in (4,5),e!=6,f');
    expect(s.equalityRequirements()).to.deep.equal([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ]);
  });

  it('exposes requirements sorted by key', () => {
    expect(parseLabelSelector('b=1,a notin (y,x)').requirements()).to.deep.equal([
      { key: 'a', operator: 'notin', values: ['x', 'y'] },
      { key: 'b', operator: '=', values: ['1'] },
    ]);
  });

  it('reports emptiness', () => {
    expect(parseLabelSelector('').isEmpty()).to.equal(true);
    expect(parseLabelSelector('a').isEmpty()).to.equal(false);
    expect(everything.isEmpty()).to.equal(true);
  });
});

describe('labelSelectorFromObject', () => {
  const cases: { name: string; sel: LabelSelectorObject | null | undefined; str: string; yes: Record<string, string>[]; no: Record<string, string>[] }[] = [
    { name: 'null selects nothing', sel: null, str: '', yes: [], no: [{}, { a: 'b' }] },
    { name: 'undefined selects nothing', sel: undefined, str: '', yes: [], no: [{}] },
    { name: 'empty selects everything', sel: {}, str: '', yes: [{}, { a: 'b' }], no: [] },
    { name: 'empty lists select everything', sel: { matchLabels: {}, matchExpressions: [] }, str: '', yes: [{}], no: [] },
    { name: 'match labels', sel: { matchLabels: { app: 'web', tier: 'fe' } }, str: 'app=web,tier=fe', yes: [{ app: 'web', tier: 'fe', x: 'y' }], no: [{ app: 'web' }] },
    {
      name: 'expressions',
      sel: {
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'qa'] },
          { key: 'tier', operator: 'NotIn', values: ['db'] },
          { key: 'app', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      },
      str: 'app,env in (prod,qa),!legacy,tier notin (db)',
      yes: [{ app: 'x', env: 'qa' }],
      no: [{ app: 'x', env: 'qa', legacy: 'y' }, { env: 'qa' }, { app: 'x', env: 'qa', tier: 'db' }],
    },
    { name: 'labels and expressions together', sel: { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] }, str: 'a=1,b', yes: [{ a: '1', b: '' }], no: [{ a: '1' }] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = labelSelectorFromObject(tc.sel);
      expect(s.toString()).to.equal(tc.str);
      for (const l of tc.yes) expect(s.matches(l), JSON.stringify(l)).to.equal(true);
      for (const l of tc.no) expect(s.matches(l), JSON.stringify(l)).to.equal(false);
    });
  }

  it('null and empty are told apart', () => {
    expect(labelSelectorFromObject(null)).to.equal(selectsNothing);
    expect(selectsNothing.selectsNothing()).to.equal(true);
    expect(selectsNothing.isEmpty()).to.equal(false);
    expect(labelSelectorFromObject({}).isEmpty()).to.equal(true);
    expect(labelSelectorFromObject({}).selectsNothing()).to.equal(false);
  });

  const rejects: { name: string; sel: LabelSelectorObject; mentions: string; field: string }[] = [
    { name: 'unknown operator', sel: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, mentions: 'not a valid label selector operator', field: 'spec.selector.matchExpressions[0].operator' },
    { name: 'prototype name as operator', sel: { matchExpressions: [{ key: 'a', operator: 'constructor' }] }, mentions: 'not a valid label selector operator', field: 'spec.selector.matchExpressions[0].operator' },
    { name: 'In without values', sel: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, mentions: 'must not be empty', field: 'spec.selector.matchExpressions[0]' },
    { name: 'Exists with values', sel: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, mentions: 'takes no values', field: 'spec.selector.matchExpressions[0]' },
    { name: 'bad key', sel: { matchLabels: { 'a b': 'x' } }, mentions: 'invalid label key', field: 'spec.selector.matchLabels' },
    { name: 'bad value', sel: { matchLabels: { a: 'x y' } }, mentions: 'invalid label value', field: 'spec.selector.matchLabels' },
  ];
  for (const tc of rejects) {
    it(`rejects ${tc.name}`, () => {
      expect(() => labelSelectorFromObject(tc.sel)).to.throw(BadRequestError, tc.mentions);
      const causes = validateLabelSelectorObject(tc.sel, 'spec.selector');
      expect(causes).to.have.length.greaterThan(0);
      expect(causes[0]?.field).to.equal(tc.field);
    });
  }

  it('validates a good selector without causes', () => {
    expect(validateLabelSelectorObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'In', values: ['1'] }] })).to.deep.equal([]);
    expect(validateLabelSelectorObject(null)).to.deep.equal([]);
  });
});

describe('selector helpers', () => {
  it('selectorFromSet', () => {
    const s = selectorFromSet({ b: '2', a: '1' });
    expect(s.toString()).to.equal('a=1,b=2');
    expect(s.matches({ a: '1', b: '2' })).to.equal(true);
    expect(selectorFromSet({}).isEmpty()).to.equal(true);
    expect(() => selectorFromSet({ a: 'bad value' })).to.throw(BadRequestError);
  });

  it('labelRequirement checks its input', () => {
    expect(labelRequirement('a', 'in', ['y', 'x'])).to.deep.equal({ key: 'a', operator: 'in', values: ['x', 'y'] });
    expect(() => labelRequirement('a', '=', ['x', 'y'])).to.throw(BadRequestError, 'exactly one value');
  });

  const formats: { name: string; got: string; want: string }[] = [
    { name: 'labels sorted', got: formatLabels({ b: '2', a: '1' }), want: 'a=1,b=2' },
    { name: 'no labels', got: formatLabels({}), want: '<none>' },
    { name: 'undefined labels', got: formatLabels(undefined), want: '<none>' },
    { name: 'selector object', got: formatLabelSelectorObject({ matchLabels: { app: 'web' } }), want: 'app=web' },
    { name: 'empty selector object', got: formatLabelSelectorObject({}), want: '<none>' },
    { name: 'null selector object', got: formatLabelSelectorObject(null), want: '<none>' },
    { name: 'invalid selector object', got: formatLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Nope' }] }), want: '<error>' },
  ];
  for (const tc of formats) it(`formats ${tc.name}`, () => expect(tc.got).to.equal(tc.want));
});

describe('label syntax rules', () => {
  const keys: { key: string; ok: boolean }[] = [
    { key: 'app', ok: true },
    { key: 'A.b_c-9', ok: true },
    { key: 'example.com/app', ok: true },
    { key: 'node-role.kubernetes.io/control-plane', ok: true },
    { key: '', ok: false },
    { key: '/app', ok: false },
    { key: 'example.com/', ok: false },
    { key: '_app', ok: false },
    { key: 'app.', ok: false },
    { key: 'EXAMPLE.com/app', ok: false },
    { key: `${'a'.repeat(254)}/b`, ok: false },
    { key: 'k'.repeat(63), ok: true },
    { key: 'k'.repeat(64), ok: false },
  ];
  for (const tc of keys) it(`key ${JSON.stringify(tc.key.slice(0, 40))} ${tc.ok ? 'valid' : 'invalid'}`, () => expect(qualifiedNameErrors(tc.key).length === 0).to.equal(tc.ok));

  const values: { value: string; ok: boolean }[] = [
    { value: '', ok: true },
    { value: 'v1.2_3-x', ok: true },
    { value: '-x', ok: false },
    { value: 'a/b', ok: false },
    { value: 'v'.repeat(63), ok: true },
    { value: 'v'.repeat(64), ok: false },
  ];
  for (const tc of values) it(`value ${JSON.stringify(tc.value.slice(0, 40))} ${tc.ok ? 'valid' : 'invalid'}`, () => expect(labelValueErrors(tc.value).length === 0).to.equal(tc.ok));
});
