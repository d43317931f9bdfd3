// `kubectl get endpointslices`: NAME ADDRESSTYPE PORTS ENDPOINTS AGE, as Kubernetes prints them.

import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** Entries shown before collapsing the rest into `+ N more...`. */
const MAX_SHOWN = 3;

/** Up to three entries, then `+ N more...`; `<unset>` when there are none (Kubernetes' wording). */
function listWithMore(entries: readonly string[]): string {
  if (entries.length === 0) return '<unset>';
  const shown = entries.slice(0, MAX_SHOWN).join(',');
  return entries.length > MAX_SHOWN ? `${shown} + ${entries.length - MAX_SHOWN} more...` : shown;
}

/** PORTS: each port's number, its name when it has none (a named "all ports" entry), else `*`. */
export function formatSlicePorts(slice: V1EndpointSlice): string {
  return listWithMore((slice.ports ?? []).map((p) => (typeof p.port === 'number' ? String(p.port) : p.name ? p.name : '*')));
}

/** ENDPOINTS: every address of every endpoint, ready or not. */
export function formatSliceEndpoints(slice: V1EndpointSlice): string {
  return listWithMore((slice.endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

export const endpointSlicePrinter = templatePrinter({
  columns: [
    nameColumn,
    column('AddressType', 'string', 'Type of the addresses in this slice: IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Ports every endpoint of this slice exposes.'),
    column('Endpoints', 'string', 'Addresses of the endpoints in this slice.'),
    ageColumn,
  ],
  template(obj: KubeObject): TemplateCell[] {
    const slice = as<V1EndpointSlice>(obj);
    return [nameOf(obj), slice.addressType ?? '', formatSlicePorts(slice), formatSliceEndpoints(slice), age(obj)];
  },
});
