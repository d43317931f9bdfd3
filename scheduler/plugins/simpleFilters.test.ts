// NodeName, NodeUnschedulable and NodePorts: small filters, one table each.

import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { filterReasons } from '../testing/pluginHarness.js';
import { NodeName } from './nodeName.js';
import { NodePorts } from './nodePorts.js';
import { NodeUnschedulable } from './nodeUnschedulable.js';

const n1 = makeNode().name('n1').capacity({ cpu: '4' }).obj();
const n2 = makeNode().name('n2').capacity({ cpu: '4' }).unschedulable().obj();

describe('NodeName', () => {
  const cases = [
    { name: 'no nodeName: every node', pod: makePod().obj(), want: { n1: '', n2: '' } },
    { name: 'nodeName: only that node', pod: makePod().nodeName('n2').obj(), want: { n1: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name", n2: '' } },
  ];
  for (const tc of cases) it(tc.name, () => expect(filterReasons(new NodeName(), tc.pod, [n1, n2])).to.deep.equal(tc.want));
});

describe('NodeUnschedulable', () => {
  const cases = [
    { name: 'cordoned node refuses', pod: makePod().obj(), want: { n1: '', n2: 'UnschedulableAndUnresolvable: node(s) were unschedulable' } },
    {
      name: 'unless the pod tolerates the unschedulable taint',
      pod: makePod().toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }).obj(),
      want: { n1: '', n2: '' },
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(filterReasons(new NodeUnschedulable(), tc.pod, [n1, n2])).to.deep.equal(tc.want));
});

describe('NodePorts', () => {
  const busy = 'Unschedulable: node(s) didn\'t have free ports for the requested pod ports';
  const cases = [
    { name: 'no host ports: skipped', pod: makePod().obj(), placed: [{ pod: makePod().name('x').hostPort(80).obj(), node: 'n1' }], want: { n1: '', n2: '' } },
    { name: 'same port taken on one node', pod: makePod().hostPort(80).obj(), placed: [{ pod: makePod().name('x').hostPort(80).obj(), node: 'n1' }], want: { n1: busy, n2: '' } },
    { name: 'other protocol is free', pod: makePod().hostPort(80, 'UDP').obj(), placed: [{ pod: makePod().name('x').hostPort(80).obj(), node: 'n1' }], want: { n1: '', n2: '' } },
    {
      name: 'different specific IPs do not conflict',
      pod: makePod().hostPort(80, 'TCP', '10.0.0.2').obj(),
      placed: [{ pod: makePod().name('x').hostPort(80, 'TCP', '10.0.0.1').obj(), node: 'n1' }],
      want: { n1: '', n2: '' },
    },
    {
      name: '0.0.0.0 conflicts with a specific IP',
      pod: makePod().hostPort(80).obj(),
      placed: [{ pod: makePod().name('x').hostPort(80, 'TCP', '10.0.0.1').obj(), node: 'n1' }],
      want: { n1: busy, n2: '' },
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(filterReasons(new NodePorts(), tc.pod, [n1, n2], tc.placed)).to.deep.equal(tc.want));
});
