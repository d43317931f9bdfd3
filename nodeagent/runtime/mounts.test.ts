import { expect } from 'chai';
import { parseMountInfo } from './mounts.js';

describe('parseMountInfo', () => {
  it('reads mount points (unescaping spaces), types, sources and options', () => {
    const text = [
      '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
      '44 27 0:39 / /state/c/bundle/rootfs rw,relatime - overlay overlay rw,lowerdir=/l1:/l0,upperdir=/u,workdir=/w',
      '45 27 0:4 net:[4026532177] /state/netns/abc rw - nsfs nsfs rw',
      'garbage',
    ].join('\n');
    expect(parseMountInfo(text)).to.deep.equal([
      { mountPoint: '/mnt/with space', fsType: 'ext3', source: '/dev/root', superOptions: 'rw,errors=continue' },
      { mountPoint: '/state/c/bundle/rootfs', fsType: 'overlay', source: 'overlay', superOptions: 'rw,lowerdir=/l1:/l0,upperdir=/u,workdir=/w' },
      { mountPoint: '/state/netns/abc', fsType: 'nsfs', source: 'nsfs', superOptions: 'rw' },
    ]);
  });
});
