// GET /stats/summary: the node's, pods' and containers' CPU and memory as the sampler last
// saw them (nodeagent/stats), in the kubelet's Summary shape. Served from memory: a request
// never reads the kernel, so the API server's fan-out costs the agent one JSON encoding.
// The shape rather than /metrics/resource's Prometheus text because the rate is already
// computed here (from the agent's own two samples) and the reader is our API server, which
// then needs no text-format parser and no second scrape before its first answer.

import type { ServerResponse } from 'node:http';
import { ServiceUnavailableError } from '../../common/errors.js';
import type { StatsSource } from './types.js';

export function serveStatsSummary(stats: StatsSource | undefined, res: ServerResponse): void {
  if (!stats) throw new ServiceUnavailableError('this node agent does not sample resource usage');
  const summary = stats.summary();
  if (!summary) throw new ServiceUnavailableError('resource usage has not been sampled yet');
  const body = JSON.stringify(summary);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}
