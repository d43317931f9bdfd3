// A plugin's verdict as a value (ARCHITECTURE.md rule 3): scheduling outcomes such as
// "Insufficient cpu" are expected, not exceptional, so they are returned, not thrown.

export type StatusCode =
  | 'Success'
  /** The pod does not fit this node now; preempting pods here might help. */
  | 'Unschedulable'
  /** The pod does not fit this node, and removing pods would not change that. */
  | 'UnschedulableAndUnresolvable'
  /** Something went wrong; the pod is retried with back-off. */
  | 'Error'
  /** From PreFilter/PreScore: this plugin has nothing to say about this pod; skip it. */
  | 'Skip';

export class Status {
  /** The plugin that produced a non-success status (filled in by the framework). */
  plugin = '';

  constructor(
    readonly code: StatusCode,
    /** Human-readable reasons, counted across nodes in the "0/N nodes are available" message. */
    readonly reasons: readonly string[] = [],
  ) {}

  static readonly success = Object.freeze(new Status('Success')) as Status;
  static readonly skip = Object.freeze(new Status('Skip')) as Status;

  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }
  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }
  static error(message: string): Status {
    return new Status('Error', [message]);
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }
  isSkip(): boolean {
    return this.code === 'Skip';
  }
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }
  withPlugin(name: string): Status {
    if (this.code === 'Success' || this.code === 'Skip') return this;
    const s = new Status(this.code, this.reasons);
    s.plugin = name;
    return s;
  }
  message(): string {
    return this.reasons.join(', ');
  }
}
