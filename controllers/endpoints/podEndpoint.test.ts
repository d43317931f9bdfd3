import { expect } from 'chai';
import { endpointConditions, endpointHostname, podAddress, PortNotFoundError, resolveTargetPort, shouldListPod, isPodReadyEndpoint, type EndpointConditions } from './podEndpoint.js';
import { makePod, makeService } from './testing.js';
import type { Pod, ServicePort } from './types.js';

describe('resolveTargetPort', () => {
  const pod = makePod('p').port('http', 8080).port('dns', 5353, 'UDP').port('metrics', 9090).obj();
  const cases: { name: string; sp: ServicePort; want: number | 'not found' }[] = [
    { name: 'a number is taken as it is', sp: { port: 80, targetPort: 8081 }, want: 8081 },
    { name: 'no target port means the service port', sp: { port: 80 }, want: 80 },
    { name: 'a name resolves to the container port of that name', sp: { port: 80, targetPort: 'http' }, want: 8080 },
    { name: 'a name with its protocol', sp: { port: 53, protocol: 'UDP', targetPort: 'dns' }, want: 5353 },
    { name: 'a name with another protocol does not resolve', sp: { port: 53, protocol: 'TCP', targetPort: 'dns' }, want: 'not found' },
    { name: 'an unknown name does not resolve', sp: { port: 80, targetPort: 'grpc' }, want: 'not found' },
    { name: 'a numeric string is a number', sp: { port: 80, targetPort: '8443' }, want: 8443 },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.want === 'not found') expect(() => resolveTargetPort(pod, tc.sp)).to.throw(PortNotFoundError);
      else expect(resolveTargetPort(pod, tc.sp)).to.equal(tc.want);
    });
  }
  it('searches every container', () => {
    const p = makePod('p').obj();
    p.spec!.containers!.push({ name: 'side', ports: [{ name: 'admin', containerPort: 7000 }] });
    expect(resolveTargetPort(p, { port: 80, targetPort: 'admin' })).to.equal(7000);
  });
});

describe('pod readiness and conditions', () => {
  const svc = makeService('web', [{ port: 80 }]);
  const publishing = makeService('web', [{ port: 80 }], { publishNotReadyAddresses: true });
  const cases: { name: string; pod: Pod; listed: boolean; listedTerminating: boolean; ready: boolean; conditions: EndpointConditions; publishing: EndpointConditions }[] = [
    {
      name: 'running and ready',
      pod: makePod('a').obj(),
      listed: true,
      listedTerminating: true,
      ready: true,
      conditions: { ready: true, serving: true, terminating: false },
      publishing: { ready: true, serving: true, terminating: false },
    },
    {
      name: 'running, not ready',
      pod: makePod('a').ready(false).obj(),
      listed: true,
      listedTerminating: true,
      ready: false,
      conditions: { ready: false, serving: false, terminating: false },
      publishing: { ready: true, serving: false, terminating: false },
    },
    {
      name: 'ready but terminating: not ready at once, still serving',
      pod: makePod('a').terminating().obj(),
      listed: false,
      listedTerminating: true,
      ready: false,
      conditions: { ready: false, serving: true, terminating: true },
      publishing: { ready: true, serving: true, terminating: true },
    },
    {
      name: 'terminating and not ready',
      pod: makePod('a').terminating().ready(false).obj(),
      listed: false,
      listedTerminating: true,
      ready: false,
      conditions: { ready: false, serving: false, terminating: true },
      publishing: { ready: true, serving: false, terminating: true },
    },
    {
      name: 'Ready condition left over but phase Pending',
      pod: makePod('a').phase('Pending').obj(),
      listed: true,
      listedTerminating: true,
      ready: false,
      conditions: { ready: false, serving: false, terminating: false },
      publishing: { ready: true, serving: false, terminating: false },
    },
    { name: 'succeeded', pod: makePod('a').phase('Succeeded').obj(), listed: false, listedTerminating: false, ready: false, conditions: { ready: false, serving: false, terminating: false }, publishing: { ready: true, serving: false, terminating: false } },
    { name: 'failed', pod: makePod('a').phase('Failed').ready(false).obj(), listed: false, listedTerminating: false, ready: false, conditions: { ready: false, serving: false, terminating: false }, publishing: { ready: true, serving: false, terminating: false } },
    { name: 'no IP yet', pod: makePod('a').ip().obj(), listed: false, listedTerminating: false, ready: true, conditions: { ready: true, serving: true, terminating: false }, publishing: { ready: true, serving: true, terminating: false } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(shouldListPod(tc.pod, false), 'listed').to.equal(tc.listed);
      expect(shouldListPod(tc.pod, true), 'listed with terminating').to.equal(tc.listedTerminating);
      expect(isPodReadyEndpoint(tc.pod), 'ready').to.equal(tc.ready);
      expect(endpointConditions(tc.pod, svc)).to.deep.equal(tc.conditions);
      expect(endpointConditions(tc.pod, publishing)).to.deep.equal(tc.publishing);
    });
  }
});

describe('podAddress and endpointHostname', () => {
  it('picks the address of the family', () => {
    const p = makePod('a').ip('10.0.0.5', 'fd00::5').obj();
    expect(podAddress(p, 'IPv4')).to.equal('10.0.0.5');
    expect(podAddress(p, 'IPv6')).to.equal('fd00::5');
    expect(podAddress(makePod('b').ip('10.0.0.6').obj(), 'IPv6')).to.equal(undefined);
  });
  it('falls back to status.podIP', () => {
    const p = makePod('a').obj();
    delete p.status!.podIPs;
    expect(podAddress(p, 'IPv4')).to.equal('10.0.0.1');
  });
  it('publishes a hostname only inside the service subdomain', () => {
    const svc = makeService('web', []);
    expect(endpointHostname(makePod('a').hostname('a-0', 'web').obj(), svc)).to.equal('a-0');
    expect(endpointHostname(makePod('a').hostname('a-0', 'other').obj(), svc)).to.equal(undefined);
    expect(endpointHostname(makePod('a').obj(), svc)).to.equal(undefined);
  });
});
