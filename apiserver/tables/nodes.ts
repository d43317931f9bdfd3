// `kubectl get nodes`: STATUS from the Ready condition (plus SchedulingDisabled when
// cordoned), ROLES from node-role.kubernetes.io/<role> labels.

import type { V1Node } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
/** The older spelling: `kubernetes.io/role=<role>`. */
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

/** `Ready`, `NotReady` (condition False or Unknown) or `Unknown` (no condition), then `,SchedulingDisabled` if cordoned. */
export function nodeStatus(node: V1Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts: string[] = [];
  if (!ready) parts.push('Unknown');
  else parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Sorted roles named by the node's labels; empty when it has none. */
export function nodeRoles(node: V1Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_LABEL_PREFIX)) {
      const role = k.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === LEGACY_ROLE_LABEL && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function address(node: V1Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

function orUnknown(s: string | undefined): string {
  return s ? s : '<unknown>';
}

export const nodePrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Status', 'string', 'Readiness of the node, and whether it is cordoned.'),
    column('Roles', 'string', 'Roles named by node-role.kubernetes.io labels.'),
    ageColumn,
    column('Version', 'string', 'Version of the node agent.'),
    column('Internal-IP', 'string', 'First internal address of the node.', { priority: 1 }),
    column('External-IP', 'string', 'First external address of the node.', { priority: 1 }),
    column('OS-Image', 'string', 'Operating system image of the node.', { priority: 1 }),
    column('Kernel-Version', 'string', 'Kernel version of the node.', { priority: 1 }),
    column('Container-Runtime', 'string', 'Container runtime name and version.', { priority: 1 }),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const node = as<V1Node>(obj);
    const roles = nodeRoles(node);
    const info = node.status?.nodeInfo;
    return [
      nameOf(obj),
      nodeStatus(node),
      roles.length > 0 ? roles.join(',') : '<none>',
      age(obj),
      info?.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      orUnknown(info?.osImage),
      orUnknown(info?.kernelVersion),
      orUnknown(info?.containerRuntimeVersion),
    ];
  },
});
