// The fan-out on a fake clock with a fake fetcher: only Ready nodes are asked, a node that
// fails or answers for another node is left out, answers are reused for the cache period
// and shared by concurrent callers, and only entries with a CPU rate become points.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import type { StatsSummary } from '../../common/api/statsSummary.js';
import { FakeClock } from '../../common/clock.js';
import { createLogger } from '../../common/logging.js';
import type { AgentEndpoint } from '../proxy/agentTls.js';
import { UsageCollector } from './usageCollector.js';

const log = createLogger('test', { level: 'error' });

function node(name: string, ready: string | undefined, address = '127.0.0.1'): KubeObject {
  return {
    metadata: { name },
    status: {
      addresses: address ? [{ type: 'InternalIP', address }] : [],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      ...(ready ? { conditions: [{ type: 'Ready', status: ready }] } : {}),
    },
  };
}

const t = '2026-01-01T00:00:10Z';
const cpu = (n?: number): StatsSummary['node']['cpu'] => ({ time: t, usageCoreNanoSeconds: 1e9, ...(n === undefined ? {} : { usageNanoCores: n, windowSeconds: 10 }) });
const mem = (ws: number): StatsSummary['node']['memory'] => ({ time: t, usageBytes: ws * 2, workingSetBytes: ws });

function summary(nodeName: string, nodeCpu: number | undefined, pods: { name: string; containers: (number | undefined)[] }[] = []): StatsSummary {
  return {
    node: { nodeName, cpu: cpu(nodeCpu), memory: mem(1 << 30) },
    pods: pods.map((p) => ({
      podRef: { name: p.name, namespace: 'ns', uid: `uid-${p.name}` },
      cpu: cpu(p.containers.reduce<number>((a, c) => a + (c ?? 0), 0)),
      memory: mem(1 << 20),
      containers: p.containers.map((c, i) => ({ name: `c${i}`, cpu: cpu(c), memory: mem(1 << 20) })),
    })),
  };
}

describe('UsageCollector', () => {
  let clock: FakeClock;
  let asked: string[];
  let answers: Map<string, () => Promise<StatsSummary>>;
  let nodes: KubeObject[];
  beforeEach(() => {
    clock = new FakeClock();
    asked = [];
    answers = new Map();
    nodes = [];
  });
  const collector = (): UsageCollector =>
    new UsageCollector({
      nodes: () => nodes,
      fetch: (e: AgentEndpoint) => {
        asked.push(e.nodeName);
        const a = answers.get(e.nodeName);
        return a ? a() : Promise.reject(new Error('connection refused'));
      },
      cacheMs: 3000,
      clock,
      logger: log,
    });

  it('asks only Ready nodes, and leaves out one that fails, one without an address and one that speaks for another node', async () => {
    nodes = [node('a', 'True'), node('b', 'True'), node('down', 'True'), node('nr', 'False'), node('unknown', 'Unknown'), node('new', undefined), node('noaddr', 'True', ''), node('liar', 'True')];
    answers.set('a', async () => summary('a', 1e8));
    answers.set('b', async () => summary('b', 2e8, [{ name: 'p', containers: [5e6, 1e6] }]));
    answers.set('liar', async () => summary('a', 9e9));
    const snap = await collector().snapshot();
    expect(asked.sort()).to.deep.equal(['a', 'b', 'down', 'liar']);
    expect([...snap.nodes.keys()].sort()).to.deep.equal(['a', 'b']);
    expect(snap.nodes.get('a')).to.deep.equal({ cpuNanoCores: 1e8, memoryWorkingSetBytes: 1 << 30, timestamp: t, windowSeconds: 10 });
    expect(snap.pods.get('ns/p')).to.deep.equal({
      uid: 'uid-p',
      node: 'b',
      timestamp: t,
      windowSeconds: 10,
      containers: [
        { name: 'c0', cpuNanoCores: 5e6, memoryWorkingSetBytes: 1 << 20 },
        { name: 'c1', cpuNanoCores: 1e6, memoryWorkingSetBytes: 1 << 20 },
      ],
    });
  });

  it('leaves out a node or pod without a rate yet (one sample), and a pod with no running container', async () => {
    nodes = [node('a', 'True'), node('b', 'True')];
    answers.set('a', async () => summary('a', undefined, [{ name: 'half', containers: [5e6, undefined] }, { name: 'empty', containers: [] }, { name: 'ok', containers: [0] }]));
    answers.set('b', async () => summary('b', 3e8));
    const snap = await collector().snapshot();
    expect([...snap.nodes.keys()]).to.deep.equal(['b']);
    expect([...snap.pods.keys()]).to.deep.equal(['ns/ok']);
  });

  it('asks at most maxConcurrent agents at a time, and every node in the end', async () => {
    nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`, 'True'));
    let open = 0;
    let peak = 0;
    for (const n of nodes) {
      const name = n.metadata.name!;
      answers.set(name, async () => {
        peak = Math.max(peak, ++open);
        await new Promise((r) => setImmediate(r));
        open--;
        return summary(name, 1e6);
      });
    }
    const c = new UsageCollector({ nodes: () => nodes, fetch: (e) => answers.get(e.nodeName)!(), maxConcurrent: 3, clock, logger: log });
    const snap = await c.snapshot();
    expect(peak).to.equal(3);
    expect(snap.nodes.size).to.equal(10);
  });

  it('reuses an answer for the cache period and shares one fan-out between concurrent callers', async () => {
    nodes = [node('a', 'True')];
    let n = 0;
    answers.set('a', async () => summary('a', ++n * 1e8));
    const c = collector();
    const [x, y] = await Promise.all([c.snapshot(), c.snapshot()]);
    expect(x).to.equal(y);
    expect(asked).to.have.length(1);
    clock.advance(2999);
    expect((await c.snapshot()).nodes.get('a')!.cpuNanoCores).to.equal(1e8);
    expect(asked).to.have.length(1);
    clock.advance(1);
    expect((await c.snapshot()).nodes.get('a')!.cpuNanoCores).to.equal(2e8);
    expect(asked).to.have.length(2);
  });
});
