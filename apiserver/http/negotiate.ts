// What representation the client asked for in Accept.

export type OutputFormat = 'json' | 'yaml' | 'table';

export interface Negotiated {
  format: OutputFormat;
  /** For tables: include the full object in each row (kubectl --sort-by, -o wide with labels). */
  includeObject: 'None' | 'Metadata' | 'Object';
}

/**
 * kubectl get asks `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;...`;
 * protobuf is never served, so JSON answers every other request.
 */
export function negotiate(accept: string | undefined, includeObject: string | null): Negotiated {
  const include = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
  for (const part of (accept ?? '').split(',')) {
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
