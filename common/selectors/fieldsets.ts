// The fields each kind can be selected by, and their values for one object.
// Kubernetes supports only a fixed set per kind; anything else is refused with
// `field label not supported: <field>` rather than silently matching nothing.

import type { CoreV1Event, V1Namespace, V1Node, V1Pod, V1ReplicaSet, V1Secret } from '@kubernetes/client-node';
import type { KubeObject } from '../api/meta.js';
import { BadRequestError } from '../errors.js';
import type { FieldSelector } from './fields.js';

type FieldReader = (obj: KubeObject) => Record<string, string>;

/**
 * Wire objects have the shape of client-node's models (timestamps aside, which are
 * strings on the wire and unused here), so a reader views the object through its kind's model.
 */
function as<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

const podFields: FieldReader = (obj) => {
  const pod = as<V1Pod>(obj);
  const podIP = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP;
  return {
    'spec.nodeName': str(pod.spec?.nodeName),
    'spec.restartPolicy': str(pod.spec?.restartPolicy),
    'spec.schedulerName': str(pod.spec?.schedulerName),
    'spec.serviceAccountName': str(pod.spec?.serviceAccountName),
    'spec.hostNetwork': String(pod.spec?.hostNetwork === true),
    'status.phase': str(pod.status?.phase),
    'status.podIP': str(podIP),
    'status.nominatedNodeName': str(pod.status?.nominatedNodeName),
  };
};

const eventFields: FieldReader = (obj) => {
  const ev = as<CoreV1Event>(obj);
  const io = ev.involvedObject ?? {};
  return {
    'involvedObject.kind': str(io.kind),
    'involvedObject.namespace': str(io.namespace),
    'involvedObject.name': str(io.name),
    'involvedObject.uid': str(io.uid),
    'involvedObject.apiVersion': str(io.apiVersion),
    'involvedObject.resourceVersion': str(io.resourceVersion),
    'involvedObject.fieldPath': str(io.fieldPath),
    reason: str(ev.reason),
    reportingComponent: str(ev.reportingComponent),
    // Older events name their source in `source.component`, newer ones in `reportingComponent`.
    source: str(ev.source?.component) || str(ev.reportingComponent),
    type: str(ev.type),
  };
};

const nodeFields: FieldReader = (obj) => ({ 'spec.unschedulable': String(as<V1Node>(obj).spec?.unschedulable === true) });
const secretFields: FieldReader = (obj) => ({ type: str(as<V1Secret>(obj).type) });
const namespaceFields: FieldReader = (obj) => ({ 'status.phase': str(as<V1Namespace>(obj).status?.phase) });
const replicaSetFields: FieldReader = (obj) => ({ 'status.replicas': String(as<V1ReplicaSet>(obj).status?.replicas ?? 0) });

/** Kind-specific readers, keyed by kind; every kind also has `metadata.name` and `metadata.namespace`. */
const readers: Record<string, FieldReader> = {
  Pod: podFields,
  Event: eventFields,
  Node: nodeFields,
  Secret: secretFields,
  Namespace: namespaceFields,
  ReplicaSet: replicaSetFields,
};

const metadataFields = ['metadata.name', 'metadata.namespace'] as const;

/** The selectable fields of each kind with its own, beyond the metadata ones. */
export const selectableFieldsByKind: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(readers).map(([kind, read]) => [kind, Object.keys(read({ metadata: {} })).sort()]),
);

/** The fields `kind` may be selected by. */
export function supportedFields(kind: string): string[] {
  const own = Object.prototype.hasOwnProperty.call(selectableFieldsByKind, kind) ? (selectableFieldsByKind[kind] ?? []) : [];
  return [...metadataFields, ...own];
}

/** The selectable field values of `obj`; missing values are "" (so `spec.nodeName=` selects unscheduled pods). */
export function fieldsOf(kind: string, obj: KubeObject): Record<string, string> {
  const own = Object.prototype.hasOwnProperty.call(readers, kind) ? readers[kind]?.(obj) : undefined;
  return {
    'metadata.name': str(obj.metadata?.name),
    'metadata.namespace': str(obj.metadata?.namespace),
    ...own,
  };
}

/** Throws `BadRequestError` (`field label not supported: <field>`) when `sel` uses a field `kind` lacks. */
export function validateFieldSelector(kind: string, sel: FieldSelector): void {
  const supported = new Set(supportedFields(kind));
  for (const r of sel.requirements()) {
    if (!supported.has(r.field)) throw new BadRequestError(`field label not supported: ${r.field}`);
  }
}
