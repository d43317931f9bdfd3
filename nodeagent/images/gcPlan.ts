// Which images garbage collection removes, decided from numbers only (as kubelet's
// image GC does): nothing while usage is below highPercent; otherwise enough unused
// images, least recently used first, to bring usage down to lowPercent.

import { BadRequestError } from '../../common/errors.js';

export interface DiskUsage {
  capacity: number;
  available: number;
}

export interface GcThresholds {
  highPercent: number;
  lowPercent: number;
}

export function validateThresholds(t: GcThresholds): void {
  const ok = (n: number): boolean => Number.isFinite(n) && n >= 0 && n <= 100;
  if (!ok(t.highPercent) || !ok(t.lowPercent) || t.lowPercent > t.highPercent) {
    throw new BadRequestError(`image GC thresholds must satisfy 0 <= lowPercent (${t.lowPercent}) <= highPercent (${t.highPercent}) <= 100`);
  }
}

/** Bytes to free, or 0 when usage is below the high threshold. */
export function bytesToFree(usage: DiskUsage, t: GcThresholds): number {
  if (usage.capacity <= 0) return 0;
  const usedPercent = ((usage.capacity - usage.available) / usage.capacity) * 100;
  if (usedPercent < t.highPercent) return 0;
  return Math.max(0, Math.ceil((usage.capacity * (100 - t.lowPercent)) / 100 - usage.available));
}
