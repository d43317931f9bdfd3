// apps/v1 StatefulSets: pods with stable names and their own claims. Server-side defaults as
// Kubernetes sets them (claim templates defaulted like claims, so the controller and
// `kubectl get -o yaml` see what a created claim will hold); checks in statefulSetValidation.ts.

import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { Strategy } from '../strategy.js';
import { defaultClaimSpec } from './persistentVolumeClaims.js';
import { list, obj } from './persistentVolumeFields.js';
import { defaultPodTemplate } from './podDefaults.js';
import { validateStatefulSet, validateStatefulSetUpdate } from './statefulSetValidation.js';

/** A claim template as SetObjectDefaults_StatefulSet leaves it: a typed, Pending, defaulted claim. */
function defaultClaimTemplate(t: unknown): void {
  if (!isObject(t)) return;
  const template = t;
  template.apiVersion ??= 'v1';
  template.kind ??= 'PersistentVolumeClaim';
  if (template.spec === undefined || template.spec === null) template.spec = {};
  defaultClaimSpec(template.spec);
  if (isObject(template.status)) template.status.phase ??= 'Pending';
  else template.status = { phase: 'Pending' };
}

/** What SetDefaults_StatefulSet does. */
function defaultStatefulSet(sts: KubeObject): void {
  if (sts.spec === undefined || sts.spec === null) sts.spec = {};
  const spec = obj(sts.spec);
  spec.podManagementPolicy ??= 'OrderedReady';
  const strategy = isObject(spec.updateStrategy) ? spec.updateStrategy : (spec.updateStrategy = {});
  if (strategy.type === undefined || strategy.type === '') {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= {};
  }
  if (strategy.type === 'RollingUpdate' && isObject(strategy.rollingUpdate)) strategy.rollingUpdate.partition ??= 0;
  const retention = isObject(spec.persistentVolumeClaimRetentionPolicy) ? spec.persistentVolumeClaimRetentionPolicy : (spec.persistentVolumeClaimRetentionPolicy = {});
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
  for (const t of list(spec.volumeClaimTemplates)) defaultClaimTemplate(t);
}

export const statefulSetStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults: defaultStatefulSet,
  prepareForCreate(sts) {
    // Go writes these two counters even when zero.
    sts.status = { replicas: 0, availableReplicas: 0 };
  },
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
};
