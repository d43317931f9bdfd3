import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { CachedObject } from '../watchcache/cachedObject.js';
import { PlainEncoded } from '../watchcache/encoded.js';
import { nameAgeTablePrinter } from './defaults.js';
import { HOUR, MINUTE, NOW, ago, make, makePod } from './fixtures.js';
import { jobPrinter } from './jobs.js';
import { podPrinter } from './pods.js';
import { cachedRowHead, cachedRowsComputed } from './rowCache.js';
import { tableRow } from './table.js';
import { nameColumn } from './cells.js';
import type { TablePrinter } from './types.js';

const entry = (obj: KubeObject, revision: number): CachedObject => CachedObject.stamped(`/registry/${obj.kind ?? 'x'}/default/${obj.metadata.name!}`, revision, obj);

/** The row as served from the cache, parsed: `{cells, conditions?}`. */
function served(printer: TablePrinter, item: CachedObject | PlainEncoded, now: number): unknown {
  const head = cachedRowHead(printer, item, now);
  expect(head, 'the printer has a template').to.be.a('string');
  return JSON.parse(`${head!}}`);
}

describe('row cache', () => {
  const crashing = (): KubeObject => makePod('crashy').phase('Running').container('app', { waiting: 'CrashLoopBackOff', restarts: 3, lastTerminatedAgo: 2 * MINUTE }).obj();

  it('computes a row once per entry and serves it again without recomputing', () => {
    const e = entry(crashing(), 10);
    const before = cachedRowsComputed();
    const first = served(podPrinter, e, NOW);
    for (let i = 0; i < 5; i++) expect(served(podPrinter, e, NOW)).to.deep.equal(first);
    expect(cachedRowsComputed() - before).to.equal(1);
  });

  it('recomputes for a new revision of the object (a new entry)', () => {
    const v1 = entry(crashing(), 10);
    const cells1 = (served(podPrinter, v1, NOW) as { cells: unknown[] }).cells;
    expect(cells1.slice(0, 4)).to.deep.equal(['crashy', '0/1', 'CrashLoopBackOff', '3 (2m ago)']);
    const before = cachedRowsComputed();
    const v2 = entry(makePod('crashy').phase('Running').container('app', { ready: true, running: true, restarts: 4, lastTerminatedAgo: MINUTE }).obj(), 11);
    const cells2 = (served(podPrinter, v2, NOW) as { cells: unknown[] }).cells;
    expect(cells2.slice(0, 4)).to.deep.equal(['crashy', '1/1', 'Running', '4 (60s ago)']);
    expect(cachedRowsComputed() - before).to.equal(1);
    // The old entry still answers with its own row (a reader may hold it) and is not recomputed.
    expect((served(podPrinter, v1, NOW) as { cells: unknown[] }).cells[2]).to.equal('CrashLoopBackOff');
    expect(cachedRowsComputed() - before).to.equal(1);
  });

  // Time cells are kept as timestamps: a cached row still reads the right age later.
  const none4 = ['<none>', '<none>', '<none>', '<none>']; // IP, NODE, NOMINATED NODE, READINESS GATES
  const later: { name: string; printer: TablePrinter; obj: KubeObject; at: number; want: unknown[] }[] = [
    { name: 'pod RESTARTS and AGE, 5 minutes on', printer: podPrinter, obj: crashing(), at: NOW + 5 * MINUTE, want: ['crashy', '0/1', 'CrashLoopBackOff', '3 (7m ago)', '10m', ...none4] },
    { name: 'pod RESTARTS and AGE, an hour on', printer: podPrinter, obj: crashing(), at: NOW + HOUR, want: ['crashy', '0/1', 'CrashLoopBackOff', '3 (62m ago)', '65m', ...none4] },
    { name: 'AGE of a custom resource, a day on', printer: nameAgeTablePrinter, obj: make('Widget', 'w'), at: NOW + 24 * HOUR, want: ['w', '24h'] },
    {
      name: 'DURATION of a running job grows, AGE too',
      printer: jobPrinter,
      obj: make('Job', 'j', { spec: { completions: 1, template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } }, status: { startTime: ago(MINUTE) } }),
      at: NOW + 2 * MINUTE,
      want: ['j', 'Running', '0/1', '3m', '12m', 'c', 'busybox', '<none>'],
    },
    {
      name: 'DURATION of a finished job stays',
      printer: jobPrinter,
      obj: make('Job', 'done', { spec: { completions: 1 }, status: { startTime: ago(5 * MINUTE), completionTime: ago(4 * MINUTE), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }),
      at: NOW + HOUR,
      want: ['done', 'Complete', '1/1', '60s', '70m', '', '', '<none>'],
    },
  ];
  for (const tc of later) {
    it(`renders time cells at serve time: ${tc.name}`, () => {
      const e = entry(tc.obj, 20);
      served(tc.printer, e, NOW); // cached now
      const before = cachedRowsComputed();
      const row = served(tc.printer, e, tc.at) as { cells: unknown[] };
      expect(cachedRowsComputed() - before, 'served from the cache').to.equal(0);
      expect(row.cells).to.deep.equal(tc.want);
      expect(row.cells).to.deep.equal(tc.printer.cells(e.forReading(), tc.at));
    });
  }

  it('keeps row conditions', () => {
    const e = entry(makePod('done').phase('Succeeded').container('app', { terminated: { reason: 'Completed' } }).obj(), 30);
    const want = JSON.parse(JSON.stringify(tableRow(podPrinter, e.forReading(), NOW, 'None'))) as unknown;
    expect(served(podPrinter, e, NOW)).to.deep.equal(want);
    expect(served(podPrinter, e, NOW)).to.have.nested.property('conditions[0].reason', 'Succeeded');
  });

  it('recomputes when another printer prints the same entry', () => {
    const e = entry(crashing(), 40);
    served(podPrinter, e, NOW);
    const before = cachedRowsComputed();
    expect((served(nameAgeTablePrinter, e, NOW) as { cells: unknown[] }).cells).to.deep.equal(['crashy', '5m']);
    expect(cachedRowsComputed() - before).to.equal(1);
  });

  it('caches nothing for a printer without a template (its rows are computed per request)', () => {
    const plain: TablePrinter = { columns: [nameColumn], cells: (obj) => [obj.metadata.name ?? ''] };
    expect(cachedRowHead(plain, new PlainEncoded(make('Widget', 'w')), NOW)).to.equal(undefined);
  });

  it('escapes cells that need it, and a NUL in a cell cannot be taken for a time cell', () => {
    const obj = makePod('weird').phase('Running').container('a"\\\u0000b', { waiting: 'Wait\u0000ing "x"' }).obj();
    const e = entry(obj, 50);
    const row = served(podPrinter, e, NOW + MINUTE) as { cells: unknown[] };
    expect(row.cells).to.deep.equal(podPrinter.cells(e.forReading(), NOW + MINUTE));
    expect(row.cells[2]).to.equal('Wait\u0000ing "x"');
  });
});
