// `gantry wait --for=condition=X[=value] | --for=delete | --for=jsonpath={...}[=value]`:
// waits (by watching, not polling) until each object satisfies the condition; exits 1 with
// the object named when --timeout passes first.

import type { KubeObject } from '../../common/api/meta.js';
import type { CommandContext } from './commands.js';
import { CliError, UsageError } from './errors.js';
import { parseDurationFlag } from './durationFlag.js';
import { evaluatePath } from './jsonpathTemplate.js';
import { resolveTargets, type SelectFlags } from './targets.js';
import { followObject, TimedOut, type Verdict } from './watchObject.js';

export interface WaitFlags extends SelectFlags {
  for?: string;
  timeout?: string;
}

type Condition = { kind: 'delete' } | { kind: 'condition'; type: string; status: string } | { kind: 'jsonpath'; path: string; value?: string };

export function parseFor(v: string | undefined): Condition {
  if (!v) throw new UsageError('--for is required: --for=delete, --for=condition=Available[=true] or --for=jsonpath={.status.phase}=Running');
  if (v === 'delete') return { kind: 'delete' };
  if (v.startsWith('condition=')) {
    const [type, status = 'true'] = v.slice('condition='.length).split('=', 2) as [string, string?];
    if (!type) throw new UsageError(`--for=${v}: name the condition, e.g. condition=Ready`);
    return { kind: 'condition', type, status };
  }
  if (v.startsWith('jsonpath=')) {
    const rest = v.slice('jsonpath='.length);
    const m = /^\{(.+?)\}(?:=(.*))?$/.exec(rest) ?? /^([^=]+)(?:=(.*))?$/.exec(rest);
    if (!m?.[1]) throw new UsageError(`--for=${v}: expected jsonpath={.path} or jsonpath={.path}=value`);
    const path = m[1].startsWith('.') ? m[1] : `.${m[1]}`;
    return m[2] !== undefined ? { kind: 'jsonpath', path, value: m[2] } : { kind: 'jsonpath', path };
  }
  throw new UsageError(`--for must be delete, condition=NAME[=value] or jsonpath={.path}[=value], not "${v}"`);
}

interface WithConditions extends KubeObject {
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; observedGeneration?: number }[] };
}

/** Whether `o` meets `c`; a condition reported for an older generation does not count yet (as in kubectl). */
export function met(c: Condition, o: KubeObject | undefined): boolean {
  if (c.kind === 'delete') return o === undefined;
  if (!o) return false;
  if (c.kind === 'jsonpath') {
    let found: unknown[];
    try {
      found = evaluatePath(o, c.path);
    } catch {
      return false;
    }
    if (c.value === undefined) return found.length > 0 && found[0] !== undefined;
    return found.length === 1 && String(typeof found[0] === 'object' ? JSON.stringify(found[0]) : found[0]) === c.value;
  }
  const st = (o as WithConditions).status;
  const cond = st?.conditions?.find((x) => x.type.toLowerCase() === c.type.toLowerCase());
  if (!cond) return false;
  const observed = cond.observedGeneration ?? st?.observedGeneration;
  if (observed !== undefined && o.metadata?.generation !== undefined && observed < o.metadata.generation) return false;
  return cond.status.toLowerCase() === c.status.toLowerCase();
}

/** kubectl's --timeout: default 30s, 0 checks once, a negative one waits (almost) forever. */
function waitTimeout(v: string | undefined): { once: boolean; ms: number } {
  if (v === undefined) return { once: false, ms: 30_000 };
  if (/^0+(s|m|h|ms)?$/.test(v)) return { once: true, ms: 0 };
  if (v.startsWith('-')) return { once: false, ms: 0 };
  return { once: false, ms: parseDurationFlag('--timeout', v) };
}

export async function waitCommand(ctx: CommandContext, args: string[], flags: WaitFlags): Promise<void> {
  const cond = parseFor(flags.for);
  const timeout = waitTimeout(flags.timeout);
  const s = ctx.session();
  const targets = await resolveTargets(s, args, flags, 'wait for');
  if (!targets.length) throw new CliError('no matching resources found');
  for (const t of targets) {
    // Waiting for a condition of an object that does not exist is an error (the server's NotFound), as in kubectl.
    if (cond.kind !== 'delete') await s.api.get(t.resource, t.namespace, t.name);
    let sawIt = false;
    const check = (o: KubeObject | undefined): Verdict => {
      if (o) sawIt = true;
      if (met(cond, o)) return { done: true };
      if (timeout.once) return { done: false, error: new TimedOut() };
      return { done: false };
    };
    try {
      await followObject(s, t, check, timeout.ms);
    } catch (e) {
      if (e instanceof TimedOut) throw new CliError(`timed out waiting for the condition on ${t.resource.plural}/${t.name}`);
      throw e;
    }
    // A deleted object that was never there: nothing to say (kubectl is silent too).
    if (cond.kind !== 'delete' || sawIt) ctx.io.out(`${t.label} condition met\n`);
  }
}
