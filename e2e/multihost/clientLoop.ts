// A client inside the cluster that sends requests to a Service without pause and writes one
// line per request: the answer, or FAIL and wget's complaint. It runs as a pod so its
// requests take the path other pods' requests take (cluster DNS, the ClusterIP rules of its
// host, the overlay), and so the test process, busy with kubectl, cannot slow it down.
// `kubectl logs --timestamps` gives each line the time it was written.

/** A pod manifest as `kubectl apply -f -` takes it. */
export interface PodManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A pod pinned to `node` (no scheduler involved) looping over `url`. */
export function clientLoopPod(name: string, node: string, url: string): PodManifest {
  // Debian busybox's `wget -T` crashes, so `timeout` bounds each request (a dead endpoint
  // would otherwise hang a request for the kernel's connect timeout, minutes).
  const loop = `while true; do out=$(timeout 5 wget -qO- ${url} 2>&1) && echo "$out" || echo "FAIL $out"; done`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'e2e-client' } },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'client', image: 'busybox', command: ['sh', '-c', loop] }],
    },
  };
}

export interface ClientLine {
  /** When the runtime logged it, ms since the epoch. */
  at: number;
  text: string;
}

/** `kubectl logs --timestamps` output: RFC 3339 (nanoseconds) then the line. */
export function parseTimestamped(logs: string): ClientLine[] {
  const out: ClientLine[] = [];
  for (const line of logs.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    // Date.parse takes milliseconds: cut the fraction to three digits.
    const stamp = line.slice(0, space).replace(/(\.\d{3})\d*/, '$1');
    const at = Date.parse(stamp);
    if (Number.isNaN(at)) throw new Error(`not a timestamped log line: ${JSON.stringify(line)}`);
    out.push({ at, text: line.slice(space + 1) });
  }
  return out;
}

export const isFailure = (l: ClientLine): boolean => l.text.startsWith('FAIL');

/** Lines logged in [from, to]. */
export function between(lines: ClientLine[], from: number, to = Number.POSITIVE_INFINITY): ClientLine[] {
  return lines.filter((l) => l.at >= from && l.at <= to);
}

/** Counts of each distinct answer, for messages: `gantry web v2 x412, FAIL ... x3`. */
export function tally(lines: ClientLine[]): string {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.text, (counts.get(l.text) ?? 0) + 1);
  return [...counts].map(([text, n]) => `${text} x${n}`).join(', ') || 'no requests';
}
