// What Kubernetes checks in a DaemonSet beyond the schema: the selector selects the
// template's pods, the pods restart (Always: a daemon that exits is restarted, never
// replaced by a new pod), the update strategy is one Gantry's controller carries out, and a
// rolling update can move (maxUnavailable and maxSurge are not both 0; upstream also refuses
// both non-zero). The selector is immutable: the controller finds its pods through it.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { labelSelectorFromObject } from '../../../common/selectors/labels.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (isObject(v) ? v : {});

export const daemonSetUpdateStrategies = ['RollingUpdate', 'OnDelete'] as const;

/** An IntOrString that is an integer or `N%`; undefined when it is neither (`"5"`, `-1`, `"x%"`). */
export function intOrPercent(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? { value: v, percent: false } : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(-?\d+)%$/.exec(v);
  return m ? { value: Number(m[1]), percent: true } : undefined;
}

/** One of maxUnavailable/maxSurge: a non-negative integer or a percentage of at most 100%. */
function validateIntOrPercent(v: unknown, path: string): FieldCause[] {
  if (v === undefined || v === null) return [];
  const parsed = intOrPercent(v);
  if (!parsed) return [fe.invalid(path, v, 'a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')')];
  if (parsed.value < 0) return [fe.invalid(path, v, 'must be greater than or equal to 0')];
  if (parsed.percent && parsed.value > 100) return [fe.invalid(path, v, 'must not be greater than 100%')];
  return [];
}

const isZero = (v: unknown): boolean => intOrPercent(v)?.value === 0 || v === undefined || v === null;

function validateUpdateStrategy(strategyValue: unknown): FieldCause[] {
  const strategy = obj(strategyValue);
  const path = 'spec.updateStrategy';
  if (strategy.type === 'OnDelete') return [];
  if (strategy.type !== 'RollingUpdate') return [fe.notSupported(`${path}.type`, strategy.type ?? '', daemonSetUpdateStrategies)];
  if (!isObject(strategy.rollingUpdate)) return [fe.required(`${path}.rollingUpdate`)];
  const ru = strategy.rollingUpdate;
  const out = [...validateIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`), ...validateIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`)];
  if (out.length > 0) return out;
  const unavailable = !isZero(ru.maxUnavailable);
  const surge = !isZero(ru.maxSurge);
  if (unavailable && surge) out.push(fe.invalid(`${path}.rollingUpdate.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!unavailable && !surge) out.push(fe.required(`${path}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return out;
}

function validateSelector(spec: Obj): FieldCause[] {
  if (!isObject(spec.selector)) return [fe.required('spec.selector')];
  const sel = spec.selector;
  const hasLabels = Object.keys(obj(sel.matchLabels)).length > 0;
  const hasExpressions = Array.isArray(sel.matchExpressions) && sel.matchExpressions.length > 0;
  if (!hasLabels && !hasExpressions) return [fe.invalid('spec.selector', sel, 'empty selector is invalid for daemonset')];
  const labels = obj(obj(obj(spec.template).metadata).labels) as Record<string, string>;
  try {
    const compiled = labelSelectorFromObject(sel as Parameters<typeof labelSelectorFromObject>[0]);
    if (!compiled.matches(labels)) return [fe.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`')];
  } catch (e) {
    return [fe.invalid('spec.selector', sel, (e as Error).message)];
  }
  return [];
}

export function validateDaemonSet(ds: KubeObject): FieldCause[] {
  if (!isObject(ds.spec)) return [fe.required('spec')];
  const spec = ds.spec;
  const out: FieldCause[] = [...validateSelector(spec)];
  for (const f of ['minReadySeconds', 'revisionHistoryLimit']) {
    const v = spec[f];
    if (typeof v === 'number' && v < 0) out.push(fe.invalid(`spec.${f}`, v, 'must be greater than or equal to 0'));
  }
  if (!isObject(spec.template)) {
    out.push(fe.required('spec.template'));
    return out;
  }
  const podSpec = obj(spec.template.spec);
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  if (containers.length === 0) out.push(fe.required('spec.template.spec.containers'));
  if (podSpec.restartPolicy !== 'Always') out.push(fe.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  // A deadline would end a daemon that is meant to run for as long as its node does.
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    out.push(fe.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  out.push(...validateUpdateStrategy(spec.updateStrategy));
  return out;
}

export function validateDaemonSetUpdate(ds: KubeObject, old: KubeObject): FieldCause[] {
  const a = obj(ds.spec).selector;
  const b = obj(old.spec).selector;
  return isDeepStrictEqual(a, b) ? [] : [fe.invalid('spec.selector', a ?? null, 'field is immutable')];
}
