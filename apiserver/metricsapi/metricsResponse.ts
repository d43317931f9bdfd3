// Writes a metrics answer in the representation the client negotiated: JSON, YAML, or the
// meta.k8s.io Table `kubectl get nodemetrics|podmetrics` asks for, with metrics-server's
// columns (name, CPU, memory, window; pods sum their containers).

import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../common/api/meta.js';
import { parseQuantity } from '../../common/quantity.js';
import { negotiate } from '../http/negotiate.js';
import { send } from '../http/respond.js';
import { buildTable } from '../tables/table.js';
import { column, type TablePrinter } from '../tables/types.js';
import { cpuQuantity, memoryQuantity, type NodeMetrics, type PodMetrics } from './metricsObjects.js';
import type { MetricsBody } from './metricsApi.js';

const columns = [
  column('Name', 'string', 'Name must be unique within a namespace.', { format: 'name' }),
  column('CPU', 'string', 'CPU usage over the window, in cores.'),
  column('Memory', 'string', 'Memory working set.'),
  column('Window', 'string', 'The interval the CPU rate was measured over.'),
];

function podTotals(p: PodMetrics): { cpu: string; memory: string } {
  let cpu = 0n;
  let mem = 0n;
  for (const c of p.containers) {
    cpu += parseQuantity(c.usage.cpu).nanoValue();
    mem += parseQuantity(c.usage.memory).nanoValue();
  }
  return { cpu: cpuQuantity(Number(cpu)), memory: memoryQuantity(Number(mem / 1_000_000_000n)) };
}

const printer: TablePrinter = {
  columns,
  cells(obj: KubeObject): unknown[] {
    const m = obj as unknown as NodeMetrics | PodMetrics;
    const u = m.kind === 'NodeMetrics' ? m.usage : podTotals(m);
    return [m.metadata.name, u.cpu, u.memory, m.window];
  },
};

export function sendMetrics(res: ServerResponse, accept: string | undefined, includeObject: string | null, body: MetricsBody, now: number): void {
  const neg = negotiate(accept, includeObject);
  if (neg.format !== 'table') return send(res, 200, body, neg.format);
  const items = ('items' in body ? body.items : [body]) as unknown as KubeObject[];
  send(res, 200, buildTable(printer, items, { now, includeObject: neg.includeObject }));
}
