// The definitions a set of schemas reaches through `$ref`, transitively: what one
// OpenAPI document must carry in components.schemas so every reference resolves.

import { refPrefix, type SchemaObject } from '../../common/schemas/index.js';

export function reachableDefinitions(roots: Iterable<string>, definitions: Readonly<Record<string, SchemaObject>>): Record<string, SchemaObject> {
  const found = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (found.has(name)) continue;
    const schema = definitions[name];
    if (!schema) throw new Error(`schema ${JSON.stringify(name)} is referenced but not defined`);
    found.add(name);
    collectRefs(schema, queue);
  }
  const out: Record<string, SchemaObject> = {};
  for (const name of [...found].sort()) out[name] = definitions[name]!;
  return out;
}

/** Appends the definition names referenced anywhere inside `node`. */
export function collectRefs(node: unknown, into: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(refPrefix)) into.push(value.slice(refPrefix.length));
    else collectRefs(value, into);
  }
}
