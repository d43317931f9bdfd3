// ControllerRevision (apps/v1): one immutable snapshot of a workload's pod template, as the
// DaemonSet and StatefulSet controllers keep their history and `kubectl rollout
// history|undo` reads it. Only `revision` ever changes (a rollback renumbers).

import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

export const controllerRevisionsResource = resourceFor('ControllerRevision', 'apps');

/** Kubernetes' label on a ControllerRevision holding its data's hash (the StatefulSet controller sets it). */
export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';
