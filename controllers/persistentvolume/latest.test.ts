import { expect } from 'chai';
import { volume } from './fixtures.js';
import { LatestWrites } from './latest.js';
import type { PersistentVolume } from './types.js';

const at = (rv: string, uid = 'uid-v'): PersistentVolume => ({ ...volume('v'), metadata: { ...volume('v').metadata, resourceVersion: rv, uid } });

describe('persistentvolume LatestWrites', () => {
  const cases: { name: string; written?: PersistentVolume; cached: PersistentVolume | undefined; want: string | undefined }[] = [
    { name: 'nothing written: the cache', cached: at('5'), want: '5' },
    { name: 'written newer than the cache: the write', written: at('9'), cached: at('5'), want: '9' },
    { name: 'the cache caught up: the cache', written: at('9'), cached: at('9'), want: '9' },
    { name: 'the cache is newer (someone else wrote): the cache', written: at('9'), cached: at('12'), want: '12' },
    { name: 'deleted from the cache: nothing', written: at('9'), cached: undefined, want: undefined },
    { name: 'recreated (another uid): the cache', written: at('9'), cached: at('7', 'other'), want: '7' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const l = new LatestWrites<PersistentVolume>();
      if (tc.written) l.remember('v', tc.written);
      expect(l.freshest('v', tc.cached)?.metadata.resourceVersion).to.equal(tc.want);
    });
  }
  it('forgets a write once the cache caught up', () => {
    const l = new LatestWrites<PersistentVolume>();
    l.remember('v', at('9'));
    l.freshest('v', at('9'));
    expect(l.freshest('v', at('5'))?.metadata.resourceVersion).to.equal('5');
  });
});
