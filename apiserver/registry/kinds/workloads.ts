// Deployments and ReplicaSets.

import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { labelSelectorFromObject } from '../../../common/selectors/labels.js';
import { isDeepStrictEqual } from 'node:util';
import type { Strategy } from '../strategy.js';
import { defaultPodTemplate } from './podDefaults.js';

function selectorCauses(obj: KubeObject): FieldCause[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  if (!isObject(spec.selector)) return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }];
  const sel = spec.selector;
  const template = isObject(spec.template) ? spec.template : {};
  const tmeta = isObject(template.metadata) ? template.metadata : {};
  const labels = (isObject(tmeta.labels) ? tmeta.labels : {}) as Record<string, string>;
  if (!Object.keys(isObject(sel.matchLabels) ? sel.matchLabels : {}).length && !(Array.isArray(sel.matchExpressions) && sel.matchExpressions.length)) {
    return [{ reason: 'FieldValueInvalid', message: 'Invalid value: {}: empty selector is invalid for deployment', field: 'spec.selector' }];
  }
  try {
    const compiled = labelSelectorFromObject(sel as Parameters<typeof labelSelectorFromObject>[0]);
    if (!compiled.matches(labels)) {
      return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``, field: 'spec.template.metadata.labels' }];
    }
  } catch (e) {
    return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${(e as Error).message}`, field: 'spec.selector' }];
  }
  return [];
}

function selectorImmutable(obj: KubeObject, old: KubeObject): FieldCause[] {
  const a = isObject(obj.spec) ? obj.spec.selector : undefined;
  const b = isObject(old.spec) ? old.spec.selector : undefined;
  return isDeepStrictEqual(a, b) ? [] : [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(a)}: field is immutable`, field: 'spec.selector' }];
}

function replicaCauses(obj: KubeObject): FieldCause[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const r = spec.replicas;
  return typeof r === 'number' && r < 0 ? [{ reason: 'FieldValueInvalid', message: `Invalid value: ${r}: must be greater than or equal to 0`, field: 'spec.replicas' }] : [];
}

export const deploymentStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(obj) {
    const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    const strategy = isObject(spec.strategy) ? spec.strategy : (spec.strategy = {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = isObject(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
      ru.maxUnavailable ??= '25%';
      ru.maxSurge ??= '25%';
    }
    defaultPodTemplate(spec.template);
  },
  prepareForCreate(obj) {
    delete obj.status;
  },
  validate: (obj) => [...replicaCauses(obj), ...selectorCauses(obj)],
  validateUpdate: selectorImmutable,
};

export const replicaSetStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults(obj) {
    const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
  },
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  validate: (obj) => [...replicaCauses(obj), ...selectorCauses(obj)],
  validateUpdate: selectorImmutable,
};
