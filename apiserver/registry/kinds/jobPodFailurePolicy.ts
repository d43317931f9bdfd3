// A Job's spec.podFailurePolicy, checked as Kubernetes' batch validation does and with its
// field paths and words: at most 20 rules; each rule an action and exactly one of
// onExitCodes (operator In/NotIn, a named container of the template, 1-255 values, unique,
// ordered, no 0 with In) or onPodConditions (at most 20 patterns, a qualified condition type,
// status True/False/Unknown); pods that never restart in place (restartPolicy Never) and are
// replaced only once Failed (podReplacementPolicy Failed, the default with a policy).
// FailIndex needs backoffLimitPerIndex, which this server does not support yet.

import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { qualifiedNameErrors } from '../../../common/selectors/validation.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';

type Obj = Record<string, unknown>;

export const maxPodFailurePolicyRules = 20;
export const maxOnExitCodesValues = 255;
export const maxOnPodConditionsPatterns = 20;
/** Kubernetes lists supported values sorted. */
export const podFailurePolicyActions = ['Count', 'FailIndex', 'FailJob', 'Ignore'] as const;
export const onExitCodesOperators = ['In', 'NotIn'] as const;
export const onPodConditionsStatuses = ['False', 'True', 'Unknown'] as const;

const obj = (v: unknown): Obj => (isObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** Go's %q of a string slice: `["a" "b"]`. */
const quotedList = (values: readonly string[]): string => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
const tooMany = (field: string, actual: number, max: number): FieldCause => ({ reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field });
/** field.Invalid with the value omitted (the whole rule is the problem). */
const invalidRule = (field: string, detail: string): FieldCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${detail}`, field });
const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** Defaults Kubernetes applies with a policy: pattern status True, pods replaced only once Failed. */
export function defaultPodFailurePolicy(spec: Obj): void {
  if (!isObject(spec.podFailurePolicy)) return;
  spec.podReplacementPolicy ??= 'Failed';
  for (const rule of list(spec.podFailurePolicy.rules)) {
    for (const pattern of list(obj(rule).onPodConditions)) if (isObject(pattern) && (pattern.status === undefined || pattern.status === '')) pattern.status = 'True';
  }
}

/** Checks of spec.podFailurePolicy and of what it needs elsewhere in the spec, at `path` (the JobSpec's). */
export function validatePodFailurePolicy(spec: Obj, path: string): FieldCause[] {
  if (!isSet(spec.podFailurePolicy)) return [];
  const out: FieldCause[] = [];
  const policyPath = `${path}.podFailurePolicy`;
  const rules = list(obj(spec.podFailurePolicy).rules);
  if (rules.length > maxPodFailurePolicyRules) out.push(tooMany(`${policyPath}.rules`, rules.length, maxPodFailurePolicyRules));
  const podSpec = obj(obj(spec.template).spec);
  const containerNames = new Set([...list(podSpec.containers), ...list(podSpec.initContainers)].map((c) => obj(c).name));
  rules.forEach((rule, i) => out.push(...validateRule(spec, obj(rule), `${policyPath}.rules[${i}]`, containerNames)));

  const restart = podSpec.restartPolicy;
  if (restart === 'OnFailure') out.push(fe.invalid(`${path}.template.spec.restartPolicy`, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  const replacement = spec.podReplacementPolicy;
  if (isSet(replacement) && replacement !== 'Failed') out.push(fe.notSupported(`${path}.podReplacementPolicy`, replacement, ['Failed']));
  return out;
}

function validateRule(spec: Obj, rule: Obj, rulePath: string, containerNames: ReadonlySet<unknown>): FieldCause[] {
  const out: FieldCause[] = [];
  const action = rule.action;
  const actionPath = `${rulePath}.action`;
  if (action === undefined || action === null || action === '') {
    out.push(fe.required(actionPath, `valid values: ${quotedList(podFailurePolicyActions)}`));
  } else if (action === 'FailIndex') {
    if (!isSet(spec.backoffLimitPerIndex)) out.push(fe.invalid(actionPath, action, 'requires the backoffLimitPerIndex to be set'));
    // With backoffLimitPerIndex set, that field is refused (not supported by this server yet).
  } else if (!(podFailurePolicyActions as readonly unknown[]).includes(action)) {
    out.push(fe.notSupported(actionPath, action, podFailurePolicyActions));
  }
  const hasExitCodes = isSet(rule.onExitCodes);
  const patterns = list(rule.onPodConditions);
  if (hasExitCodes) out.push(...validateOnExitCodes(obj(rule.onExitCodes), `${rulePath}.onExitCodes`, containerNames));
  if (patterns.length > 0) out.push(...validateOnPodConditions(patterns, `${rulePath}.onPodConditions`));
  if (hasExitCodes && patterns.length > 0) out.push(invalidRule(rulePath, 'specifying both OnExitCodes and OnPodConditions is not supported'));
  if (!hasExitCodes && patterns.length === 0) out.push(invalidRule(rulePath, 'specifying one of OnExitCodes and OnPodConditions is required'));
  return out;
}

function validateOnExitCodes(req: Obj, reqPath: string, containerNames: ReadonlySet<unknown>): FieldCause[] {
  const out: FieldCause[] = [];
  const operator = req.operator;
  if (operator === undefined || operator === null || operator === '') out.push(fe.required(`${reqPath}.operator`, `valid values: ${quotedList(onExitCodesOperators)}`));
  else if (!(onExitCodesOperators as readonly unknown[]).includes(operator)) out.push(fe.notSupported(`${reqPath}.operator`, operator, onExitCodesOperators));
  if (isSet(req.containerName) && !containerNames.has(req.containerName)) {
    out.push(fe.invalid(`${reqPath}.containerName`, req.containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  const valuesPath = `${reqPath}.values`;
  const values = list(req.values);
  if (values.length === 0) out.push(fe.invalid(valuesPath, values, 'at least one value is required'));
  else if (values.length > maxOnExitCodesValues) out.push(tooMany(valuesPath, values.length, maxOnExitCodesValues));
  let ordered = true;
  const seen = new Set<unknown>();
  values.forEach((v, j) => {
    if (operator === 'In' && v === 0) out.push(fe.invalid(`${valuesPath}[${j}]`, v, 'must not be 0 for the In operator'));
    if (seen.has(v)) out.push(fe.duplicate(`${valuesPath}[${j}]`, v));
    else seen.add(v);
    if (j > 0 && (values[j - 1] as number) > (v as number)) ordered = false;
  });
  if (!ordered) out.push(fe.invalid(valuesPath, values, 'must be ordered'));
  return out;
}

function validateOnPodConditions(patterns: unknown[], patternsPath: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (patterns.length > maxOnPodConditionsPatterns) out.push(tooMany(patternsPath, patterns.length, maxOnPodConditionsPatterns));
  patterns.forEach((p, j) => {
    const pattern = obj(p);
    const patternPath = `${patternsPath}[${j}]`;
    const type = typeof pattern.type === 'string' ? pattern.type : '';
    for (const why of qualifiedNameErrors(type)) out.push(fe.invalid(`${patternPath}.type`, type, why));
    const status = pattern.status;
    if (status === undefined || status === null || status === '') out.push(fe.required(`${patternPath}.status`, `valid values: ${quotedList(onPodConditionsStatuses)}`));
    else if (!(onPodConditionsStatuses as readonly unknown[]).includes(status)) out.push(fe.notSupported(`${patternPath}.status`, status, onPodConditionsStatuses));
  });
  return out;
}
