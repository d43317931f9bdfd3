import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { scoreOn } from '../testing/pluginHarness.js';
import { ImageLocality } from './imageLocality.js';

const MB = 1024 * 1024;

describe('ImageLocality', () => {
  const big = makeNode().name('big').images([{ names: ['registry.local/app:1'], sizeBytes: 500 * MB }]).obj();
  const also = makeNode().name('also').images([{ names: ['registry.local/app:1'], sizeBytes: 500 * MB }]).obj();
  const tiny = makeNode().name('tiny').images([{ names: ['busybox:latest'], sizeBytes: 2 * MB }]).obj();
  const none = makeNode().name('none').obj();
  const cases = [
    { name: 'no node has the image: skipped', pod: makePod().image('nginx:1').obj(), nodes: [none, tiny], want: undefined },
    // 500 MB on 2 of 4 nodes: 250 MB effective; (250-23)/(1000-23) of 100
    { name: 'nodes with the image score by size × spread', pod: makePod().image('registry.local/app:1').obj(), nodes: [big, also, tiny, none], want: { big: 23.23, also: 23.23, tiny: 0, none: 0 } },
    { name: 'images below the threshold do not matter', pod: makePod().image('busybox').obj(), nodes: [tiny, none], want: { tiny: 0, none: 0 } },
  ];
  for (const tc of cases) it(tc.name, () => expect(scoreOn(new ImageLocality(), tc.pod, tc.nodes)).to.deep.equal(tc.want));
});
