import { expect } from 'chai';
import { desiredSubsets, maxEndpointsAddresses } from './subsets.js';
import { makePod, makeService } from './testing.js';
import type { EndpointSubset, Pod, Service } from './types.js';

const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });
const addr = (ip: string, name: string, node = 'node-1') => ({ ip, nodeName: node, targetRef: ref(name) });

describe('desiredSubsets', () => {
  const web = makeService('web', [{ name: 'http', port: 80, targetPort: 8080 }]);
  const cases: { name: string; svc: Service; pods: Pod[]; want: EndpointSubset[] }[] = [
    { name: 'no pods', svc: web, pods: [], want: [] },
    {
      name: 'ready and not-ready pods, sorted by IP',
      svc: web,
      pods: [makePod('b').ip('10.0.0.2').obj(), makePod('a').ip('10.0.0.1').obj(), makePod('c').ip('10.0.0.3').ready(false).obj()],
      want: [{ addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.2', 'b')], notReadyAddresses: [addr('10.0.0.3', 'c')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    },
    {
      name: 'a terminating pod is left out at once',
      svc: web,
      pods: [makePod('a').ip('10.0.0.1').obj(), makePod('b').ip('10.0.0.2').terminating().obj()],
      want: [{ addresses: [addr('10.0.0.1', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    },
    {
      name: 'publishNotReadyAddresses lists every pod as ready, terminating ones too',
      svc: makeService('web', [{ port: 80 }], { publishNotReadyAddresses: true }),
      pods: [makePod('a').ip('10.0.0.1').ready(false).obj(), makePod('b').ip('10.0.0.2').terminating().obj()],
      want: [{ addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.2', 'b')], ports: [{ port: 80, protocol: 'TCP' }] }],
    },
    {
      name: 'a named target port resolving differently per pod makes two subsets',
      svc: makeService('web', [{ name: 'http', port: 80, targetPort: 'web' }]),
      pods: [makePod('a').ip('10.0.0.1').port('web', 8080).obj(), makePod('b').ip('10.0.0.2').port('web', 9090).obj(), makePod('c').ip('10.0.0.3').obj()],
      want: [
        { addresses: [addr('10.0.0.1', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
        { addresses: [addr('10.0.0.2', 'b')], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
      ],
    },
    {
      name: 'several ports, only those that resolve',
      svc: makeService('web', [
        { name: 'http', port: 80, targetPort: 'web' },
        { name: 'metrics', port: 9100, targetPort: 'metrics' },
      ]),
      pods: [makePod('a').ip('10.0.0.1').port('web', 8080).port('metrics', 9100).obj(), makePod('b').ip('10.0.0.2').port('web', 8080).obj()],
      want: [
        { addresses: [addr('10.0.0.1', 'a')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }] },
        { addresses: [addr('10.0.0.2', 'b')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      ],
    },
    {
      name: 'a headless service without ports lists bare addresses with hostnames',
      svc: makeService('db', [], { clusterIP: 'None' }),
      pods: [makePod('db-0').ip('10.0.0.7').hostname('db-0', 'db').node(undefined).obj()],
      want: [{ addresses: [{ ip: '10.0.0.7', hostname: 'db-0', targetRef: ref('db-0') }] }],
    },
    { name: 'a pod without an IP is left out', svc: web, pods: [makePod('a').ip().obj()], want: [] },
    { name: 'an IPv6 service takes the IPv6 address', svc: makeService('web', [{ port: 80 }], { ipFamilies: ['IPv6'] }), pods: [makePod('a').ip('10.0.0.1', 'fd00::1').obj()], want: [{ addresses: [addr('fd00::1', 'a')], ports: [{ port: 80, protocol: 'TCP' }] }] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = desiredSubsets(tc.svc, tc.pods);
      expect(got.subsets).to.deep.equal(tc.want);
      expect(got.truncated).to.equal(false);
    });
  }

  it(`truncates beyond ${maxEndpointsAddresses} addresses, keeping ready ones`, () => {
    const pods = Array.from({ length: maxEndpointsAddresses + 5 }, (_, i) => makePod(`p${i}`).ip(`10.1.${i >> 8}.${i & 255}`).ready(i >= 10).obj());
    const got = desiredSubsets(web, pods);
    expect(got.truncated).to.equal(true);
    expect(got.subsets[0]!.addresses).to.have.length(maxEndpointsAddresses - 5);
    expect(got.subsets[0]!.notReadyAddresses).to.have.length(5);
  });
});
