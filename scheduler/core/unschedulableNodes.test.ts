import { expect } from 'chai';
import { Status } from '../framework/status.js';
import type { UnschedulableNodes } from '../../common/api/schedulerAnnotations.js';
import { encodeUnschedulableNodes, maxAnnotationBytes, maxReasonChars } from './unschedulableNodes.js';

describe('encodeUnschedulableNodes (the scheduler.gantry.dev/unschedulable-nodes annotation)', () => {
  const cases: { name: string; statuses: [string, Status][]; check: (v: UnschedulableNodes, raw: string) => void }[] = [
    {
      name: 'every node with its reasons, in name order, no omitted count',
      statuses: [
        ['n2', Status.unschedulable('Insufficient cpu', 'Insufficient memory')],
        ['n1', Status.unresolvable("node(s) had untolerated taint {gpu: yes}")],
      ],
      check: (v, raw) => {
        expect(raw).to.equal('{"nodes":{"n1":["node(s) had untolerated taint {gpu: yes}"],"n2":["Insufficient cpu","Insufficient memory"]}}');
        expect(v.omitted).to.equal(undefined);
      },
    },
    { name: 'no nodes', statuses: [], check: (_v, raw) => expect(raw).to.equal('{"nodes":{}}') },
    {
      name: 'a long reason is cut',
      statuses: [['n1', Status.unschedulable('x'.repeat(1000))]],
      check: (v) => expect(v.nodes.n1![0]).to.have.length(maxReasonChars).and.match(/…$/),
    },
    {
      name: 'many nodes: bounded in bytes, the rest counted',
      statuses: Array.from({ length: 2000 }, (_, i) => [`node-${String(i).padStart(4, '0')}`, Status.unschedulable('Insufficient cpu')] as [string, Status]),
      check: (v, raw) => {
        expect(Buffer.byteLength(raw)).to.be.at.most(maxAnnotationBytes);
        const kept = Object.keys(v.nodes).length;
        expect(kept).to.be.greaterThan(100);
        expect(kept + v.omitted!).to.equal(2000);
        expect(Object.keys(v.nodes)[0]).to.equal('node-0000');
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const raw = encodeUnschedulableNodes(new Map(c.statuses));
      c.check(JSON.parse(raw) as UnschedulableNodes, raw);
    });
  }
});
