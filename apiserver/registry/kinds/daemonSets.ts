// apps/v1 DaemonSets and the ControllerRevisions that hold their history: server-side
// defaults as Kubernetes sets them, the template generation the controller labels pods
// with, and the checks in daemonSetValidation.ts.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import type { Strategy } from '../strategy.js';
import { validateDaemonSet, validateDaemonSetUpdate } from './daemonSetValidation.js';
import { defaultPodTemplate } from './podDefaults.js';

type Obj = Record<string, unknown>;

/**
 * Where apps/v1 keeps the internal spec.templateGeneration: counts template changes, so the
 * controller can tell pods of an older template by their `pod-template-generation` label.
 */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

const specOf = (o: KubeObject): Obj => (isObject(o.spec) ? o.spec : (o.spec = {}));

/** What SetDefaults_DaemonSet does. */
function defaultDaemonSet(ds: KubeObject): void {
  const spec = specOf(ds);
  spec.revisionHistoryLimit ??= 10;
  const strategy = isObject(spec.updateStrategy) ? spec.updateStrategy : (spec.updateStrategy = {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = isObject(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  defaultPodTemplate(spec.template);
}

function templateGeneration(ds: KubeObject): number {
  const n = Number(ds.metadata.annotations?.[templateGenerationAnnotation]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

function setTemplateGeneration(ds: KubeObject, generation: number): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [templateGenerationAnnotation]: String(generation) };
}

export const daemonSetStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults: defaultDaemonSet,
  prepareForCreate(ds) {
    ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    setTemplateGeneration(ds, 1);
  },
  prepareForUpdate(ds, old) {
    // The generation is the server's: a client's copy of the annotation never moves it.
    const was = templateGeneration(old);
    const changed = !isDeepStrictEqual(specOf(ds).template, isObject(old.spec) ? old.spec.template : undefined);
    setTemplateGeneration(ds, changed ? was + 1 : Math.max(was, 1));
  },
  validate: validateDaemonSet,
  validateUpdate: validateDaemonSetUpdate,
};

function validateControllerRevision(cr: KubeObject): FieldCause[] {
  const revision = (cr as Obj).revision;
  if (revision === undefined || revision === null) return [fe.required('revision')];
  return typeof revision === 'number' && revision < 0 ? [fe.invalid('revision', revision, 'must be greater than or equal to 0')] : [];
}

export const controllerRevisionStrategy: Strategy = {
  hasStatus: false,
  tracksGeneration: false,
  validate: validateControllerRevision,
  // A revision is a snapshot: only its revision number may move (a rollback reuses a revision).
  validateUpdate(cr, old) {
    const a = (cr as Obj).data;
    const b = (old as Obj).data;
    return isDeepStrictEqual(a, b) ? [] : [fe.invalid('data', a ?? null, 'field is immutable')];
  },
};
