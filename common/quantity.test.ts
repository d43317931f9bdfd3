import { expect } from 'chai';
import { BadRequestError } from './errors.js';
import { Quantity, canonicalQuantity, isQuantity, parseQuantity, tryParseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  const cases: { input: string | number; milli: bigint; value: bigint; canonical: string }[] = [
    { input: '100m', milli: 100n, value: 1n, canonical: '100m' },
    { input: '0.5', milli: 500n, value: 1n, canonical: '500m' },
    { input: '1', milli: 1000n, value: 1n, canonical: '1' },
    { input: '+1', milli: 1000n, value: 1n, canonical: '1' },
    { input: '.5', milli: 500n, value: 1n, canonical: '500m' },
    { input: '5.', milli: 5000n, value: 5n, canonical: '5' },
    { input: '1500m', milli: 1500n, value: 2n, canonical: '1500m' },
    { input: '1000m', milli: 1000n, value: 1n, canonical: '1' },
    { input: '2Gi', milli: 2n * 1024n ** 3n * 1000n, value: 2n * 1024n ** 3n, canonical: '2Gi' },
    { input: '512Mi', milli: 512n * 1024n ** 2n * 1000n, value: 512n * 1024n ** 2n, canonical: '512Mi' },
    { input: '1024Mi', milli: 1024n ** 3n * 1000n, value: 1024n ** 3n, canonical: '1Gi' },
    { input: '1.5Gi', milli: 1536n * 1024n ** 2n * 1000n, value: 1536n * 1024n ** 2n, canonical: '1536Mi' },
    { input: '1.5Ki', milli: 1536000n, value: 1536n, canonical: '1536' },
    { input: '0.5Ki', milli: 512000n, value: 512n, canonical: '512' },
    { input: '0.1Ki', milli: 102400n, value: 103n, canonical: '102400m' },
    { input: '1Ei', milli: 1024n ** 6n * 1000n, value: 1024n ** 6n, canonical: '1Ei' },
    { input: '1e3', milli: 1000000n, value: 1000n, canonical: '1e3' },
    { input: '1E3', milli: 1000000n, value: 1000n, canonical: '1e3' },
    { input: '1.5e3', milli: 1500000n, value: 1500n, canonical: '1500' },
    { input: '12e6', milli: 12000000000n, value: 12000000n, canonical: '12e6' },
    { input: '1e-3', milli: 1n, value: 1n, canonical: '1e-3' },
    { input: '1k', milli: 1000000n, value: 1000n, canonical: '1k' },
    { input: '1M', milli: 1000000000n, value: 1000000n, canonical: '1M' },
    { input: '2000', milli: 2000000n, value: 2000n, canonical: '2k' },
    { input: '1E', milli: 10n ** 21n, value: 10n ** 18n, canonical: '1E' },
    { input: '100u', milli: 1n, value: 1n, canonical: '100u' },
    { input: '5n', milli: 1n, value: 1n, canonical: '5n' },
    { input: '0.0000000001', milli: 1n, value: 1n, canonical: '1n' },
    { input: '1e-100', milli: 1n, value: 1n, canonical: '1e-9' },
    { input: '-100m', milli: -100n, value: -1n, canonical: '-100m' },
    { input: '0', milli: 0n, value: 0n, canonical: '0' },
    { input: '0Gi', milli: 0n, value: 0n, canonical: '0' },
    { input: 1, milli: 1000n, value: 1n, canonical: '1' },
    { input: 0.25, milli: 250n, value: 1n, canonical: '250m' },
    { input: 1e21, milli: 10n ** 24n, value: 10n ** 21n, canonical: '1e21' },
  ];
  for (const tc of cases) {
    it(`${JSON.stringify(tc.input)} is ${tc.milli}m, value ${tc.value}, canonical ${tc.canonical}`, () => {
      const q = parseQuantity(tc.input);
      expect(q.milliValue()).to.equal(tc.milli);
      expect(q.value()).to.equal(tc.value);
      expect(q.format()).to.equal(tc.canonical);
      expect(String(q)).to.equal(tc.canonical);
      expect(JSON.stringify({ q })).to.equal(JSON.stringify({ q: tc.canonical }));
    });
  }

  const rejects: (string | number)[] = ['', '1.2.3', 'abc', '5GB', '1Gib', 'Gi', '.', '-', '1e', '1 ', ' 1', '1ki', '1e1000', 'toString', '1constructor', Number.NaN, Number.POSITIVE_INFINITY];
  for (const input of rejects) {
    it(`rejects ${JSON.stringify(String(input))}`, () => {
      const r = tryParseQuantity(input);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.error).to.contain('is invalid');
      expect(() => parseQuantity(input)).to.throw(BadRequestError);
      expect(isQuantity(input)).to.equal(false);
    });
  }
});

describe('Quantity arithmetic', () => {
  it('adds 0.1 and 0.2 CPU exactly', () => {
    const sum = parseQuantity('0.1').add(parseQuantity('0.2'));
    expect(sum.milliValue()).to.equal(300n);
    expect(sum.format()).to.equal('300m');
    expect(sum.equals(parseQuantity('300m'))).to.equal(true);
  });

  it('keeps the receiver notation on add', () => {
    expect(parseQuantity('1Gi').add(parseQuantity('1G')).notation).to.equal('BinarySI');
    expect(parseQuantity('1Gi').add(parseQuantity('1Gi')).format()).to.equal('2Gi');
  });

  it('subtracts and negates', () => {
    const q = parseQuantity('1').sub(parseQuantity('250m'));
    expect(q.format()).to.equal('750m');
    expect(q.neg().format()).to.equal('-750m');
    expect(q.sub(q).isZero()).to.equal(true);
  });

  const cmpCases: { a: string; b: string; want: -1 | 0 | 1 }[] = [
    { a: '1', b: '1000m', want: 0 },
    { a: '1Ki', b: '1k', want: 1 },
    { a: '999m', b: '1', want: -1 },
    { a: '1Gi', b: '1073741824', want: 0 },
    { a: '-1', b: '0', want: -1 },
  ];
  for (const tc of cmpCases) {
    it(`cmp(${tc.a}, ${tc.b}) = ${tc.want}`, () => expect(parseQuantity(tc.a).cmp(parseQuantity(tc.b))).to.equal(tc.want));
  }

  it('builds from milli and whole values', () => {
    expect(Quantity.fromMilli(250n).format()).to.equal('250m');
    expect(Quantity.fromValue(3n * 1024n ** 2n, 'BinarySI').format()).to.equal('3Mi');
    expect(Quantity.zero.isZero()).to.equal(true);
  });

  it('canonicalizes', () => {
    expect(canonicalQuantity('0.5')).to.equal('500m');
    expect(canonicalQuantity('1024Mi')).to.equal('1Gi');
    expect(() => canonicalQuantity('nope')).to.throw(BadRequestError);
  });
});
