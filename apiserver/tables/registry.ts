// Which printer renders which resource, keyed by plural resource name.

import { certificateSigningRequestPrinter } from './certificates.js';
import { leasePrinter, namespacePrinter, priorityClassPrinter } from './cluster.js';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './config.js';
import { controllerRevisionPrinter, daemonSetPrinter } from './daemonSets.js';
import { defaultTablePrinter } from './defaults.js';
import { endpointSlicePrinter } from './endpointSlices.js';
import { eventPrinter } from './events.js';
import { persistentVolumeClaimPrinter } from './persistentVolumeClaims.js';
import { persistentVolumePrinter } from './persistentVolumes.js';
import { statefulSetPrinter } from './statefulSets.js';
import { storageClassPrinter } from './storageClasses.js';
import { podDisruptionBudgetPrinter } from './podDisruptionBudgets.js';
import { cronJobPrinter, jobPrinter } from './jobs.js';
import { nodePrinter } from './nodes.js';
import { podPrinter } from './pods.js';
import { endpointsPrinter, servicePrinter } from './services.js';
import type { TablePrinter } from './types.js';
import { deploymentPrinter, replicaSetPrinter } from './workloads.js';

export const tablePrinters: Readonly<Record<string, TablePrinter>> = {
  pods: podPrinter,
  nodes: nodePrinter,
  namespaces: namespacePrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  // Both the core/v1 and the events.k8s.io/v1 resource are called `events`; the core shape is printed.
  events: eventPrinter,
  serviceaccounts: serviceAccountPrinter,
  deployments: deploymentPrinter,
  replicasets: replicaSetPrinter,
  daemonsets: daemonSetPrinter,
  statefulsets: statefulSetPrinter,
  persistentvolumes: persistentVolumePrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  storageclasses: storageClassPrinter,
  controllerrevisions: controllerRevisionPrinter,
  jobs: jobPrinter,
  cronjobs: cronJobPrinter,
  poddisruptionbudgets: podDisruptionBudgetPrinter,
  leases: leasePrinter,
  priorityclasses: priorityClassPrinter,
  endpointslices: endpointSlicePrinter,
  certificatesigningrequests: certificateSigningRequestPrinter,
};

/** The printer for a plural resource name, or the default (NAME, CREATED AT) when it has none. */
export function printerFor(resource: string): TablePrinter {
  return Object.prototype.hasOwnProperty.call(tablePrinters, resource) ? (tablePrinters[resource] ?? defaultTablePrinter) : defaultTablePrinter;
}
