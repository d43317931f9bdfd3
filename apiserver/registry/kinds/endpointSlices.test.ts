import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { endpointSliceStrategy, validateEndpointSlice, validateEndpointSliceUpdate } from './endpointSlices.js';

/** An EndpointSlice as a client sends it, defaulted the way the API server defaults it. */
function slice(fields: Record<string, unknown>): KubeObject {
  const obj: KubeObject = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } }, ...fields };
  endpointSliceStrategy.defaults!(obj);
  return obj;
}

const ep = (...addresses: unknown[]): Record<string, unknown> => ({ addresses, conditions: { ready: true } });

describe('validateEndpointSlice', () => {
  const many = (n: number, f: (i: number) => unknown): unknown[] => Array.from({ length: n }, (_, i) => f(i));
  const cases: { name: string; obj: KubeObject; causes: string[]; message?: string }[] = [
    { name: 'an IPv4 slice', obj: slice({ addressType: 'IPv4', endpoints: [ep('10.0.0.1')], ports: [{ name: 'http', port: 80 }] }), causes: [] },
    { name: 'an IPv6 slice', obj: slice({ addressType: 'IPv6', endpoints: [ep('fd00::1')], ports: [] }), causes: [] },
    { name: 'an FQDN slice', obj: slice({ addressType: 'FQDN', endpoints: [ep('db.example.com')] }), causes: [] },
    { name: 'no endpoints at all', obj: slice({ addressType: 'IPv4', endpoints: [] }), causes: [] },
    { name: 'missing address type', obj: slice({ endpoints: [] }), causes: ['FieldValueRequired addressType'] },
    {
      name: 'unknown address type',
      obj: slice({ addressType: 'IP', endpoints: [] }),
      causes: ['FieldValueNotSupported addressType'],
      message: 'Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"',
    },
    { name: 'an IPv6 address in an IPv4 slice', obj: slice({ addressType: 'IPv4', endpoints: [ep('fd00::1')] }), causes: ['FieldValueInvalid endpoints[0].addresses[0]'], message: 'Invalid value: "fd00::1": must be a valid IPv4 address' },
    { name: 'a one-label FQDN', obj: slice({ addressType: 'FQDN', endpoints: [ep('db')] }), causes: ['FieldValueInvalid endpoints[0].addresses[0]'] },
    { name: 'an endpoint without addresses', obj: slice({ addressType: 'IPv4', endpoints: [ep()] }), causes: ['FieldValueRequired endpoints[0].addresses'] },
    { name: '101 addresses', obj: slice({ addressType: 'IPv4', endpoints: [ep(...many(101, (i) => `10.0.${i >> 8}.${i & 255}`))] }), causes: ['FieldValueTooMany endpoints[0].addresses'] },
    { name: '1000 endpoints', obj: slice({ addressType: 'IPv4', endpoints: many(1000, (i) => ep(`10.1.${i >> 8}.${i & 255}`)) }), causes: [] },
    {
      name: '1001 endpoints',
      obj: slice({ addressType: 'IPv4', endpoints: many(1001, (i) => ep(`10.1.${i >> 8}.${i & 255}`)) }),
      causes: ['FieldValueTooMany endpoints'],
      message: 'Too many: 1001: must have at most 1000 items',
    },
    { name: 'a bad hostname and node name', obj: slice({ addressType: 'IPv4', endpoints: [{ ...ep('10.0.0.1'), hostname: 'Web_0', nodeName: 'Node..1' }] }), causes: ['FieldValueInvalid endpoints[0].hostname', 'FieldValueInvalid endpoints[0].nodeName'] },
    { name: 'nine zone hints', obj: slice({ addressType: 'IPv4', endpoints: [{ ...ep('10.0.0.1'), hints: { forZones: many(9, (i) => ({ name: `z${i}` })) } }] }), causes: ['FieldValueTooMany endpoints[0].hints.forZones'] },
    { name: 'duplicate port names', obj: slice({ addressType: 'IPv4', endpoints: [], ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }), causes: ['FieldValueDuplicate ports[1].name'] },
    { name: 'two unnamed ports', obj: slice({ addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }, { port: 81 }] }), causes: ['FieldValueDuplicate ports[1].name'] },
    { name: 'a bad port name', obj: slice({ addressType: 'IPv4', endpoints: [], ports: [{ name: 'HTTP', port: 80 }] }), causes: ['FieldValueInvalid ports[0].name'] },
    { name: 'port 0', obj: slice({ addressType: 'IPv4', endpoints: [], ports: [{ name: 'a', port: 0 }] }), causes: ['FieldValueInvalid ports[0].port'] },
    { name: 'a port without a number (all ports)', obj: slice({ addressType: 'IPv4', endpoints: [], ports: [{ name: 'all' }] }), causes: [] },
    { name: 'an unknown protocol', obj: slice({ addressType: 'IPv4', endpoints: [], ports: [{ name: 'a', port: 80, protocol: 'ICMP' }] }), causes: ['FieldValueNotSupported ports[0].protocol'] },
    { name: 'a bad app protocol', obj: slice({ addressType: 'IPv4', endpoints: [], ports: [{ name: 'a', port: 80, appProtocol: 'not a name' }] }), causes: ['FieldValueInvalid ports[0].appProtocol'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const causes = validateEndpointSlice(tc.obj);
      expect(causes.map((c) => `${c.reason} ${c.field}`)).to.deep.equal(tc.causes);
      if (tc.message) expect(causes[0]?.message).to.equal(tc.message);
    });
  }

  it('defaults port protocol to TCP and name to ""', () => {
    expect(slice({ addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] }).ports).to.deep.equal([{ port: 80, name: '', protocol: 'TCP' }]);
  });
});

describe('validateEndpointSliceUpdate', () => {
  const old = slice({ addressType: 'IPv4', endpoints: [ep('10.0.0.1')] });
  it('endpoints may change', () => expect(validateEndpointSliceUpdate(slice({ addressType: 'IPv4', endpoints: [] }), old)).to.deep.equal([]));
  it('the address type may not', () => {
    const causes = validateEndpointSliceUpdate(slice({ addressType: 'IPv6', endpoints: [] }), old);
    expect(causes.map((c) => `${c.reason} ${c.field} ${c.message}`)).to.deep.equal(['FieldValueInvalid addressType Invalid value: "IPv6": field is immutable']);
  });
});
