// Kubernetes' NodeSelector (node affinity terms, a PersistentVolume's nodeAffinity) and a pod's
// nodeSelector, compiled once into predicates over a node's name and labels. The scheduler,
// the DaemonSet and volume controllers and the node agent all decide "may this run there" with
// these: terms are ORed, a term's expressions and fields ANDed, a term with neither matches
// nothing, and the only node field is metadata.name.

import type { V1NodeSelector, V1NodeSelectorRequirement, V1NodeSelectorTerm } from '@kubernetes/client-node';

/** What a node selector reads of a node. */
export interface NodeFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type NodeFactsPredicate = (node: NodeFacts) => boolean;

/** The parts of a requirement a selector reads (client-node's type, or a controller's own narrower one). */
type Requirement = Pick<V1NodeSelectorRequirement, 'key' | 'operator'> & { values?: readonly string[] };
type Term = { matchExpressions?: readonly Requirement[]; matchFields?: readonly Requirement[] };

const integer = /^[+-]?\d+$/;

function requirement(r: Requirement, read: (n: NodeFacts) => string | undefined): NodeFactsPredicate {
  const values = new Set(r.values ?? []);
  switch (r.operator) {
    case 'In':
      return (n) => {
        const v = read(n);
        return v !== undefined && values.has(v);
      };
    case 'NotIn':
      return (n) => {
        const v = read(n);
        return v === undefined || !values.has(v);
      };
    case 'Exists':
      return (n) => read(n) !== undefined;
    case 'DoesNotExist':
      return (n) => read(n) === undefined;
    case 'Gt':
    case 'Lt': {
      const want = r.values?.[0] ?? '';
      if (!integer.test(want)) return () => false;
      const bound = BigInt(want);
      const gt = r.operator === 'Gt';
      return (n) => {
        const v = read(n);
        if (v === undefined || !integer.test(v)) return false;
        return gt ? BigInt(v) > bound : BigInt(v) < bound;
      };
    }
    default:
      return () => false;
  }
}

const labelOf = (key: string) => (n: NodeFacts): string | undefined => (Object.prototype.hasOwnProperty.call(n.labels, key) ? n.labels[key] : undefined);

/** One term: all its expressions and fields must hold. A term with neither matches nothing. */
export function compileTerm(term: Term | V1NodeSelectorTerm): NodeFactsPredicate {
  const preds: NodeFactsPredicate[] = [];
  for (const e of term.matchExpressions ?? []) preds.push(requirement(e, labelOf(e.key)));
  // Kubernetes supports only metadata.name as a node field.
  for (const f of term.matchFields ?? []) preds.push(f.key === 'metadata.name' ? requirement(f, (n) => n.name) : () => false);
  if (preds.length === 0) return () => false;
  return (n) => {
    for (const p of preds) if (!p(n)) return false;
    return true;
  };
}

/** Terms are ORed. No terms matches nothing. */
export function compileTerms(terms: readonly (Term | V1NodeSelectorTerm)[]): NodeFactsPredicate {
  const compiled = terms.map(compileTerm);
  return (n) => {
    for (const t of compiled) if (t(n)) return true;
    return false;
  };
}

/** A pod's spec.nodeSelector: every pair must be among the node's labels. */
export function compileNodeSelector(sel: Readonly<Record<string, string>>): NodeFactsPredicate {
  const pairs = Object.entries(sel);
  return (n) => {
    for (const [k, v] of pairs) if (n.labels[k] !== v) return false;
    return true;
  };
}

/** Whether `node` satisfies the selector at once (no compiled form kept); an absent selector allows every node. */
export function nodeSelectorMatches(selector: { nodeSelectorTerms?: readonly (Term | V1NodeSelectorTerm)[] } | V1NodeSelector | undefined | null, node: NodeFacts): boolean {
  if (!selector) return true;
  return compileTerms(selector.nodeSelectorTerms ?? [])(node);
}
