// The -o formats of get: which ones there are and what each needs from the server.

import { UsageError } from './errors.js';

export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: string }
  | { kind: 'custom-columns'; columns: { header: string; path: string }[] };

export function parseOutput(o: string | undefined): OutputFormat {
  if (o === undefined || o === '') return { kind: 'table', wide: false };
  if (o === 'wide') return { kind: 'table', wide: true };
  if (o === 'json' || o === 'yaml' || o === 'name') return { kind: o };
  const eq = o.indexOf('=');
  const [name, arg] = eq < 0 ? [o, ''] : [o.slice(0, eq), o.slice(eq + 1)];
  if (name === 'jsonpath') {
    if (!arg) throw new UsageError('-o jsonpath needs a template, e.g. -o jsonpath=\'{.items[*].metadata.name}\'');
    return { kind: 'jsonpath', template: arg };
  }
  if (name === 'custom-columns') {
    const columns = arg.split(',').map((spec) => {
      const i = spec.indexOf(':');
      if (i <= 0 || i === spec.length - 1) throw new UsageError(`-o custom-columns: expected HEADER:PATH, got ${JSON.stringify(spec)} (e.g. NAME:.metadata.name,IMAGE:.spec.containers[*].image)`);
      return { header: spec.slice(0, i), path: spec.slice(i + 1) };
    });
    return { kind: 'custom-columns', columns };
  }
  throw new UsageError(`unknown output format "${o}": use wide, yaml, json, name, jsonpath=TEMPLATE or custom-columns=SPEC`);
}
