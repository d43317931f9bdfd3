// In-process micro-benchmark of the DNS server: UDP A queries for a ClusterIP Service and a
// headless one (20 endpoints) against 2,000 Services, N in flight from one client socket.
// Prints queries per second, latency percentiles and RSS; never part of the test run.
//   npx tsx dns/bench/queries.ts [queries=20000] [inflight=64]

import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { IndexedStore } from '../../common/client/informer.js';
import { silentLogger } from '../../common/logging.js';
import { StoreView } from '../clusterView.js';
import { Forwarder } from '../forwarder.js';
import { DnsHandler } from '../handler.js';
import { ZoneResolver } from '../records.js';
import { DnsServer } from '../server.js';
import type { EndpointSlice, Service } from '../types.js';

const total = Number(process.argv[2] ?? 20_000);
const inflight = Number(process.argv[3] ?? 64);
const logger = silentLogger();

const services = new IndexedStore<Service>();
const slices = new IndexedStore<EndpointSlice>();
for (let i = 0; i < 2000; i++) {
  const headless = i % 10 === 0;
  services.set(`default/svc-${i}`, { metadata: { namespace: 'default', name: `svc-${i}` }, spec: { clusterIP: headless ? 'None' : `10.96.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80 }] } });
  if (headless) {
    slices.set(`default/svc-${i}-x`, {
      metadata: { namespace: 'default', name: `svc-${i}-x`, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 20 }, (_, j) => ({ addresses: [`10.244.${i >> 8}.${j}`], conditions: { ready: true } })),
    });
  }
}
const namespaces = new IndexedStore<{ metadata?: { name?: string } }>();
namespaces.set('default', { metadata: { name: 'default' } });
const handler = new DnsHandler({
  resolver: new ZoneResolver(new StoreView({ services, slices, namespaces }), { clusterDomain: 'cluster.local', ttl: 5, nameserverIP: '10.96.0.10' }),
  forwarder: new Forwarder({ upstreams: [], timeoutMs: 100, logger }),
  logger,
});
const server = new DnsServer({ handler, listenAddress: '127.0.0.1', port: 0, logger });
await server.start();

const sock = dgram.createSocket('udp4');
const sentAt = new Map<number, bigint>();
const latencies: number[] = [];
let sent = 0;
let received = 0;
const started = process.hrtime.bigint();
await new Promise<void>((resolve) => {
  const send = (): void => {
    if (sent >= total) return;
    const id = sent & 0xffff;
    const i = sent % 2000;
    sent++;
    sentAt.set(id, process.hrtime.bigint());
    sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: `svc-${i}.default.svc.cluster.local`, type: 'A' }] }), server.port, '127.0.0.1');
  };
  sock.on('message', (m) => {
    const id = m.readUInt16BE(0);
    const t = sentAt.get(id);
    if (t !== undefined) latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    received++;
    if (received >= total) resolve();
    else send();
  });
  for (let k = 0; k < inflight; k++) send();
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const pct = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]!.toFixed(2);
console.log(`${total} UDP A queries, ${inflight} in flight, 2,000 Services: ${Math.round(total / seconds)} queries/s; latency p50 ${pct(50)} ms, p99 ${pct(99)} ms; RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
sock.close();
await server.stop();
