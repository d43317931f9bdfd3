// What the API server accepts from an agent's /stats/summary: the shape the metrics API
// reads, pods that do not have it dropped, a summary that is not one refused.

import { expect } from 'chai';
import { parseSummary } from './summaryClient.js';

const usage = { cpu: { time: '2026-01-01T00:00:00Z', usageNanoCores: 5, usageCoreNanoSeconds: 9, windowSeconds: 10 }, memory: { time: '2026-01-01T00:00:00Z', usageBytes: 2, workingSetBytes: 1 } };
const pod = (name: string, extra: object = {}): object => ({ podRef: { name, namespace: 'ns', uid: `u-${name}` }, ...usage, containers: [{ name: 'c', ...usage }], ...extra });

describe('parseSummary', () => {
  it('keeps a well-formed summary as it is', () => {
    const s = { node: { nodeName: 'n1', ...usage }, pods: [pod('a')] };
    expect(parseSummary(JSON.parse(JSON.stringify(s)))).to.deep.equal(s);
  });

  const refused: { name: string; body: unknown }[] = [
    { name: 'not an object', body: 'hello' },
    { name: 'no node', body: { pods: [] } },
    { name: 'no pods list', body: { node: { nodeName: 'n1', ...usage } } },
    { name: 'a node without a name', body: { node: usage, pods: [] } },
    { name: 'negative node CPU', body: { node: { nodeName: 'n1', ...usage, cpu: { ...usage.cpu, usageNanoCores: -1 } }, pods: [] } },
    { name: 'node memory as a string', body: { node: { nodeName: 'n1', ...usage, memory: { ...usage.memory, workingSetBytes: '1Gi' } }, pods: [] } },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.name}`, () => {
      expect(() => parseSummary(tc.body)).to.throw('malformed stats summary');
    });
  }

  it('drops malformed pods, and pods with a malformed container, keeps the rest', () => {
    const s = parseSummary({
      node: { nodeName: 'n1', ...usage },
      pods: [pod('ok'), pod('noref', { podRef: { name: 'x' } }), 'junk', pod('badcpu', { cpu: { time: 't', usageCoreNanoSeconds: 'many' } }), pod('badcontainer', { containers: [{ name: 'c', ...usage }, { name: 'd', cpu: usage.cpu }] })],
    });
    expect(s.pods.map((p) => [p.podRef.name, p.containers.map((c) => c.name)])).to.deep.equal([['ok', ['c']]]);
  });
});
