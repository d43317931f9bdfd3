import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import type { Strategy } from '../strategy.js';
import { admitPodServiceAccount, defaultPodSpec } from './podDefaults.js';
import { isDeepStrictEqual } from 'node:util';
import equal from 'fast-deep-equal';

type Obj = Record<string, unknown>;

function qosClass(spec: Obj): string {
  const cs = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])].filter(isObject);
  let anyRequest = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const r = isObject(c.resources) ? c.resources : {};
    const req = isObject(r.requests) ? r.requests : {};
    const lim = isObject(r.limits) ? r.limits : {};
    if (Object.keys(req).length || Object.keys(lim).length) anyRequest = true;
    for (const res of ['cpu', 'memory']) {
      if (lim[res] === undefined) guaranteed = false;
      else if (req[res] !== undefined && String(req[res]) !== String(lim[res])) guaranteed = false;
    }
  }
  if (guaranteed && anyRequest) return 'Guaranteed';
  return anyRequest ? 'Burstable' : 'BestEffort';
}

function copyLimitsToRequests(spec: Obj): void {
  for (const list of ['containers', 'initContainers']) {
    const cs = spec[list];
    if (!Array.isArray(cs)) continue;
    for (const c of cs) {
      if (!isObject(c) || !isObject(c.resources) || !isObject(c.resources.limits)) continue;
      const req = (c.resources.requests = isObject(c.resources.requests) ? c.resources.requests : {});
      for (const [k, v] of Object.entries(c.resources.limits)) if (req[k] === undefined) req[k] = v;
    }
  }
}

const terminalPhases = new Set(['Succeeded', 'Failed']);

export const podStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: false,
  defaults(obj: KubeObject) {
    defaultPodSpec(obj.spec);
    if (isObject(obj.spec)) copyLimitsToRequests(obj.spec);
  },
  prepareForCreate(obj: KubeObject) {
    admitPodServiceAccount(obj.spec);
    const spec = isObject(obj.spec) ? obj.spec : {};
    obj.status = { phase: 'Pending', qosClass: qosClass(spec) };
  },
  validate(obj: KubeObject): FieldCause[] {
    const out: FieldCause[] = [];
    const spec = isObject(obj.spec) ? obj.spec : undefined;
    if (!spec) return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec' }];
    const cs = Array.isArray(spec.containers) ? spec.containers : [];
    if (cs.length === 0) out.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' });
    const seen = new Set<string>();
    const all = [...cs.map((c, i) => ['containers', i, c] as const), ...(Array.isArray(spec.initContainers) ? spec.initContainers : []).map((c, i) => ['initContainers', i, c] as const)];
    for (const [list, i, c] of all) {
      if (!isObject(c)) continue;
      const name = typeof c.name === 'string' ? c.name : '';
      if (seen.has(name)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(name)}`, field: `spec.${list}[${i}].name` });
      seen.add(name);
      if (typeof c.image !== 'string' || c.image.trim() === '') {
        out.push({ reason: 'FieldValueRequired', message: 'Required value', field: `spec.${list}[${i}].image` });
      }
    }
    return out;
  },
  validateUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
    // Most writes (every status write: the store keeps the stored spec) leave the spec as it
    // is: an unchanged spec needs none of the copying below.
    if (equal(obj.spec, old.spec)) return [];
    // A pod's spec is immutable except for images, activeDeadlineSeconds and tolerations additions.
    const a = isObject(obj.spec) ? structuredClone(obj.spec) : {};
    const b = isObject(old.spec) ? structuredClone(old.spec) : {};
    for (const s of [a, b]) {
      for (const list of ['containers', 'initContainers']) {
        const cs = s[list];
        if (Array.isArray(cs)) for (const c of cs) if (isObject(c)) delete c.image;
      }
      delete s.activeDeadlineSeconds;
      delete s.tolerations;
    }
    // Binding sets nodeName once; it may not change afterwards.
    if (!b.nodeName) delete a.nodeName;
    if (isDeepStrictEqual(a, b)) return [];
    return [{ reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)', field: 'spec' }];
  },
  deletion(obj: KubeObject, requested: number | undefined) {
    const spec = isObject(obj.spec) ? obj.spec : {};
    const status = isObject(obj.status) ? obj.status : {};
    // Unscheduled or finished pods have nothing running: they go at once.
    if (!spec.nodeName || terminalPhases.has(String(status.phase))) return { gracePeriodSeconds: 0 };
    const fromSpec = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
    const grace = requested ?? fromSpec;
    return { gracePeriodSeconds: Math.max(0, grace) };
  },
};
