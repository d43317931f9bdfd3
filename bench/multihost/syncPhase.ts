// EndpointSlice change -> rules on every host. The benchmark owns a selectorless Service and
// its one EndpointSlice (nobody else writes them: the EndpointSlice controller manages only
// the slices of Services with a selector), and flips one endpoint in and out of it, one
// change at a time. Each change is timed from just before its PATCH is sent until each
// host's netfilter has committed (or dropped) the DNAT to that endpoint, as xtables-monitor
// reports it in the host's namespace (ruleMonitor.ts). So the figure is the whole path a
// user waits for: API server write and watch fan-out, each agent's informer, the proxy's
// sync (model, render, diff) and its iptables-restore.
//
// Floors, same run: the delivery of the same changes to this process's own watch (the API
// server part), and one iptables-restore of a one-rule chain into a host's namespace, timed
// the same way to its monitor event (the netfilter part; spawning included, as the proxy
// spawns iptables-restore too).

import type { RestClient } from '../../common/client/restClient.js';
import { run } from '../../common/proc/run.js';
import type { HostRuleMonitor } from './ruleMonitor.js';

const service = 'bench-sync';
const slice = 'bench-sync-1';
/** A port no pod listens on: the DNAT destinations are then this benchmark's alone. */
const port = 18080;

export interface SyncFigures {
  /** Per change, per host: ms from the PATCH to the rules in that host. */
  perHostMs: number[];
  /** Per change: ms until the last host had it. */
  allHostsMs: number[];
  /** Per change: ms from the PATCH to this process's own watch event. */
  watchMs: number[];
  /** ms from spawning iptables-restore (one chain, one rule) to its monitor event. */
  restoreMs: number[];
  /** Whether iptables-save agreed with the monitors at the end, per host. */
  confirmed: boolean[];
}

async function ok(r: Promise<{ status: number; text: string }>, what: string, expected: number[]): Promise<void> {
  const res = await r;
  if (!expected.includes(res.status)) throw new Error(`${what}: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
}

export async function syncPhase(client: RestClient, ns: string, monitors: HostRuleMonitor[], floorHost: HostRuleMonitor, baseIp: string, toggledIp: string, changes: number, progress: (l: string) => void): Promise<SyncFigures> {
  const base = `${baseIp}:${port}`;
  const toggled = `${toggledIp}:${port}`;
  const endpoint = (ip: string): unknown => ({ addresses: [ip], conditions: { ready: true } });
  await ok(client.request('POST', `/api/v1/namespaces/${ns}/services`, { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: service }, spec: { ports: [{ name: 'http', port: 80, targetPort: port, protocol: 'TCP' }] } } }), 'POST service', [201]);
  await ok(
    client.request('POST', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
      body: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: slice, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', ports: [{ name: 'http', port, protocol: 'TCP' }], endpoints: [endpoint(baseIp)] },
    }),
    'POST endpointslice',
    [201],
  );
  await Promise.all(monitors.map((m) => m.until(base, true, 60_000)));

  // This process's own watch: when the API server delivered each version of the slice.
  const delivered = new Map<string, number>();
  const watch = client.watch(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, { resourceVersion: '0' }, (ev) => {
    const md = (ev.object as { metadata?: { name?: string; resourceVersion?: string } }).metadata;
    if (md?.name === slice && md.resourceVersion) delivered.set(md.resourceVersion, performance.now());
  });
  const out: SyncFigures = { perHostMs: [], allHostsMs: [], watchMs: [], restoreMs: [], confirmed: [] };
  try {
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < changes; i++) {
      const present = i % 2 === 0;
      const t0 = performance.now();
      const arrivals = monitors.map((m) => m.until(toggled, present, 30_000));
      const res = await client.request('PATCH', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${slice}`, {
        body: { endpoints: present ? [endpoint(baseIp), endpoint(toggledIp)] : [endpoint(baseIp)] },
        contentType: 'application/merge-patch+json',
      });
      if (res.status !== 200) throw new Error(`PATCH endpointslice: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      const rv = (res.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? '';
      const at = await Promise.all(arrivals);
      const perHost = at.map((t) => t - t0);
      out.perHostMs.push(...perHost);
      out.allHostsMs.push(Math.max(...perHost));
      const w = delivered.get(rv);
      if (w !== undefined) out.watchMs.push(w - t0);
      if (i % 10 === 9) progress(`endpointslice: ${i + 1}/${changes} changes; last: ${perHost.map((x) => x.toFixed(0)).join(' / ')} ms per host`);
      // Independent changes: each starts after the proxies' 100 ms minimum sync interval.
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
    }
  } finally {
    watch.stop();
  }
  for (const m of monitors) out.confirmed.push(await m.confirm(toggled));

  // The netfilter floor: a one-rule chain in and out of one host, seen by its monitor.
  const floorChain = 'GANTRY-SEP-BENCH-FLOOR';
  const floorDest = '192.0.2.1:9';
  for (let i = 0; i < 20; i++) {
    const present = i % 2 === 0;
    const input = present ? `*nat\n:${floorChain} - [0:0]\n-A ${floorChain} -p tcp -j DNAT --to-destination ${floorDest}\nCOMMIT\n` : `*nat\n-F ${floorChain}\n-X ${floorChain}\nCOMMIT\n`;
    const seen = floorHost.until(floorDest, present, 10_000);
    const t0 = performance.now();
    const r = await run('nsenter', [`--net=${floorHost.netnsPath}`, '--', 'iptables-restore', '-w', '5', '--noflush'], { input });
    if (r.code !== 0) throw new Error(`iptables-restore (floor): ${r.stderr}`);
    out.restoreMs.push((await seen) - t0);
    await new Promise((r2) => setTimeout(r2, 100));
  }
  await ok(client.request('DELETE', `/api/v1/namespaces/${ns}/services/${service}`), 'DELETE service', [200, 202]);
  await ok(client.request('DELETE', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${slice}`), 'DELETE endpointslice', [200, 202]);
  return out;
}
