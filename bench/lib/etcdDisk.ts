// etcd's own disk latency histograms (its /metrics on the client URL): a WAL fsync or
// backend commit that takes tens of milliseconds stalls every write behind it, and on a
// shared disk that is noise the API server cannot do anything about. Counting the slow
// ones per phase tells a disk stall apart from a server stall.

import http from 'node:http';

const histograms = ['etcd_disk_wal_fsync_duration_seconds', 'etcd_disk_backend_commit_duration_seconds'] as const;
export type DiskHistogram = (typeof histograms)[number];

/** Cumulative bucket counts by upper bound (seconds), plus the total, per histogram. */
export type DiskSnapshot = Record<DiskHistogram, { buckets: Map<number, number>; count: number }>;

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { timeout: 5_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject)
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error(`GET ${url} timed out`));
      });
  });
}

export async function diskSnapshot(endpoint: string): Promise<DiskSnapshot> {
  const text = await fetchText(`${endpoint}/metrics`);
  const out = {} as DiskSnapshot;
  for (const h of histograms) {
    const buckets = new Map<number, number>();
    let count = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${h}_bucket{`)) {
        const m = /le="([^"]+)"\}\s+(\S+)/.exec(line);
        if (m && m[1] !== '+Inf') buckets.set(Number(m[1]), Number(m[2]));
      } else if (line.startsWith(`${h}_count `)) {
        count = Number(line.slice(h.length + 7));
      }
    }
    out[h] = { buckets, count };
  }
  return out;
}

/** How many observations between two snapshots took longer than `seconds` (a bucket bound). */
export function slowerThan(before: DiskSnapshot, after: DiskSnapshot, h: DiskHistogram, seconds: number): number {
  const within = (s: DiskSnapshot): number => s[h].buckets.get(seconds) ?? 0;
  return after[h].count - before[h].count - (within(after) - within(before));
}
