import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { filterReasons } from '../testing/pluginHarness.js';
import { NodeResourcesFit } from './nodeResourcesFit.js';

const node = makeNode().name('n').capacity({ cpu: '2', memory: '4Gi', 'ephemeral-storage': '10Gi', pods: '3', 'example.com/gpu': '1' }).obj();
const existing = (name: string, req: Record<string, string>) => ({ pod: makePod().name(name).requests(req).obj(), node: 'n' });

describe('NodeResourcesFit', () => {
  const cases = [
    { name: 'fits an empty node', pod: makePod().requests({ cpu: '1', memory: '1Gi' }).obj(), placed: [], want: '' },
    { name: 'fits exactly', pod: makePod().requests({ cpu: '1' }).obj(), placed: [existing('a', { cpu: '1' })], want: '' },
    { name: 'insufficient cpu', pod: makePod().requests({ cpu: '1500m' }).obj(), placed: [existing('a', { cpu: '1' })], want: 'Unschedulable: Insufficient cpu' },
    {
      name: 'every lacking resource is named',
      pod: makePod().requests({ cpu: '1500m', memory: '4Gi' }).obj(),
      placed: [existing('a', { cpu: '1', memory: '1Gi' })],
      want: 'Unschedulable: Insufficient cpu, Insufficient memory',
    },
    { name: 'ephemeral storage', pod: makePod().requests({ 'ephemeral-storage': '11Gi' }).obj(), placed: [], want: 'Unschedulable: Insufficient ephemeral-storage' },
    { name: 'extended resource', pod: makePod().requests({ 'example.com/gpu': '2' }).obj(), placed: [], want: 'Unschedulable: Insufficient example.com/gpu' },
    {
      name: 'the pod count limit applies even to pods without requests',
      pod: makePod().obj(),
      placed: [existing('a', {}), existing('b', {}), existing('c', {})],
      want: 'Unschedulable: Too many pods',
    },
    { name: 'a pod without requests fits a full node', pod: makePod().obj(), placed: [existing('a', { cpu: '2', memory: '4Gi' })], want: '' },
    {
      name: 'init containers count at their peak',
      pod: makePod().requests({ cpu: '100m' }).initContainer({ cpu: '1500m' }).obj(),
      placed: [existing('a', { cpu: '1' })],
      want: 'Unschedulable: Insufficient cpu',
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(filterReasons(new NodeResourcesFit(), tc.pod, [node], tc.placed).n).to.equal(tc.want);
    });
  }
});
