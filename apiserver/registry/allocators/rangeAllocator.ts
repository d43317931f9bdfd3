// Hands out values of one range through claims: a chosen value is claimed or refused; a
// dynamic one is picked at random in the upper band (then the lower), skipping what the
// claim list says is taken, and a lost race for a key just moves on to the next value.

import { sameOwner, type ClaimOwner, type ClaimStore } from './claims.js';
import type { AllocationRange } from './ranges.js';

export type AllocationFailure = 'NotInRange' | 'Allocated' | 'Full';

/** Why a value could not be had; the Service allocator words it for the field. */
export class AllocationError extends Error {
  constructor(
    readonly failure: AllocationFailure,
    readonly value?: string,
  ) {
    super(failure);
  }
}

export type Random = (n: number) => number;
export const mathRandom: Random = (n) => Math.floor(Math.random() * n);

export class RangeAllocator<R extends AllocationRange = AllocationRange> {
  constructor(
    readonly range: R,
    readonly claims: ClaimStore,
    private readonly random: Random = mathRandom,
  ) {}

  contains(value: string): boolean {
    return this.range.slotOf(value) !== undefined;
  }

  /**
   * Claims a value the user chose. False when `owner` held it already: an update that
   * started from a stale copy of its object asks again for what it has.
   */
  async allocate(value: string, owner: ClaimOwner): Promise<boolean> {
    if (!this.contains(value)) throw new AllocationError('NotInRange', value);
    if (await this.claims.claim(value, owner)) return true;
    if (sameOwner((await this.claims.get(value))?.owner, owner)) return false;
    throw new AllocationError('Allocated', value);
  }

  /** What a dry run of `allocate` would answer, claiming nothing. */
  async check(value: string, owner: ClaimOwner): Promise<void> {
    if (!this.contains(value)) throw new AllocationError('NotInRange', value);
    const held = await this.claims.get(value);
    if (held && !sameOwner(held.owner, owner)) throw new AllocationError('Allocated', value);
  }

  /** Claims any free value. */
  async allocateNext(owner: ClaimOwner): Promise<string> {
    const taken = new Set((await this.claims.list()).map((c) => c.value));
    for (const slot of this.candidates()) {
      const value = this.range.at(slot);
      if (taken.has(value)) continue;
      // Another API server (or request) may have taken it since the list: try the next.
      if (await this.claims.claim(value, owner)) return value;
    }
    throw new AllocationError('Full');
  }

  /** Slots in the order dynamic allocation tries them: each band from a random start, wrapping. */
  *candidates(): Generator<number> {
    const { size, lowerBand } = this.range;
    for (const [lo, hi] of [[lowerBand, size], [0, lowerBand]] as const) {
      const n = hi - lo;
      if (n <= 0) continue;
      const start = this.random(n);
      for (let i = 0; i < n; i++) yield lo + ((start + i) % n);
    }
  }

  async release(value: string, owner: ClaimOwner): Promise<boolean> {
    return this.claims.release(value, owner);
  }
}
