// `gantry apply --wait`: after applying, follow each applied Deployment until it has rolled
// out, each Job until it completes and each Pod until it is Ready (or has succeeded), one
// after another under one overall --timeout. On a terminal one line per object shows the
// live progress and is rewritten in place; otherwise only the outcome is printed. A
// deployment past its progress deadline, a failed Job or a failed Pod ends the wait with the
// reason (exit 1).

import type { KubeObject } from '../../common/api/meta.js';
import type { Session } from './access.js';
import type { Colors } from './color.js';
import type { Condition, Deployment, Pod } from './describe/wire.js';
import { CliError } from './errors.js';
import { rolloutStatus } from './rollout.js';
import type { Target } from './targets.js';
import { followObject, TimedOut } from './watchObject.js';

/** Where an object is: a progress line, done (with the word for it), or failed (with why). */
export type WaitState = { progress: string } | { done: string } | { failed: string };

interface Job extends KubeObject {
  spec?: { completions?: number; parallelism?: number };
  status?: { active?: number; succeeded?: number; failed?: number; ready?: number; conditions?: Condition[] };
}

const isTrue = (conds: Condition[] | undefined, type: string): Condition | undefined => conds?.find((c) => c.type === type && c.status === 'True');

export function deploymentState(d: Deployment): WaitState {
  const st = rolloutStatus(d);
  if (st.error) return { failed: st.error };
  if (st.done) return { done: 'rolled out' };
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return { progress: 'waiting for the controller to see the change' };
  return { progress: `${s.updatedReplicas ?? 0} updated, ${s.readyReplicas ?? 0} ready, ${s.availableReplicas ?? 0} available of ${d.spec?.replicas ?? 1}${(s.replicas ?? 0) > (s.updatedReplicas ?? 0) ? `; ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old pending termination` : ''}` };
}

export function jobState(j: Job): WaitState {
  const conds = j.status?.conditions;
  const failed = isTrue(conds, 'Failed');
  if (failed) return { failed: `job "${j.metadata?.name}" failed${failed.reason ? `: ${failed.reason}` : ''}${failed.message ? `: ${failed.message}` : ''}` };
  if (isTrue(conds, 'Complete')) return { done: 'complete' };
  const s = j.status ?? {};
  return { progress: `${s.succeeded ?? 0}/${j.spec?.completions ?? 1} succeeded, ${s.active ?? 0} active, ${s.failed ?? 0} failed` };
}

export function podState(p: Pod): WaitState {
  const st = p.status ?? {};
  if (st.phase === 'Failed') return { failed: `pod "${p.metadata?.name}" failed${st.reason ? `: ${st.reason}` : ''}${st.message ? `: ${st.message}` : ''}` };
  if (st.phase === 'Succeeded') return { done: 'succeeded' };
  if (isTrue(st.conditions, 'Ready')) return { done: 'ready' };
  const waiting = (st.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter(Boolean);
  return { progress: `${st.phase ?? 'Pending'}${waiting.length ? ` (${[...new Set(waiting)].join(', ')})` : ''}, not ready` };
}

/** The state function for an object's kind; undefined for kinds there is nothing to wait for. */
export function stateFor(t: Target): ((o: KubeObject) => WaitState) | undefined {
  const { group, kind } = t.resource;
  if (group === 'apps' && kind === 'Deployment') return (o) => deploymentState(o as Deployment);
  if (group === 'batch' && kind === 'Job') return (o) => jobState(o as Job);
  if (group === '' && kind === 'Pod') return (o) => podState(o as Pod);
  return undefined;
}

export interface WaitOutput {
  out(text: string): void;
  isTTY: boolean;
  colors: Colors;
}

/** Waits for each target in turn; throws CliError with the reason on the first failure or the timeout. */
export async function waitForApplied(s: Session, targets: Target[], timeoutMs: number, w: WaitOutput): Promise<void> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  for (const t of targets) {
    const state = stateFor(t);
    if (!state) continue;
    let shown = '';
    const show = (line: string): void => {
      if (!w.isTTY || line === shown) return;
      w.out(`\r\x1b[K${line}`);
      shown = line;
    };
    const clear = (): void => {
      if (shown) w.out('\r\x1b[K');
    };
    let last = 'not found yet';
    try {
      await followObject(
        s,
        t,
        (o) => {
          if (!o) return { done: false, error: new CliError(`${t.label} was deleted while waiting for it`) };
          const st = state(o);
          if ('failed' in st) return { done: false, error: new CliError(`${t.label}: ${st.failed}`) };
          if ('done' in st) {
            clear();
            w.out(`${t.label} ${w.colors.green(st.done)}\n`);
            return { done: true };
          }
          last = st.progress;
          show(`${t.label}: ${w.colors.dim(st.progress)}`);
          return { done: false };
        },
        Math.max(1, deadline - Date.now()),
      );
    } catch (e) {
      clear();
      if (e instanceof TimedOut) throw new CliError(`timed out waiting for ${t.label} (last: ${last})`);
      throw e;
    }
  }
}
