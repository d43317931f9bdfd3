// Following one object until a check is satisfied: list it by name, look, then watch from
// that list's resourceVersion and look again at each change (no polling). The server may end
// a watch at any time (its timeout, a 410): then list and watch again. Shared by wait and
// rollout status.

import type { KubeObject } from '../../common/api/meta.js';
import { resourcePath } from '../../common/client/apiClient.js';
import type { Session } from './access.js';
import type { Target } from './targets.js';

/** What a check says of the object's current state (undefined: it does not exist). */
export type Verdict = { done: true } | { done: false; error?: Error };

export class TimedOut extends Error {}

/**
 * Calls `check` with the object on every change until it answers done (resolves) or an
 * error (rejects with it); rejects with TimedOut after `timeoutMs` (0: no limit).
 */
export async function followObject(s: Session, t: Target, check: (o: KubeObject | undefined) => Verdict, timeoutMs: number): Promise<void> {
  const fieldSelector = `metadata.name=${t.name}`;
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const judge = (o: KubeObject | undefined): boolean => {
    const v = check(o);
    if (v.done) return true;
    if (v.error) throw v.error;
    return false;
  };
  for (;;) {
    const list = await s.api.list(t.resource, t.namespace, { fieldSelector });
    if (judge(list.items[0])) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new TimedOut();
    let outcome: { ok: true } | { error: unknown } | undefined;
    const w = s.rest.watch(resourcePath(t.resource, t.namespace), { fieldSelector, resourceVersion: list.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: Math.min(300, Math.ceil(remaining / 1000)) }, (ev) => {
      if (outcome || ev.type === 'BOOKMARK' || ev.type === 'ERROR') {
        if (ev.type === 'ERROR') w.stop();
        return;
      }
      try {
        if (judge(ev.type === 'DELETED' ? undefined : (ev.object as KubeObject))) outcome = { ok: true };
      } catch (e) {
        outcome = { error: e };
      }
      if (outcome) w.stop();
    });
    const timer = Number.isFinite(remaining) ? setTimeout(() => w.stop(), remaining) : undefined;
    await w.done;
    if (timer) clearTimeout(timer);
    if (outcome && 'ok' in outcome) return;
    if (outcome) throw outcome.error;
    if (Date.now() >= deadline) throw new TimedOut();
  }
}
