// Node selector terms (required and preferred node affinity) compiled once per pod into
// predicates over a node's labels and name: the one home is common/selectors/nodeSelector.ts,
// shared with the controllers and the node agent; here typed over the scheduler's NodeInfo.

import { compileNodeSelector as compileSelector, compileTerm as compileOne, compileTerms as compileAll } from '../../common/selectors/nodeSelector.js';
import type { V1NodeSelectorTerm } from '@kubernetes/client-node';
import type { NodeInfo } from '../framework/nodeInfo.js';

export type NodePredicate = (ni: NodeInfo) => boolean;

/** One term: all its expressions and fields must hold. A term with neither matches nothing. */
export const compileTerm = (term: V1NodeSelectorTerm): NodePredicate => compileOne(term);

/** Terms are ORed. No terms matches nothing. */
export const compileTerms = (terms: readonly V1NodeSelectorTerm[]): NodePredicate => compileAll(terms);

/** spec.nodeSelector: every pair must be among the node's labels. */
export const compileNodeSelector = (sel: Readonly<Record<string, string>>): NodePredicate => compileSelector(sel);
