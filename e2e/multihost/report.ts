// Figures a run prints beside mocha's own lines (timings, counts): for people and for
// bench/ to compare, never asserted, since this machine is small and shared.

export function report(line: string): void {
  process.stdout.write(`      ${line}\n`);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
