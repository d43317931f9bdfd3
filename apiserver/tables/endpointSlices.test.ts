import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { endpointSlicePrinter } from './endpointSlices.js';
import { NOW, make } from './fixtures.js';

describe('endpointSlicePrinter', () => {
  it('has the columns kubectl users know', () => {
    expect(endpointSlicePrinter.columns.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase())).to.deep.equal(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
  });

  const slice = (fields: Record<string, unknown>): KubeObject => make('EndpointSlice', 'web-x1', { addressType: 'IPv4', ...fields });
  const ep = (...addresses: string[]) => ({ addresses, conditions: { ready: true } });
  const cases: { name: string; obj: KubeObject; want: unknown[] }[] = [
    { name: 'empty', obj: slice({ endpoints: [] }), want: ['web-x1', 'IPv4', '<unset>', '<unset>', '10m'] },
    { name: 'one port, two endpoints', obj: slice({ ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints: [ep('10.1.0.1'), ep('10.1.0.2')] }), want: ['web-x1', 'IPv4', '80', '10.1.0.1,10.1.0.2', '10m'] },
    { name: 'exactly three endpoints', obj: slice({ ports: [{ port: 80 }, { port: 443 }], endpoints: [ep('10.1.0.1'), ep('10.1.0.2'), ep('10.1.0.3')] }), want: ['web-x1', 'IPv4', '80,443', '10.1.0.1,10.1.0.2,10.1.0.3', '10m'] },
    { name: 'more than three', obj: slice({ ports: [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }], endpoints: [ep('10.1.0.1', '10.1.0.9'), ep('10.1.0.2'), ep('10.1.0.3'), ep('10.1.0.4')] }), want: ['web-x1', 'IPv4', '1,2,3 + 1 more...', '10.1.0.1,10.1.0.9,10.1.0.2 + 2 more...', '10m'] },
    { name: 'ports without numbers', obj: slice({ ports: [{ name: 'all' }, {}], endpoints: [] }), want: ['web-x1', 'IPv4', 'all,*', '<unset>', '10m'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(endpointSlicePrinter.cells(tc.obj, NOW)).to.deep.equal(tc.want));
});
