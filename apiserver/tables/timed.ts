// Cells that depend on the time they are served at (AGE, LAST SEEN, a pod's "3 (5m ago)", a
// running job's DURATION), kept as the timestamps they are computed from. A printer's row
// template holds them in place of text, so a row computed once per watch-cache entry can be
// served for hours and still read the right age each time: only these cells are rendered
// anew, from `now`, at serve time.

import { humanDuration } from '../../common/duration.js';

/** A cell rendered from `now` (epoch milliseconds) when the row is served. */
export abstract class TimedCell {
  abstract render(now: number): string;
}

/** Time since `at`, e.g. `5m`; `<unknown>` when there is no time. */
export class Since extends TimedCell {
  constructor(readonly at: number | undefined) {
    super();
  }

  render(now: number): string {
    return this.at === undefined ? '<unknown>' : humanDuration(now - this.at);
  }
}

/** A pod's RESTARTS with the time of the last one: `3 (2m ago)`. */
export class RestartsAgo extends TimedCell {
  constructor(
    readonly count: number,
    readonly lastAt: number,
  ) {
    super();
  }

  render(now: number): string {
    return `${this.count} (${humanDuration(now - this.lastAt)} ago)`;
  }
}

/** A cell of a row template: a value as Kubernetes sends it, or one rendered at serve time. */
export type TemplateCell = string | number | boolean | TimedCell;

/** The cells of a template as of `now`. */
export function renderCells(template: readonly TemplateCell[], now: number): unknown[] {
  return template.map((c) => (c instanceof TimedCell ? c.render(now) : c));
}
