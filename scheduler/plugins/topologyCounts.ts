// Counts per topology pair (key, value) — "pods matching in zone=a" — with entries that
// drop to zero removed, so "nothing matches anywhere" is simply size === 0.

export class TopologyCounts {
  private readonly m = new Map<string, number>();

  private static pair(key: string, value: string): string {
    return `${key}\x00${value}`;
  }

  add(key: string, value: string, delta: number): void {
    const k = TopologyCounts.pair(key, value);
    const n = (this.m.get(k) ?? 0) + delta;
    if (n === 0) this.m.delete(k);
    else this.m.set(k, n);
  }

  get(key: string, value: string): number {
    return this.m.get(TopologyCounts.pair(key, value)) ?? 0;
  }

  get size(): number {
    return this.m.size;
  }

  /** Sum over a node's labels of the count for each (label, value) pair. */
  sumOverLabels(labels: Readonly<Record<string, string>>): number {
    if (this.m.size === 0) return 0;
    let s = 0;
    for (const k in labels) s += this.m.get(TopologyCounts.pair(k, labels[k]!)) ?? 0;
    return s;
  }

  /** True when some (label, value) pair of the node has a positive count. */
  anyPositive(labels: Readonly<Record<string, string>>): boolean {
    if (this.m.size === 0) return false;
    for (const k in labels) if ((this.m.get(TopologyCounts.pair(k, labels[k]!)) ?? 0) > 0) return true;
    return false;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, v] of this.m) c.m.set(k, v);
    return c;
  }
}
