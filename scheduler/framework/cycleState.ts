// Per-pod, per-cycle scratch space shared by a plugin's extension points (PreFilter ->
// Filter, PreScore -> Score). Preemption clones it before trying to remove pods, so
// values that are changed by addPod/removePod must implement clone().

export interface Cloneable {
  clone(): Cloneable;
}

function isCloneable(v: unknown): v is Cloneable {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Cloneable>).clone === 'function';
}

export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Filter plugins whose PreFilter returned Skip for this pod. */
  readonly skipFilter = new Set<string>();
  /** Score plugins whose PreScore returned Skip for this pod. */
  readonly skipScore = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, isCloneable(v) ? v.clone() : v);
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    return c;
  }
}
