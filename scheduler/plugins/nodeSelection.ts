// Node selector terms (required and preferred node affinity) compiled once per pod into
// predicates over a node's labels and name.

import type { V1NodeSelectorRequirement, V1NodeSelectorTerm } from '@kubernetes/client-node';
import type { NodeInfo } from '../framework/nodeInfo.js';

export type NodePredicate = (ni: NodeInfo) => boolean;

const integer = /^[+-]?\d+$/;

function requirement(r: V1NodeSelectorRequirement, read: (ni: NodeInfo) => string | undefined): NodePredicate {
  const values = new Set(r.values ?? []);
  switch (r.operator) {
    case 'In':
      return (ni) => {
        const v = read(ni);
        return v !== undefined && values.has(v);
      };
    case 'NotIn':
      return (ni) => {
        const v = read(ni);
        return v === undefined || !values.has(v);
      };
    case 'Exists':
      return (ni) => read(ni) !== undefined;
    case 'DoesNotExist':
      return (ni) => read(ni) === undefined;
    case 'Gt':
    case 'Lt': {
      const want = r.values?.[0] ?? '';
      if (!integer.test(want)) return () => false;
      const bound = BigInt(want);
      const gt = r.operator === 'Gt';
      return (ni) => {
        const v = read(ni);
        if (v === undefined || !integer.test(v)) return false;
        return gt ? BigInt(v) > bound : BigInt(v) < bound;
      };
    }
    default:
      return () => false;
  }
}

/** One term: all its expressions and fields must hold. A term with neither matches nothing. */
export function compileTerm(term: V1NodeSelectorTerm): NodePredicate {
  const preds: NodePredicate[] = [];
  for (const e of term.matchExpressions ?? []) preds.push(requirement(e, (ni) => (Object.prototype.hasOwnProperty.call(ni.labels, e.key) ? ni.labels[e.key] : undefined)));
  for (const f of term.matchFields ?? []) {
    // Kubernetes supports only metadata.name as a node field.
    preds.push(f.key === 'metadata.name' ? requirement(f, (ni) => ni.name) : () => false);
  }
  if (preds.length === 0) return () => false;
  return (ni) => {
    for (const p of preds) if (!p(ni)) return false;
    return true;
  };
}

/** Terms are ORed. No terms matches nothing. */
export function compileTerms(terms: readonly V1NodeSelectorTerm[]): NodePredicate {
  const compiled = terms.map(compileTerm);
  return (ni) => {
    for (const t of compiled) if (t(ni)) return true;
    return false;
  };
}

/** spec.nodeSelector: every pair must be among the node's labels. */
export function compileNodeSelector(sel: Readonly<Record<string, string>>): NodePredicate {
  const pairs = Object.entries(sel);
  return (ni) => {
    for (const [k, v] of pairs) if (ni.labels[k] !== v) return false;
    return true;
  };
}
