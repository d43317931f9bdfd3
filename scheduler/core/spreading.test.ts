// The default profile as a whole (no API): replicas of one workload spread over hosts
// (PodTopologySpread's default constraints outweigh MostAllocated), while pods that are not
// replicas of each other still pack.

import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { buildFramework, resolveProfile } from '../config/profile.js';
import type { Binder } from '../framework/interfaces.js';
import { staticWorkloads } from '../framework/listers.js';
import type { Pod } from '../framework/types.js';
import { podKey } from '../framework/types.js';
import { makeReplicaSet, makeService, ownedBy } from '../testing/workloads.js';
import type { SchedulingReporter } from './reporter.js';
import { Scheduler } from './scheduler.js';

const quiet: SchedulingReporter = { scheduled: () => undefined, unschedulable: () => undefined, preempted: () => undefined, clearNomination: () => undefined };

function setup(nodes: number, random: () => number, capacity = { cpu: '4', memory: '16Gi' }) {
  const bound = new Map<string, string>();
  const binder: Binder = { bind: async (pod: Pod, node: string) => void bound.set(podKey(pod), node) };
  const workloads = staticWorkloads({
    replicaSets: [
      makeReplicaSet('web-1', { matchLabels: { app: 'web' } }),
      makeReplicaSet('api-1', { matchLabels: { app: 'api' } }),
      // As the examples' Deployments make them (manifests/examples/web.yaml, redis.yaml).
      makeReplicaSet('web-v1', { matchLabels: { app: 'web', 'pod-template-hash': 'v1' } }),
      makeReplicaSet('web-v2', { matchLabels: { app: 'web', 'pod-template-hash': 'v2' } }),
      makeReplicaSet('redis-primary-h', { matchLabels: { app: 'redis', role: 'primary', 'pod-template-hash': 'h' } }),
      makeReplicaSet('redis-replica-h', { matchLabels: { app: 'redis', role: 'replica', 'pod-template-hash': 'h' } }),
    ],
    services: [makeService('cache', { app: 'cache' }), makeService('web', { app: 'web' }), makeService('redis-primary', { app: 'redis', role: 'primary' }), makeService('redis-replica', { app: 'redis', role: 'replica' })],
  });
  const s = new Scheduler({ framework: buildFramework('default-scheduler', resolveProfile(), [], { workloads }), binder, reporter: quiet, evictor: { evict: async () => undefined }, clock: new FakeClock(), random });
  for (let i = 1; i <= nodes; i++) s.onNodeAdd(makeNode().name(`host-${i}`).capacity(capacity).obj());
  const run = async (pods: Pod[]): Promise<string[]> => {
    for (const p of pods) {
      s.onPodAdd(p);
      while (s.scheduleNext()) {
        /* one at a time, in order */
      }
    }
    await s.idle();
    return pods.map((p) => bound.get(podKey(p)) ?? '');
  };
  return { s, run, bound };
}

const replicas = (app: string, rs: string | undefined, n: number, requests: Record<string, string>, labels: Record<string, string> = {}, from = 0): Pod[] =>
  Array.from({ length: n }, (_, i) => {
    const p = makePod().name(`${rs ?? app}-${from + i}`).labels({ app, ...labels }).requests(requests).obj();
    return rs ? ownedBy(p, { name: rs }) : p;
  });

/** Most minus fewest pods per host, over every host. */
function skew(placed: string[], hosts: number): number {
  const counts = Array.from({ length: hosts }, (_, i) => placed.filter((h) => h === `host-${i + 1}`).length);
  return Math.max(...counts) - Math.min(...counts);
}

describe('default profile: spreading replicas, packing the rest', () => {
  // Ties are broken at random: run each case with the first and with the last tied node.
  for (const [tie, random] of [['first', () => 0.99], ['last', () => 0]] as const) {
    it(`3 replicas of a ReplicaSet (100m CPU) land on 3 empty hosts (ties: ${tie})`, async () => {
      const placed = await setup(3, random).run(replicas('web', 'web-1', 3, { cpu: '100m' }));
      expect(new Set(placed).size, placed.join()).to.equal(3);
    });

    it(`3 pods selected by a Service spread too (ties: ${tie})`, async () => {
      const placed = await setup(3, random).run(replicas('cache', undefined, 3, { cpu: '100m', memory: '400Mi' }));
      expect(new Set(placed).size, placed.join()).to.equal(3);
    });

    it(`3 lone pods (no owner, no Service) pack onto one host (ties: ${tie})`, async () => {
      const placed = await setup(3, random).run(replicas('solo', undefined, 3, { cpu: '100m', memory: '400Mi' }));
      expect(new Set(placed).size, placed.join()).to.equal(1);
    });

    it(`replicas spread even when one host is already busy with other pods (ties: ${tie})`, async () => {
      const { run } = setup(3, random);
      const busy = await run(replicas('solo', undefined, 4, { cpu: '500m', memory: '2Gi' }));
      expect(new Set(busy).size).to.equal(1);
      const placed = await run(replicas('web', 'web-1', 3, { cpu: '100m', memory: '400Mi' }));
      expect(new Set(placed).size, placed.join()).to.equal(3);
    });

    it(`two workloads: each spreads, and their replicas share hosts rather than open new ones (ties: ${tie})`, async () => {
      const { run } = setup(6, random);
      const web = await run(replicas('web', 'web-1', 3, { cpu: '100m', memory: '400Mi' }));
      const api = await run(replicas('api', 'api-1', 3, { cpu: '100m', memory: '400Mi' }));
      expect(new Set(web).size).to.equal(3);
      expect(new Set(api).size).to.equal(3);
      expect([...new Set(api)].sort()).to.deep.equal([...new Set(web)].sort());
    });

    it(`a replica with its own constraints gets no defaults: it packs (ties: ${tie})`, async () => {
      const own = replicas('web', 'web-1', 3, { cpu: '100m', memory: '400Mi' }).map((p) => ({
        ...p,
        spec: { ...p.spec!, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'nothing' } } }] },
      }));
      const placed = await setup(3, random).run(own);
      expect(new Set(placed).size, placed.join()).to.equal(1);
    });

    it(`the examples on 3 hosts like gantry up's: web scaled to 10 and rolled to v2, and redis, each stay within skew 1 (ties: ${tie})`, async () => {
      // Hosts as the node agent reports this machine (2 CPUs); requests as in manifests/examples.
      const { s, run, bound } = setup(3, random, { cpu: '2', memory: '23Gi' });
      const small = { cpu: '100m', memory: '32Mi' };
      const redisPrimary = await run(replicas('redis', 'redis-primary-h', 1, small, { role: 'primary', 'pod-template-hash': 'h' }));
      const redisReplicas = await run(replicas('redis', 'redis-replica-h', 2, small, { role: 'replica', 'pod-template-hash': 'h' }));
      // The primary is another workload than the replicas (its own Service and ReplicaSet):
      // the replicas spread from each other, not from it.
      expect(redisPrimary).to.have.length(1);
      expect(new Set(redisReplicas).size).to.equal(2);
      const v1 = await run(replicas('web', 'web-v1', 3, small, { 'pod-template-hash': 'v1' }));
      expect(skew(v1, 3), v1.join()).to.equal(0);
      const v1more = await run(replicas('web', 'web-v1', 7, small, { 'pod-template-hash': 'v1' }, 3));
      expect(skew([...v1, ...v1more], 3), [...v1, ...v1more].join()).to.be.at.most(1);
      // A rolling update: a new pod, then an old one goes (the Deployment's surge and unavailability, one at a time).
      const old = replicas('web', 'web-v1', 10, small, { 'pod-template-hash': 'v1' });
      const v2: string[] = [];
      for (let i = 0; i < 10; i++) {
        v2.push(...(await run(replicas('web', 'web-v2', 1, small, { 'pod-template-hash': 'v2' }, i))));
        const gone = old[i]!;
        s.onPodDelete({ ...gone, spec: { ...gone.spec!, nodeName: bound.get(podKey(gone))! } });
      }
      expect(skew(v2, 3), v2.join()).to.be.at.most(1);
    });
  }
});
