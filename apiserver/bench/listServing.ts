// In-process micro-benchmark: what the watch cache's compact entries cost to hold and to
// serve as a LIST (JSON, and the Table kubectl asks for: first with every row computed, then
// from the row cache, and what the cached rows hold), each beside its floor measured in the
// same run. Prints figures; never a pass/fail test. The whole-process figures (HTTPS, RSS) are in bench/apiserver.ts.
//   node --expose-gc --import tsx apiserver/bench/listServing.ts [objects]

import type { KubeObject } from '../../common/api/meta.js';
import { jsonListBody, tableBody } from '../http/serialize.js';
import { protobufFixtures } from '../protobuf/fixtures.js';
import { podPrinter } from '../tables/pods.js';
import { buildTable } from '../tables/table.js';
import { CachedObject } from '../watchcache/cachedObject.js';

const count = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;

/** A pod shaped like the fixture (full spec, status, managedFields), with its own name. */
function pod(i: number): KubeObject {
  const p = structuredClone(protobufFixtures.Pod) as unknown as KubeObject;
  p.metadata.name = `web-${i}`;
  p.metadata.uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  delete p.metadata.deletionTimestamp;
  delete p.metadata.deletionGracePeriodSeconds;
  return p;
}

/** Median CPU milliseconds of `fn` over 7 runs (after a warm-up). */
function cpuMs(fn: () => unknown): number {
  const runs: number[] = [];
  for (let r = 0; r < 8; r++) {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    if (r > 0) runs.push((d.user + d.system) / 1000);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)]!;
}

/** Heap plus external bytes that `make` leaves reachable. */
function retained(make: () => unknown): { bytes: number; keep: unknown } {
  gc?.();
  const before = process.memoryUsage();
  const keep = make();
  gc?.();
  const after = process.memoryUsage();
  return { bytes: after.heapUsed + after.external - before.heapUsed - before.external, keep };
}

const objects = Array.from({ length: count }, (_, i) => ({ ...pod(i), metadata: { ...pod(i).metadata, resourceVersion: String(100 + i) } }));
const stored = Buffer.byteLength(JSON.stringify(objects[0]));
const compact = retained(() => objects.map((o, i) => new CachedObject(`/registry/pods/default/web-${i}`, 100 + i, o)));
const trees = retained(() => objects.map((o) => JSON.parse(JSON.stringify(o)) as KubeObject));
const entries = compact.keep as CachedObject[];
const list = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items: entries };
const parsedList = { ...list, items: trees.keep as KubeObject[] };
const now = Date.now();

const rows: string[][] = [['figure', 'value', 'floor (same run)']];
const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
rows.push([`memory of ${count} pods (${stored} B of JSON each)${gc ? '' : ' (run with --expose-gc)'}`, `${mib(compact.bytes)} compact entries`, `${mib(count * stored)} the JSON bytes alone; ${mib(trees.bytes)} as parsed trees`]);
rows.push([`JSON LIST body of ${count} pods, CPU`, `${cpuMs(() => jsonListBody(list).batches()).toFixed(1)} ms (copy stored bytes)`, `${cpuMs(() => JSON.stringify(parsedList)).toFixed(1)} ms JSON.stringify`]);
const tableOpts = (at: number) => ({ now: at, includeObject: 'Metadata' as const, metadata: {} });
const tableFloor = `${cpuMs(() => JSON.stringify(buildTable(podPrinter, parsedList.items, tableOpts(now)))).toFixed(1)} ms JSON.stringify(buildTable) over parsed trees held in memory`;
// First Table LIST over entries no Table was made from: every row is computed (one parse each).
const coldRuns: number[] = [];
for (let r = 0; r < 3; r++) {
  const fresh = objects.map((o, i) => new CachedObject(`/registry/pods/default/web-${i}`, 100 + i, o));
  const t = process.cpuUsage();
  tableBody(podPrinter, fresh, tableOpts(now)).batches();
  const d = process.cpuUsage(t);
  coldRuns.push((d.user + d.system) / 1000);
}
coldRuns.sort((a, b) => a - b);
rows.push([`Table LIST body of ${count} pods, first (rows computed), CPU`, `${coldRuns[1]!.toFixed(1)} ms`, tableFloor]);
// Later ones: rows from the row cache, the time cells rendered at each one's own `now`.
let later = now;
rows.push([`Table LIST body of ${count} pods, later (rows cached), CPU`, `${cpuMs(() => tableBody(podPrinter, entries, tableOpts((later += 61_000))).batches()).toFixed(1)} ms`, tableFloor]);
// Heap only: the body's buffers are garbage by then, but external memory is given back lazily.
const rowEntries = objects.map((o, i) => new CachedObject(`/registry/pods/default/web-${i}`, 100 + i, o));
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
tableBody(podPrinter, rowEntries, tableOpts(now)).batches();
gc?.();
const rowBytes = process.memoryUsage().heapUsed - heapBefore;
rows.push([`memory of the cached Table rows of ${count} pods${gc ? '' : ' (run with --expose-gc)'}`, `${mib(rowBytes)} (${Math.round(rowBytes / count)} B a row)`, `${mib(compact.bytes)} the compact entries themselves`]);
rows.push([`parse for a Table row, all ${count}, CPU`, `${cpuMs(() => entries.map((e) => e.forReading())).toFixed(1)} ms without managedFields`, `${cpuMs(() => entries.map((e) => e.object)).toFixed(1)} ms whole object`]);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
