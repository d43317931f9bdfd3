// Polling for a condition in integration tests: `fn` answers undefined (or throws) until the
// condition holds; the last error is kept for the timeout message.

export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * eventually() for a condition read synchronously from what the test itself records (events
 * seen, a stream's output so far): polled every 25 ms, since it changes with in-process events.
 */
export function until<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  return eventually(what, async () => fn(), timeoutMs, 25);
}
