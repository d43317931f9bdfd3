// What this controller last wrote, kept until the informer's cache catches up (Kubernetes'
// binder does the same with storeObjectUpdate): a bind is four writes, and the sync that
// follows one of them must not decide on the older cached copy and conflict (or worse, judge
// a half-bound pair) while the watch event is on its way.

import type { KubeObject } from '../../common/api/meta.js';

const revision = (o: KubeObject): bigint | undefined => {
  const rv = o.metadata.resourceVersion;
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
};

export class LatestWrites<T extends KubeObject> {
  private readonly written = new Map<string, T>();

  remember(key: string, obj: T): T {
    this.written.set(key, obj);
    return obj;
  }

  /** The newer of the cached object and the one written; nothing when the cache has none (deleted). */
  freshest(key: string, cached: T | undefined): T | undefined {
    const mine = this.written.get(key);
    if (!mine) return cached;
    if (!cached) {
      this.written.delete(key);
      return undefined;
    }
    const a = revision(mine);
    const b = revision(cached);
    if (a !== undefined && b !== undefined && a > b && mine.metadata.uid === cached.metadata.uid) return mine;
    this.written.delete(key);
    return cached;
  }
}
