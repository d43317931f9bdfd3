import { expect } from 'chai';
import { probeText } from './containers.js';
import { fieldTitle } from './generic.js';
import { endpointsText } from './service.js';
import type { EndpointSlice } from './wire.js';
import { rfc1123z, since } from './fields.js';

describe('describe field printers', () => {
  const titles: [string, string][] = [
    ['apiVersion', 'API Version'],
    ['creationTimestamp', 'Creation Timestamp'],
    ['uid', 'UID'],
    ['holderIdentity', 'Holder Identity'],
    ['pod-template-hash', 'Pod - Template - Hash'],
    ['example.com/x', 'example.com/x'],
  ];
  for (const [f, want] of titles) it(`titles ${f} as ${want}`, () => expect(fieldTitle(f)).to.equal(want));

  const probes: [object, string][] = [
    [{ exec: { command: ['cat', '/tmp/x'] }, initialDelaySeconds: 3, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 }, 'exec [cat /tmp/x] delay=3s timeout=1s period=10s #success=1 #failure=3'],
    [{ httpGet: { path: '/healthz', port: 'http', scheme: 'HTTPS', host: '::1' } }, 'http-get https://[::1]:http/healthz delay=0s timeout=0s period=0s #success=0 #failure=0'],
    [{ tcpSocket: { port: 5432 } }, 'tcp-socket :5432 delay=0s timeout=0s period=0s #success=0 #failure=0'],
    [{ grpc: { port: 9000, service: 'health' } }, 'grpc <pod>:9000 health delay=0s timeout=0s period=0s #success=0 #failure=0'],
  ];
  for (const [p, want] of probes) it(`probe ${want.split(' ')[0]}`, () => expect(probeText(p)).to.equal(want));

  it('endpoints: ready ones only, three at most, per port', () => {
    const slices = [{ endpoints: ['a', 'b', 'c', 'd', 'e'].map((ip, i) => ({ addresses: [ip], conditions: { ready: i !== 1 } })), ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53 }] }] as EndpointSlice[];
    expect(endpointsText(slices, 'http')).to.equal('a:80,c:80,d:80 + 2 more...');
    expect(endpointsText(slices, 'none')).to.equal('<none>');
    expect(endpointsText([], 'http')).to.equal('<none>');
  });

  it('times: RFC 1123 with a numeric zone, ages as kubectl says them', () => {
    expect(rfc1123z('2026-12-07T09:40:00Z')).to.match(/^Mon, 07 Dec 2026 \d\d:\d\d:00 [+-]\d{4}$/);
    expect(since('2026-12-07T09:40:00Z', Date.parse('2026-12-07T09:47:05Z'))).to.equal('7m5s');
    expect(since(undefined)).to.equal('<unknown>');
  });
});
