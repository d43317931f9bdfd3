// A PodDisruptionBudget builder for the scheduler's tests: a policy/v1 budget whose status is
// what the disruption controller would have written (disruptionsAllowed, disruptedPods).

import type { PodDisruptionBudget } from '../framework/types.js';

export class BudgetBuilder {
  private readonly pdb: PodDisruptionBudget;

  constructor(name: string) {
    this.pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, namespace: 'default' },
      spec: { selector: { matchLabels: {} } },
      status: { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 },
    };
  }
  namespace(ns: string): this {
    this.pdb.metadata!.namespace = ns;
    return this;
  }
  matchLabels(l: Record<string, string>): this {
    this.pdb.spec!.selector = { matchLabels: l };
    return this;
  }
  /** The selector as given (undefined: none; {}: empty). */
  selector(sel: NonNullable<PodDisruptionBudget['spec']>['selector']): this {
    if (sel === undefined) delete this.pdb.spec!.selector;
    else this.pdb.spec!.selector = sel;
    return this;
  }
  allowed(n: number): this {
    this.pdb.status!.disruptionsAllowed = n;
    return this;
  }
  /** Pods whose eviction the API server already admitted (status.disruptedPods). */
  disrupted(...names: string[]): this {
    // Timestamps are RFC 3339 strings on the wire, whatever the model's type says.
    this.pdb.status!.disruptedPods = Object.fromEntries(names.map((n) => [n, '2026-01-01T00:00:00Z'])) as unknown as Record<string, Date>;
    return this;
  }
  obj(): PodDisruptionBudget {
    return structuredClone(this.pdb);
  }
}

export const makeBudget = (name: string): BudgetBuilder => new BudgetBuilder(name);
