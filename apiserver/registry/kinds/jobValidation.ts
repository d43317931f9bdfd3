// What Kubernetes checks in a Job's spec beyond the schema (also the spec inside a CronJob's
// jobTemplate): counts are not negative, an Indexed job says how many completions, the pods
// may not restart forever (OnFailure or Never), the selector selects the template's pods, and
// what was generated for the job (its selector, the controller-uid labels) names this job.
// Updates keep what the running pods depend on: selector, completions, completion mode and
// the pod template and the podFailurePolicy. The podFailurePolicy's own checks live in
// jobPodFailurePolicy.ts.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { labelSelectorFromObject } from '../../../common/selectors/labels.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { validatePodFailurePolicy } from './jobPodFailurePolicy.js';

type Obj = Record<string, unknown>;

/** The labels a generated selector relies on (Kubernetes 1.27+ writes both spellings). */
export const jobLabels = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  legacyControllerUid: 'controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyJobName: 'job-name',
} as const;

export const completionModes = ['NonIndexed', 'Indexed'] as const;
export const podReplacementPolicies = ['TerminatingOrFailed', 'Failed'] as const;
const jobRestartPolicies = ['OnFailure', 'Never'] as const;
/** Kubernetes caps an Indexed job's completions and parallelism (the completed-indexes string stays bounded). */
const maxIndexedCompletions = 100_000;

const obj = (v: unknown): Obj => (isObject(v) ? v : {});

function nonNegative(spec: Obj, path: string, field: string): FieldCause[] {
  const v = spec[field];
  return typeof v === 'number' && v < 0 ? [fe.invalid(`${path}.${field}`, v, 'must be greater than or equal to 0')] : [];
}

/** Features of batch/v1 Gantry's Job controller does not act on yet: refused rather than silently ignored. */
const unsupportedFields = ['successPolicy', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const;

/** The checks every JobSpec gets, at `path` (`spec` or `spec.jobTemplate.spec`). */
export function validateJobSpec(specValue: unknown, path: string): FieldCause[] {
  const spec = obj(specValue);
  const out: FieldCause[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) out.push(...nonNegative(spec, path, f));
  for (const f of unsupportedFields) if (spec[f] !== undefined && spec[f] !== null) out.push(fe.forbidden(`${path}.${f}`, 'not supported by this server yet'));

  const mode = spec.completionMode;
  if (mode !== undefined && !(completionModes as readonly unknown[]).includes(mode)) out.push(fe.notSupported(`${path}.completionMode`, mode, completionModes));
  if (mode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) out.push(fe.required(`${path}.completions`, 'when completion mode is Indexed'));
    for (const f of ['completions', 'parallelism']) {
      const v = spec[f];
      if (typeof v === 'number' && v > maxIndexedCompletions) out.push(fe.invalid(`${path}.${f}`, v, `must be less than or equal to ${maxIndexedCompletions} when completion mode is Indexed`));
    }
  }
  const replacement = spec.podReplacementPolicy;
  // With a podFailurePolicy only Failed is allowed (checked with the policy).
  if (replacement !== undefined && spec.podFailurePolicy === undefined && !(podReplacementPolicies as readonly unknown[]).includes(replacement)) {
    out.push(fe.notSupported(`${path}.podReplacementPolicy`, replacement, podReplacementPolicies));
  }

  if (!isObject(spec.template)) {
    out.push(fe.required(`${path}.template`));
    return out;
  }
  const podSpec = obj(spec.template.spec);
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  if (containers.length === 0) out.push(fe.required(`${path}.template.spec.containers`));
  const restart = podSpec.restartPolicy;
  if (!(jobRestartPolicies as readonly unknown[]).includes(restart)) out.push(fe.notSupported(`${path}.template.spec.restartPolicy`, restart ?? '', jobRestartPolicies));
  out.push(...validatePodFailurePolicy(spec, path));
  out.push(...selectorMatchesTemplate(spec, path));
  return out;
}

/** A set selector must compile, select something and select the template's labels. */
function selectorMatchesTemplate(spec: Obj, path: string): FieldCause[] {
  if (spec.selector === undefined || spec.selector === null) return [];
  const sel = obj(spec.selector);
  const hasLabels = Object.keys(obj(sel.matchLabels)).length > 0;
  const hasExpressions = Array.isArray(sel.matchExpressions) && sel.matchExpressions.length > 0;
  if (!hasLabels && !hasExpressions) return [fe.invalid(`${path}.selector`, sel, 'empty selector is invalid for job')];
  const labels = obj(obj(obj(spec.template).metadata).labels) as Record<string, string>;
  try {
    const compiled = labelSelectorFromObject(sel as Parameters<typeof labelSelectorFromObject>[0]);
    if (!compiled.matches(labels)) return [fe.invalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`')];
  } catch (e) {
    return [fe.invalid(`${path}.selector`, sel, (e as Error).message)];
  }
  return [];
}

/**
 * A job whose selector the server generated (manualSelector not true) must select pods
 * labelled with its own uid and name, and its template must carry those labels: a client
 * may not point a generated-looking selector at another job's pods.
 */
function validateGeneratedSelector(job: KubeObject): FieldCause[] {
  const spec = obj(job.spec);
  if (spec.manualSelector === true) return [];
  const uid = job.metadata.uid ?? '';
  if (uid === '') return [fe.required('metadata.uid')];
  const name = job.metadata.name ?? '';
  const expected: Record<string, string> = {
    [jobLabels.controllerUid]: uid,
    [jobLabels.legacyControllerUid]: uid,
    [jobLabels.jobName]: name,
    [jobLabels.legacyJobName]: name,
  };
  const out: FieldCause[] = [];
  if (spec.selector === undefined || spec.selector === null) return [fe.required('spec.selector')];
  try {
    if (!labelSelectorFromObject(spec.selector as Parameters<typeof labelSelectorFromObject>[0]).matches(expected)) {
      out.push(fe.invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
    }
  } catch {
    // Reported by selectorMatchesTemplate.
  }
  const labels = obj(obj(obj(spec.template).metadata).labels);
  for (const key of [jobLabels.controllerUid, jobLabels.legacyControllerUid]) {
    if (labels[key] !== undefined && labels[key] !== uid) out.push(fe.invalid(`spec.template.metadata.labels[${key}]`, labels[key], `must be '${uid}'`));
  }
  return out;
}

export function validateJob(job: KubeObject): FieldCause[] {
  if (!isObject(job.spec)) return [fe.required('spec')];
  return [...validateJobSpec(job.spec, 'spec'), ...validateGeneratedSelector(job)];
}

function immutable(path: string, a: unknown, b: unknown): FieldCause[] {
  return isDeepStrictEqual(a, b) ? [] : [fe.invalid(path, a ?? null, 'field is immutable')];
}

/** What the running pods depend on does not change after creation. */
export function validateJobUpdate(job: KubeObject, old: KubeObject): FieldCause[] {
  const spec = obj(job.spec);
  const was = obj(old.spec);
  return [
    ...immutable('spec.selector', spec.selector, was.selector),
    ...immutable('spec.completions', spec.completions, was.completions),
    ...immutable('spec.completionMode', spec.completionMode, was.completionMode),
    ...immutable('spec.manualSelector', spec.manualSelector, was.manualSelector),
    ...immutable('spec.template', spec.template, was.template),
    ...immutable('spec.podFailurePolicy', spec.podFailurePolicy, was.podFailurePolicy),
  ];
}
