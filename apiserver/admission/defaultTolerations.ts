// Kubernetes' DefaultTolerationSeconds admission: a pod created without a toleration of the
// node-lifecycle NoExecute taints gets one for each, bounded in time, so that when its node
// goes silent (unreachable) or reports NotReady the pod is evicted after that many seconds
// and its controller replaces it elsewhere. Kubernetes bounds them at 300 s; Gantry's
// default is 4 s (--default-not-ready-toleration-seconds,
// --default-unreachable-toleration-seconds) so a dead node's pods run elsewhere within 15 s.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { notReadyTaintKey, unreachableTaintKey } from '../../common/api/tolerations.js';

export { notReadyTaintKey, unreachableTaintKey };


export interface DefaultTolerationSeconds {
  notReady: number;
  unreachable: number;
}

export const gantryDefaultTolerationSeconds: DefaultTolerationSeconds = { notReady: 4, unreachable: 4 };

/** Whether an existing toleration already covers the NoExecute taint `key` (a key-less toleration covers every key). */
function covers(t: unknown, key: string): boolean {
  if (!isObject(t)) return false;
  const k = typeof t.key === 'string' ? t.key : '';
  const effect = typeof t.effect === 'string' ? t.effect : '';
  return (k === key || k === '') && (effect === 'NoExecute' || effect === '');
}

export function admitDefaultTolerations(pod: KubeObject, seconds: DefaultTolerationSeconds): void {
  const spec = isObject(pod.spec) ? pod.spec : (pod.spec = {});
  const tolerations: unknown[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const add: unknown[] = [];
  for (const [key, s] of [[notReadyTaintKey, seconds.notReady], [unreachableTaintKey, seconds.unreachable]] as const) {
    if (!tolerations.some((t) => covers(t, key))) add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s });
  }
  if (add.length) spec.tolerations = [...tolerations, ...add];
}
