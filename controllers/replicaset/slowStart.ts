// Slow-start batches: call `fn` `count` times in batches of 1, 2, 4, ... and stop at the
// first batch with a failure. A template the API refuses (quota, admission, validation)
// then costs one request, not `replicas` of them, per attempt.

export interface SlowStartResult {
  successes: number;
  /** Calls never made because an earlier batch failed. */
  skipped: number;
  /** Every failure of the failing batch (in call order). */
  errors: unknown[];
}

export async function slowStartBatch(count: number, initialBatchSize: number, fn: (index: number) => Promise<void>): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  let batch = Math.min(remaining, Math.max(1, initialBatchSize));
  while (batch > 0) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    successes += results.length - errors.length;
    remaining -= batch;
    if (errors.length) return { successes, skipped: remaining, errors };
    batch = Math.min(2 * batch, remaining);
  }
  return { successes, skipped: 0, errors: [] };
}
