// Remembers the slice writes of each service until the informer has seen them, so that a
// sync never plans from a cache older than its own last writes (which would create a
// second slice for the same endpoints). Kubernetes' endpointSliceTracker, by slice name:
// a created or updated slice must show at least the written generation, a deleted one must
// be gone. Expectations expire, so a slice someone else removed cannot block a service.

import type { Clock } from '../../common/clock.js';
import type { EndpointSlice } from './types.js';

type Expectation = { generation: number; at: number } | { deleted: true; at: number };

export class SliceExpectations {
  private readonly byService = new Map<string, Map<string, Expectation>>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 30_000,
  ) {}

  written(service: string, slice: EndpointSlice): void {
    this.forService(service).set(slice.metadata.name ?? '', { generation: slice.metadata.generation ?? 0, at: this.clock.now() });
  }

  deleted(service: string, name: string): void {
    this.forService(service).set(name, { deleted: true, at: this.clock.now() });
  }

  forget(service: string): void {
    this.byService.delete(service);
  }

  /** Whether the cache (`lookup` by slice name) has caught up with every write for this service. */
  satisfied(service: string, lookup: (name: string) => EndpointSlice | undefined): boolean {
    const m = this.byService.get(service);
    if (!m) return true;
    const now = this.clock.now();
    for (const [name, e] of m) {
      const cached = lookup(name);
      const seen = 'deleted' in e ? cached === undefined : cached !== undefined && (cached.metadata.generation ?? 0) >= e.generation;
      if (seen || now - e.at > this.ttlMs) m.delete(name);
    }
    if (m.size === 0) this.byService.delete(service);
    return m.size === 0;
  }

  private forService(service: string): Map<string, Expectation> {
    let m = this.byService.get(service);
    if (!m) this.byService.set(service, (m = new Map()));
    return m;
  }
}
