// kubectl (1.30+) tries exec over a websocket first and, on any non-101 answer, retries
// over SPDY and prints only that second answer. So when an agent refuses the websocket
// attempt, the refusal is kept a short while and given again to the SPDY retry, instead of
// the misleading "SPDY is not supported".

import type { Status } from '../../common/api/meta.js';

export class RefusalMemory {
  private readonly entries = new Map<string, { status: Status; expires: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 256,
    private readonly now: () => number = Date.now,
  ) {}

  remember(key: string, status: Status): void {
    this.entries.delete(key);
    this.entries.set(key, { status, expires: this.now() + this.ttlMs });
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
    }
  }

  /** The refusal for this key, once: a later attempt asks the agent again. */
  take(key: string): Status | undefined {
    const hit = this.entries.get(key);
    this.entries.delete(key);
    return hit && hit.expires > this.now() ? hit.status : undefined;
  }
}
