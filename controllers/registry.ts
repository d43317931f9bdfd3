// Every controller the manager can run, by name (ARCHITECTURE.md, convention 4: an explicit
// list, no registration by import side effects). Adding a controller is one line here; the
// config's `controllers` setting chooses among them.

import { ConfigError } from '../common/config.js';
import { csrApprovingControllerFactory, csrSigningControllerFactory } from './certificates/index.js';
import type { ControllerFactory } from './context.js';
import { daemonSetControllerFactory } from './daemonset/index.js';
import { cronJobControllerFactory } from './cronjob/index.js';
import { deploymentControllerFactory } from './deployment/index.js';
import { disruptionControllerFactory } from './disruption/index.js';
import { endpointsControllerFactory } from './endpoints/index.js';
import { endpointSliceControllerFactory } from './endpointslice/index.js';
import { garbageCollectorControllerFactory } from './garbagecollector/index.js';
import { jobControllerFactory } from './job/index.js';
import { localPathProvisionerFactory } from './localpath/index.js';
import { namespaceControllerFactory } from './namespace/index.js';
import { nodeIpamControllerFactory } from './nodeipam/index.js';
import { nodeLifecycleControllerFactory } from './nodelifecycle/index.js';
import { persistentVolumeBinderFactory, pvcProtectionControllerFactory, pvProtectionControllerFactory } from './persistentvolume/index.js';
import { podGcControllerFactory } from './podgc/index.js';
import { replicaSetControllerFactory } from './replicaset/index.js';
import { serviceAccountControllerFactory } from './serviceaccount/index.js';
import { statefulSetControllerFactory } from './statefulset/index.js';
import { ttlAfterFinishedControllerFactory } from './ttlafterfinished/index.js';

export const controllerRegistry: Readonly<Record<string, ControllerFactory>> = {
  replicaset: replicaSetControllerFactory,
  deployment: deploymentControllerFactory,
  daemonset: daemonSetControllerFactory,
  statefulset: statefulSetControllerFactory,
  job: jobControllerFactory,
  cronjob: cronJobControllerFactory,
  ttlafterfinished: ttlAfterFinishedControllerFactory,
  disruption: disruptionControllerFactory,
  garbagecollector: garbageCollectorControllerFactory,
  namespace: namespaceControllerFactory,
  serviceaccount: serviceAccountControllerFactory,
  endpoints: endpointsControllerFactory,
  endpointslice: endpointSliceControllerFactory,
  nodelifecycle: nodeLifecycleControllerFactory,
  nodeipam: nodeIpamControllerFactory,
  podgc: podGcControllerFactory,
  csrapproving: csrApprovingControllerFactory,
  csrsigning: csrSigningControllerFactory,
  'persistentvolume-binder': persistentVolumeBinderFactory,
  'pvc-protection': pvcProtectionControllerFactory,
  'pv-protection': pvProtectionControllerFactory,
  'localpath-provisioner': localPathProvisionerFactory,
};

/**
 * The names `spec` enables, in registry order: `*` is every controller, a name adds one,
 * `-name` removes one. An unknown name is a configuration error, so a typo does not
 * silently disable a controller.
 */
export function enabledControllers(spec: readonly string[], registry: Readonly<Record<string, ControllerFactory>> = controllerRegistry): string[] {
  const known = Object.keys(registry);
  const on = new Set<string>();
  const off = new Set<string>();
  for (const s of spec) {
    if (s === '*') {
      for (const n of known) on.add(n);
      continue;
    }
    const name = s.startsWith('-') ? s.slice(1) : s;
    if (!known.includes(name)) throw new ConfigError(`invalid configuration: unknown controller ${JSON.stringify(name)} in controllers (known: ${known.join(', ')})`);
    (s.startsWith('-') ? off : on).add(name);
  }
  return known.filter((n) => on.has(n) && !off.has(n));
}
