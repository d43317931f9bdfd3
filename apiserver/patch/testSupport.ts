// Test helpers for the patch tests: prove that inputs are left alone.

/** Freezes a JSON value recursively, so any write to it throws in strict-mode code. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** True when `a` and `b` hold a common object or array (so writing to one would change the other). */
export function sharesObjects(a: unknown, b: unknown): boolean {
  const seen = new Set<unknown>();
  const collect = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    for (const child of Object.values(v)) collect(child);
  };
  collect(a);
  let shared = false;
  const check = (v: unknown): void => {
    if (shared || typeof v !== 'object' || v === null) return;
    if (seen.has(v)) {
      shared = true;
      return;
    }
    for (const child of Object.values(v)) check(child);
  };
  check(b);
  return shared;
}

/** A value nested `levels` deep: {"a":{"a":...}} or [[[...]]]. */
export function nested(levels: number, kind: 'object' | 'array' = 'object'): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}
