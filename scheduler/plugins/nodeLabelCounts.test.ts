import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { NodeInfo } from '../framework/nodeInfo.js';
import { makePodInfo } from '../framework/podInfo.js';
import { labelCountKey, nodeLabelCounts } from './nodeLabelCounts.js';

describe('nodeLabelCounts', () => {
  it('counts live pods per namespace and label, and follows the node as pods come and go', () => {
    const ni = new NodeInfo('n1');
    ni.setNode(makeNode().name('n1').obj());
    const web = (name: string, ns = 'default') => makePodInfo(makePod().name(name).namespace(ns).labels({ app: 'web' }).obj());
    ni.addPod(web('a'));
    ni.addPod(web('b', 'other'));
    ni.addPod(makePodInfo(makePod().name('t').labels({ app: 'web' }).terminating().obj()));
    const k = labelCountKey('default', 'app', 'web');
    expect(nodeLabelCounts(ni).get(k)).to.equal(1);
    expect(nodeLabelCounts(ni).get(labelCountKey('other', 'app', 'web'))).to.equal(1);
    ni.addPod(web('c'));
    expect(nodeLabelCounts(ni).get(k)).to.equal(2);
    ni.removePod('default/a');
    ni.removePod('default/c');
    expect(nodeLabelCounts(ni).get(k)).to.equal(undefined);
    // A snapshot's copy is its own node info, indexed on its own.
    const copy = ni.clone();
    copy.addPod(web('d'));
    expect(nodeLabelCounts(copy).get(k)).to.equal(1);
    expect(nodeLabelCounts(ni).get(k)).to.equal(undefined);
  });
});
