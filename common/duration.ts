// Human-readable durations for AGE-like columns, following the rules of
// apimachinery's util/duration so Gantry's tables read like Kubernetes' ones:
// about two to three significant figures, switching unit as the value grows.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** Whole units of `unit` in `ms`, truncated toward zero as Go's integer conversion does. */
function whole(ms: number, unit: number): number {
  return Math.trunc(ms / unit);
}

/**
 * Kubernetes' `HumanDuration`: `45s`, `2m30s`, `47m`, `5h10m`, `30h`, `3d4h`, `200d`, `3y45d`, `9y`.
 * A duration slightly in the future (clock skew under two seconds) reads `0s`; anything
 * further in the future reads `<invalid>`.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = whole(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 2 * 60) return `${seconds}s`;

  const minutes = whole(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 3 * 60) return `${minutes}m`;

  const hours = whole(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 8 * 24) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  const days = Math.trunc(hours / 24);
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 8 * 365 * 24) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/**
 * Kubernetes' `ShortHumanDuration`: a single unit (`59s`, `59m`, `23h`, `364d`, `2y`),
 * as used by a few printers (for example a CronJob's last schedule).
 */
export function shortHumanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = whole(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${whole(ms, YEAR)}y`;
}

/** Exported for callers that build durations in tests and fixtures. */
export const durationUnits = { SECOND, MINUTE, HOUR, DAY, YEAR } as const;
