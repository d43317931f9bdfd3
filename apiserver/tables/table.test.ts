import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { defaultTablePrinter } from './defaults.js';
import { NOW, make, makePod } from './fixtures.js';
import { printerFor, tablePrinters } from './registry.js';
import { buildTable, parseIncludeObject, tableRow } from './table.js';

describe('tablePrinters registry', () => {
  const expected = ['pods', 'nodes', 'namespaces', 'services', 'endpoints', 'configmaps', 'secrets', 'events', 'serviceaccounts', 'deployments', 'replicasets', 'daemonsets', 'statefulsets', 'controllerrevisions', 'persistentvolumes', 'persistentvolumeclaims', 'storageclasses', 'jobs', 'cronjobs', 'poddisruptionbudgets', 'leases', 'priorityclasses', 'endpointslices', 'certificatesigningrequests'];
  it('covers the resources kubectl users look at', () => expect(Object.keys(tablePrinters)).to.have.members(expected));

  const lookups: { resource: string; isDefault: boolean }[] = [
    { resource: 'pods', isDefault: false },
    { resource: 'clusterroles', isDefault: true },
    { resource: 'constructor', isDefault: true },
    { resource: '', isDefault: true },
  ];
  for (const tc of lookups) {
    it(`printerFor(${JSON.stringify(tc.resource)})`, () => expect(printerFor(tc.resource) === defaultTablePrinter).to.equal(tc.isDefault));
  }

  // Every printer must survive a bare object and give one cell per column.
  for (const [resource, printer] of Object.entries(tablePrinters)) {
    it(`${resource}: one cell per column, even for a bare object`, () => {
      const bare: KubeObject = { metadata: {} };
      const cells = printer.cells(bare, NOW);
      expect(cells).to.have.length(printer.columns.length);
      for (const c of cells) expect(['string', 'number', 'boolean']).to.include(typeof c);
      const nameCol = printer.columns.findIndex((c) => c.format === 'name');
      expect(nameCol, 'has a name column').to.be.greaterThan(-1);
    });
  }
});

describe('buildTable', () => {
  const pods = [makePod('a').phase('Running').container('app', { ready: true, running: true }).obj(), makePod('b').phase('Succeeded').container('app', { terminated: { reason: 'Completed' } }).obj()];

  it('builds a meta.k8s.io/v1 Table with partial object metadata by default', () => {
    const t = buildTable(printerFor('pods'), pods, { now: NOW, metadata: { resourceVersion: '42' } });
    expect(t.kind).to.equal('Table');
    expect(t.apiVersion).to.equal('meta.k8s.io/v1');
    expect(t.metadata).to.deep.equal({ resourceVersion: '42' });
    expect(t.columnDefinitions[0]).to.deep.include({ name: 'Name', type: 'string', format: 'name', priority: 0 });
    expect(t.rows).to.have.length(2);
    expect(t.rows[0]?.cells.slice(0, 3)).to.deep.equal(['a', '1/1', 'Running']);
    expect(t.rows[0]?.object).to.deep.equal({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pods[0]?.metadata });
    expect(t.rows[0]).not.to.have.property('conditions');
    expect(t.rows[1]?.conditions?.[0]).to.include({ type: 'Completed', status: 'True', reason: 'Succeeded' });
  });

  const includes: { include: 'None' | 'Metadata' | 'Object'; kind: string | undefined }[] = [
    { include: 'None', kind: undefined },
    { include: 'Metadata', kind: 'PartialObjectMetadata' },
    { include: 'Object', kind: 'Pod' },
  ];
  for (const tc of includes) {
    it(`includeObject=${tc.include}`, () => {
      const row = tableRow(printerFor('pods'), pods[0] as KubeObject, NOW, tc.include);
      expect((row.object as { kind?: string } | undefined)?.kind).to.equal(tc.kind);
    });
  }

  it('leaves out headers with noHeaders', () => {
    const t = buildTable(printerFor('configmaps'), [make('ConfigMap', 'c')], { now: NOW, noHeaders: true });
    expect(t.columnDefinitions).to.deep.equal([]);
    expect(t.rows[0]?.cells).to.deep.equal(['c', 0, '10m']);
  });

  it('does not share column objects with the printer', () => {
    const t = buildTable(printerFor('configmaps'), [], { now: NOW });
    const first = t.columnDefinitions[0];
    if (first) first.name = 'changed';
    expect(printerFor('configmaps').columns[0]?.name).to.equal('Name');
  });

  const parses: { input: unknown; want: string }[] = [
    { input: 'None', want: 'None' },
    { input: 'Object', want: 'Object' },
    { input: 'Metadata', want: 'Metadata' },
    { input: undefined, want: 'Metadata' },
    { input: 'bogus', want: 'Metadata' },
  ];
  for (const tc of parses) it(`parseIncludeObject(${String(tc.input)})`, () => expect(parseIncludeObject(tc.input)).to.equal(tc.want));
});
