// Kubernetes resource quantities (`100m`, `2Gi`, `1e3`, `0.5`) held as exact integers.
//
// A quantity is stored as a signed count of nano-units (value × 10^9) in a BigInt, so sums
// never drift (`0.1` + `0.2` CPU is exactly 300m). Like Kubernetes, precision finer than
// 1n is rounded up (away from zero) when parsing, and a quantity remembers the notation it
// was written in (decimal SI, binary SI, or decimal exponent) so it prints back in kind.

import { BadRequestError } from './errors.js';

export type QuantityNotation = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const NANO_SCALE = 9;
const NANOS_PER_UNIT = 10n ** 9n;
const NANOS_PER_MILLI = 10n ** 6n;

/** Decimal SI suffixes and their power-of-ten exponents. */
const decimalSuffixes = new Map<string, number>([['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18]]);
const decimalSuffixByExponent = new Map<number, string>([...decimalSuffixes].map(([s, e]) => [e, s]));

/** Binary SI suffixes and their power-of-two exponents. */
const binarySuffixes = new Map<string, number>([['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60]]);
const binarySuffixByExponent = new Map<number, string>([...binarySuffixes].map(([s, e]) => [e, s]));

/** Exponents beyond this are refused rather than expanded into enormous integers. */
const MAX_DECIMAL_EXPONENT = 100;

// sign, integer digits, optional fraction, then the suffix (checked separately below).
const quantityShape = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
const exponentShape = /^[eE]([+-]?\d+)$/;

function divRoundAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

export class Quantity {
  private constructor(
    private readonly nanos: bigint,
    /** How the quantity was written; decides how it is formatted back. */
    readonly notation: QuantityNotation,
  ) {}

  /** Builds a quantity from a count of nano-units (value × 10^9). */
  static fromNanos(nanos: bigint, notation: QuantityNotation = 'DecimalSI'): Quantity {
    return new Quantity(nanos, notation);
  }

  /** Builds a quantity from milli-units, e.g. `Quantity.fromMilli(250n)` is `250m`. */
  static fromMilli(milli: bigint, notation: QuantityNotation = 'DecimalSI'): Quantity {
    return new Quantity(milli * NANOS_PER_MILLI, notation);
  }

  /** Builds a quantity from whole units (cores, bytes, ...). */
  static fromValue(value: bigint, notation: QuantityNotation = 'DecimalSI'): Quantity {
    return new Quantity(value * NANOS_PER_UNIT, notation);
  }

  static readonly zero = new Quantity(0n, 'DecimalSI');

  /** Exact value in nano-units (value × 10^9). */
  nanoValue(): bigint {
    return this.nanos;
  }

  /** Value × 1000, rounded up away from zero (Kubernetes' MilliValue). */
  milliValue(): bigint {
    return divRoundAwayFromZero(this.nanos, NANOS_PER_MILLI);
  }

  /** Whole value, rounded up away from zero (Kubernetes' Value): `100m` is 1, `1.5Gi` is 1610612736. */
  value(): bigint {
    return divRoundAwayFromZero(this.nanos, NANOS_PER_UNIT);
  }

  /** -1, 0 or 1 as this quantity is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    if (this.nanos === other.nanos) return 0;
    return this.nanos < other.nanos ? -1 : 1;
  }

  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    if (this.nanos === 0n) return 0;
    return this.nanos < 0n ? -1 : 1;
  }

  /** The sum, written in this quantity's notation (Kubernetes keeps the receiver's format). */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.notation);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.notation);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.notation);
  }

  /** The canonical string Kubernetes would serialize: `1500m`, `2k`, `1Gi`, `1536Mi`, `1e3`. */
  format(): string {
    if (this.nanos === 0n) return '0';
    let notation = this.notation;
    if (notation === 'BinarySI') {
      // Small or fractional binary amounts print in decimal so nothing is rounded away.
      const small = abs(this.nanos) < 1024n * NANOS_PER_UNIT;
      if (small || this.nanos % NANOS_PER_UNIT !== 0n) notation = 'DecimalSI';
    }
    if (notation === 'BinarySI') return formatBinary(this.nanos / NANOS_PER_UNIT);
    return formatDecimal(this.nanos, notation);
  }

  toString(): string {
    return this.format();
  }

  /** Quantities serialize as their canonical strings, as on the Kubernetes wire. */
  toJSON(): string {
    return this.format();
  }
}

/** value = mantissa × 1024^k with the largest k that keeps the mantissa whole (k ≤ 6). */
function formatBinary(value: bigint): string {
  let mantissa = value;
  let exponent = 0;
  while (exponent < 60 && mantissa % 1024n === 0n) {
    mantissa /= 1024n;
    exponent += 10;
  }
  return `${mantissa}${binarySuffixByExponent.get(exponent) ?? ''}`;
}

/** value = mantissa × 10^e with e a multiple of three, the mantissa whole and as small as possible. */
function formatDecimal(nanos: bigint, notation: 'DecimalSI' | 'DecimalExponent'): string {
  let mantissa = nanos;
  let exponent = -NANO_SCALE;
  while (mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (notation === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  if (exponent > 18) {
    // No SI suffix beyond E: keep the surplus in the mantissa.
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${mantissa}${decimalSuffixByExponent.get(exponent) ?? ''}`;
}

export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; error: string };

function invalid(input: string, why: string): QuantityResult {
  return { ok: false, error: `quantity ${JSON.stringify(input)} is invalid: ${why}` };
}

/** Parses a quantity without throwing; the error says what is wrong with the input. */
export function tryParseQuantity(input: string | number): QuantityResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return invalid(String(input), 'not a finite number');
    text = String(input);
  } else {
    text = input;
  }
  if (text.length === 0) return invalid(text, 'empty string');

  const m = quantityShape.exec(text);
  if (!m) return invalid(text, 'expected a number with an optional suffix');
  const [, sign = '', intDigits = '', fracDigits = '', suffix = ''] = m;
  if (intDigits.length === 0 && fracDigits.length === 0) return invalid(text, 'expected digits');

  let notation: QuantityNotation;
  let decimalExponent = 0; // power of ten applied to the number
  let binaryExponent = 0; // power of two applied to the number
  const binary = binarySuffixes.get(suffix);
  const decimal = decimalSuffixes.get(suffix);
  if (binary !== undefined) {
    notation = 'BinarySI';
    binaryExponent = binary;
  } else if (decimal !== undefined) {
    notation = 'DecimalSI';
    decimalExponent = decimal;
  } else {
    const e = exponentShape.exec(suffix);
    if (!e) return invalid(text, `unknown suffix ${JSON.stringify(suffix)} (use one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent such as e3)`);
    decimalExponent = Number(e[1]);
    if (!Number.isSafeInteger(decimalExponent) || decimalExponent > MAX_DECIMAL_EXPONENT) return invalid(text, 'exponent too large');
    notation = 'DecimalExponent';
  }

  // digits × 10^(decimalExponent - fraction length) × 2^binaryExponent, in nano-units.
  const numerator = BigInt(intDigits + fracDigits) * 2n ** BigInt(binaryExponent);
  const scale = decimalExponent - fracDigits.length + NANO_SCALE;
  let nanos: bigint;
  if (scale >= 0) {
    nanos = numerator * 10n ** BigInt(scale);
  } else if (-scale > numerator.toString().length) {
    // Below one nano-unit: round up to 1n unless it is zero, without building a huge divisor.
    nanos = numerator === 0n ? 0n : 1n;
  } else {
    nanos = divRoundAwayFromZero(numerator, 10n ** BigInt(-scale));
  }
  if (sign === '-') nanos = -nanos;
  return { ok: true, quantity: Quantity.fromNanos(nanos, notation) };
}

/** Parses a quantity or throws `BadRequestError`. */
export function parseQuantity(input: string | number): Quantity {
  const r = tryParseQuantity(input);
  if (!r.ok) throw new BadRequestError(r.error);
  return r.quantity;
}

/** True when `input` parses as a quantity. */
export function isQuantity(input: unknown): input is string | number {
  return (typeof input === 'string' || typeof input === 'number') && tryParseQuantity(input).ok;
}

/** The canonical spelling of a quantity (`0.5` → `500m`, `1024Mi` → `1Gi`); throws `BadRequestError` when invalid. */
export function canonicalQuantity(input: string | number): string {
  return parseQuantity(input).format();
}
