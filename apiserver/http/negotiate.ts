// What representation the client asked for in Accept.

import { ApiError } from '../../common/errors.js';

export type OutputFormat = 'json' | 'yaml' | 'table';

export interface Negotiated {
  format: OutputFormat;
  /** For tables: include the full object in each row (kubectl --sort-by, -o wide with labels). */
  includeObject: 'None' | 'Metadata' | 'Object';
}

/** Responses are never protobuf (clients that send protobuf also accept JSON). */
const protobufType = 'application/vnd.kubernetes.protobuf';

/**
 * kubectl get asks `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;...`;
 * protobuf is never served, so JSON answers every other request, except one that accepts
 * nothing but protobuf: that is 406, as Kubernetes answers an Accept it cannot serve.
 */
export function negotiate(accept: string | undefined, includeObject: string | null): Negotiated {
  const include = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
  const parts = (accept ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length > 0 && parts.every((p) => p.split(';')[0]!.trim().toLowerCase() === protobufType)) {
    throw new ApiError('NotAcceptable', 'only the following media types are accepted: application/json, application/yaml');
  }
  for (const part of parts) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = new Map(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
    if (type === 'application/json' && p.get('as') === 'Table' && (p.get('g') ?? 'meta.k8s.io') === 'meta.k8s.io' && (p.get('v') ?? 'v1') === 'v1') {
      return { format: 'table', includeObject: include };
    }
    if (type === 'application/json' && !p.has('as')) return { format: 'json', includeObject: include };
    if (type === 'application/yaml') return { format: 'yaml', includeObject: include };
  }
  return { format: 'json', includeObject: include };
}
