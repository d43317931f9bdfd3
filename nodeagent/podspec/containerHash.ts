// A stable digest of a container's spec: the same spec always hashes the same (key order
// and absent-versus-undefined do not matter), so the agent can tell that a running
// container was made from a spec that has since changed.

import { createHash } from 'node:crypto';
import type { Container } from './types.js';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

export function containerHash(container: Container): string {
  return createHash('sha256').update(JSON.stringify(canonical(container))).digest('hex').slice(0, 16);
}
