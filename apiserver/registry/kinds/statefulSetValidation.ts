// What Kubernetes checks in a StatefulSet beyond the schema: the selector selects the
// template's pods, which restart in place (Always) and run without a deadline; a policy and
// update strategy Gantry's controller carries out; claim templates that are valid claims.
// Once created, only the fields the controller can roll out may change: the pods' identities
// and their claims were made from the rest.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { checkSubdomain } from '../../../common/api/names.js';
import { labelSelectorFromObject, validateLabelSelectorObject, type LabelSelectorObject } from '../../../common/selectors/labels.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { intOrPercent } from './daemonSetValidation.js';
import { validateClaimSpec } from './persistentVolumeClaimValidation.js';
import { list, obj, unset, type Obj } from './persistentVolumeFields.js';

export const podManagementPolicies = ['OrderedReady', 'Parallel'] as const;
export const retentionPolicies = ['Delete', 'Retain'] as const;

/** The spec fields an update may change, in Kubernetes' words for the rest. */
export const mutableSpecFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const;
const immutableMessage = 'updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\', \'revisionHistoryLimit\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden';

function nonNegative(v: unknown, path: string): FieldCause[] {
  return typeof v === 'number' && v < 0 ? [fe.invalid(path, v, 'must be greater than or equal to 0')] : [];
}

function validateSelector(spec: Obj): FieldCause[] {
  if (spec.selector === undefined || spec.selector === null) return [fe.required('spec.selector')];
  const sel = obj(spec.selector);
  if (Object.keys(obj(sel.matchLabels)).length === 0 && list(sel.matchExpressions).length === 0) {
    return [fe.invalid('spec.selector', sel, 'empty selector is invalid for statefulset')];
  }
  const bad = validateLabelSelectorObject(sel as LabelSelectorObject, 'spec.selector');
  if (bad.length) return bad;
  const labels = obj(obj(obj(spec.template).metadata).labels) as Record<string, string>;
  try {
    if (!labelSelectorFromObject(sel as LabelSelectorObject).matches(labels)) return [fe.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`')];
  } catch (e) {
    return [fe.invalid('spec.selector', sel, (e as Error).message)];
  }
  return [];
}

function validateUpdateStrategy(strategyValue: unknown): FieldCause[] {
  const strategy = obj(strategyValue);
  const path = 'spec.updateStrategy';
  switch (strategy.type) {
    case 'RollingUpdate': {
      if (strategy.rollingUpdate === undefined || strategy.rollingUpdate === null) return [];
      const ru = obj(strategy.rollingUpdate);
      const out = nonNegative(ru.partition, `${path}.rollingUpdate.partition`);
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        const m = intOrPercent(ru.maxUnavailable);
        if (!m) out.push(fe.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable, 'a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')'));
        else if (m.value < 1) out.push(fe.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable, 'must be greater than 0'));
        else if (m.percent && m.value > 100) out.push(fe.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable, 'must not be greater than 100%'));
      }
      return out;
    }
    case 'OnDelete':
      return strategy.rollingUpdate === undefined || strategy.rollingUpdate === null ? [] : [fe.invalid(`${path}.rollingUpdate`, strategy.rollingUpdate, 'only allowed for updateStrategy \'RollingUpdate\'')];
    default:
      return unset(strategy.type) ? [fe.required(`${path}.type`)] : [fe.invalid(`${path}.type`, strategy.type, 'must be \'RollingUpdate\' or \'OnDelete\'')];
  }
}

function validateRetentionPolicy(v: unknown): FieldCause[] {
  if (v === undefined || v === null) return [];
  const p = obj(v);
  const out: FieldCause[] = [];
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    if (!(retentionPolicies as readonly unknown[]).includes(p[f])) out.push(fe.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, p[f] ?? '', retentionPolicies));
  }
  return out;
}

function validateClaimTemplates(v: unknown): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  list(v).forEach((t, i) => {
    const path = `spec.volumeClaimTemplates[${i}]`;
    const name = obj(obj(t).metadata).name;
    if (typeof name !== 'string' || name === '') out.push(fe.required(`${path}.metadata.name`));
    else {
      out.push(...checkSubdomain(name).map((m) => fe.invalid(`${path}.metadata.name`, name, m)));
      if (seen.has(name)) out.push(fe.duplicate(`${path}.metadata.name`, name));
      seen.add(name);
    }
    out.push(...validateClaimSpec(obj(t).spec, `${path}.spec`));
  });
  return out;
}

function validateTemplate(spec: Obj): FieldCause[] {
  if (spec.template === undefined || spec.template === null) return [fe.required('spec.template')];
  const podSpec = obj(obj(spec.template).spec);
  const out: FieldCause[] = [];
  if (list(podSpec.containers).length === 0) out.push(fe.required('spec.template.spec.containers'));
  if (podSpec.restartPolicy !== 'Always') out.push(fe.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  // A member of a set is replaced under the same identity, never ended by a deadline.
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    out.push(fe.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return out;
}

export function validateStatefulSet(sts: KubeObject): FieldCause[] {
  if (sts.spec === undefined || sts.spec === null) return [fe.required('spec')];
  const spec = obj(sts.spec);
  const out: FieldCause[] = [];
  if (unset(spec.podManagementPolicy)) out.push(fe.required('spec.podManagementPolicy'));
  else if (!(podManagementPolicies as readonly unknown[]).includes(spec.podManagementPolicy)) {
    out.push(fe.invalid('spec.podManagementPolicy', spec.podManagementPolicy, 'must be \'OrderedReady\' or \'Parallel\''));
  }
  out.push(...validateUpdateStrategy(spec.updateStrategy), ...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy));
  out.push(...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.ordinals !== undefined && spec.ordinals !== null) out.push(...nonNegative(obj(spec.ordinals).start, 'spec.ordinals.start'));
  if (!unset(spec.serviceName) && typeof spec.serviceName === 'string') {
    // Pods' host names live under the governing Service's name.
    for (const m of checkSubdomain(spec.serviceName)) out.push(fe.invalid('spec.serviceName', spec.serviceName, m));
  }
  out.push(...validateSelector(spec), ...validateTemplate(spec), ...validateClaimTemplates(spec.volumeClaimTemplates));
  return out;
}

export function validateStatefulSetUpdate(sts: KubeObject, old: KubeObject): FieldCause[] {
  const next = { ...obj(sts.spec) };
  const was = obj(old.spec);
  for (const f of mutableSpecFields) {
    if (f in was) next[f] = was[f];
    else delete next[f];
  }
  return isDeepStrictEqual(next, was) ? [] : [fe.forbidden('spec', immutableMessage)];
}
