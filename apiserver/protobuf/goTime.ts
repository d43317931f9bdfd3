// Go's time and duration text forms, as Kubernetes' JSON writes them: metav1.Time as
// RFC 3339 in UTC with whole seconds, metav1.MicroTime with exactly six fraction digits
// (truncated, not rounded), metav1.Duration as time.Duration.String() ("1h2m3.5s").
// Kept exact with BigInt, since a protobuf Timestamp carries int64 seconds + int32 nanos.

const NS_PER_S = 1_000_000_000n;
/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds: JSON writes it as null. */
export const zeroTimeUnixSeconds = -62135596800n;
/** Date's range: ±8.64e15 ms. */
const maxAbsSeconds = 8_640_000_000_000n;

export interface UnixTime {
  seconds: bigint;
  /** In [0, 1e9). */
  nanos: bigint;
}

/** time.Unix(seconds, nanos): nanos outside [0, 1e9) carry into the seconds. */
export function normalize(seconds: number, nanos: number): UnixTime {
  const total = BigInt(Math.trunc(seconds)) * NS_PER_S + BigInt(Math.trunc(nanos));
  let s = total / NS_PER_S;
  let n = total % NS_PER_S;
  if (n < 0n) {
    n += NS_PER_S;
    s -= 1n;
  }
  return { seconds: s, nanos: n };
}

export function isZeroTime(t: UnixTime): boolean {
  return t.seconds === zeroTimeUnixSeconds && t.nanos === 0n;
}

/** "2006-01-02T15:04:05Z", or with `fractionDigits` digits of the nanoseconds (truncated). */
export function formatRfc3339(t: UnixTime, fractionDigits: 0 | 6 = 0): string {
  if (t.seconds > maxAbsSeconds || t.seconds < -maxAbsSeconds) throw new RangeError(`time out of range: ${t.seconds} seconds since the epoch`);
  const iso = new Date(Number(t.seconds) * 1000).toISOString();
  // Years 0-9999 only: Go formats others in ways RFC 3339 does not allow.
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`time out of range: year outside 0000-9999 (${iso})`);
  const base = iso.slice(0, 19);
  if (fractionDigits === 0) return `${base}Z`;
  const micros = (t.nanos / 1000n).toString().padStart(6, '0');
  return `${base}.${micros}Z`;
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses RFC 3339 (the inverse of formatRfc3339, any offset and up to nine fraction digits). */
export function parseRfc3339(text: string): UnixTime {
  const m = rfc3339.exec(text);
  if (!m) throw new RangeError(`not an RFC 3339 time: ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [, , , , , , , frac, z, sign, oh, om] = m;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0-99 as they are
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new RangeError(`not a valid time: ${JSON.stringify(text)}`);
  }
  let seconds = BigInt(date.getTime() / 1000);
  if (!z) seconds -= BigInt((sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60));
  const nanos = BigInt((frac ?? '').padEnd(9, '0') || '0');
  return { seconds, nanos };
}

function withFraction(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const rest = value % scale;
  if (rest === 0n) return whole.toString();
  const digits = scale.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's time.Duration.String(). */
export function formatGoDuration(nanoseconds: number | bigint): string {
  let u = BigInt(nanoseconds);
  if (u === 0n) return '0s';
  const sign = u < 0n ? '-' : '';
  if (u < 0n) u = -u;
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${withFraction(u, 1000n)}µs`;
  if (u < NS_PER_S) return `${sign}${withFraction(u, 1_000_000n)}ms`;
  const hours = u / 3_600_000_000_000n;
  u %= 3_600_000_000_000n;
  const minutes = u / 60_000_000_000n;
  u %= 60_000_000_000n;
  let out = `${withFraction(u, NS_PER_S)}s`;
  if (hours > 0n) out = `${hours}h${minutes}m${out}`;
  else if (minutes > 0n) out = `${minutes}m${out}`;
  return sign + out;
}

const unitNanos: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: NS_PER_S, m: 60n * NS_PER_S, h: 3600n * NS_PER_S };

/** Go's time.ParseDuration: "1h2m3.5s", "-1.5ms", "0". */
export function parseGoDuration(text: string): bigint {
  const m = /^([+-]?)(.*)$/.exec(text)!;
  let rest = m[2]!;
  if (rest === '0') return 0n;
  if (rest === '') throw new RangeError(`invalid duration ${JSON.stringify(text)}`);
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const p = part.exec(rest);
    if (!p || (p[1] === '' && (p[2] ?? '') === '')) throw new RangeError(`invalid duration ${JSON.stringify(text)}`);
    const unit = unitNanos[p[3]!]!;
    const frac = p[2] ?? '';
    total += BigInt(p[1] || '0') * unit + (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
    rest = rest.slice(p[0].length);
  }
  return m[1] === '-' ? -total : total;
}
