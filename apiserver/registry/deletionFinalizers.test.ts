import { expect } from 'chai';
import { deletionFinalizers } from './deletionFinalizers.js';
import type { PropagationPolicy } from './options.js';

describe('deletionFinalizers (Kubernetes deletionFinalizersForGarbageCollection)', () => {
  const cases: { name: string; current: string[]; policy?: PropagationPolicy; want: string[]; changed: boolean }[] = [
    { name: 'no policy keeps what the object has', current: ['orphan', 'example.com/x'], want: ['orphan', 'example.com/x'], changed: false },
    { name: 'no policy and no finalizers: nothing', current: [], want: [], changed: false },
    { name: 'Background adds nothing', current: [], policy: 'Background', want: [], changed: false },
    { name: 'Orphan adds orphan after the others', current: ['example.com/x'], policy: 'Orphan', want: ['example.com/x', 'orphan'], changed: true },
    { name: 'Foreground adds foregroundDeletion', current: [], policy: 'Foreground', want: ['foregroundDeletion'], changed: true },
    { name: 'Orphan after Foreground swaps them', current: ['foregroundDeletion', 'example.com/x'], policy: 'Orphan', want: ['example.com/x', 'orphan'], changed: true },
    { name: 'Foreground after Orphan swaps them', current: ['orphan'], policy: 'Foreground', want: ['foregroundDeletion'], changed: true },
    { name: 'Background after Foreground removes foregroundDeletion', current: ['foregroundDeletion'], policy: 'Background', want: [], changed: true },
    { name: 'Background after Orphan removes orphan, keeps the others', current: ['example.com/x', 'orphan'], policy: 'Background', want: ['example.com/x'], changed: true },
    { name: 'the same policy again changes nothing (order kept)', current: ['orphan', 'example.com/x'], policy: 'Orphan', want: ['orphan', 'example.com/x'], changed: false },
    { name: 'both present (set by a client): the policy decides', current: ['orphan', 'foregroundDeletion'], policy: 'Foreground', want: ['foregroundDeletion'], changed: true },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = deletionFinalizers(tc.current, tc.policy);
      expect(got.finalizers).to.deep.equal(tc.want);
      expect(got.changed).to.equal(tc.changed);
    });
  }
});
