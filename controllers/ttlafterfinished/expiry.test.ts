import { expect } from 'chai';
import type { Job } from '../job/types.js';
import { expiry, type Expiry } from './expiry.js';

const finished = '2026-01-01T00:00:00Z';
function job(opts: { ttl?: number; condition?: { type: string; status: string; lastTransitionTime?: string }; deleting?: boolean }): Job {
  return {
    metadata: { name: 'j', namespace: 'ns', ...(opts.deleting ? { deletionTimestamp: finished } : {}) },
    spec: { ...(opts.ttl !== undefined ? { ttlSecondsAfterFinished: opts.ttl } : {}) } as Job['spec'],
    status: { conditions: opts.condition ? [opts.condition] : [] },
  };
}

describe('TTL after finished: when a Job expires', () => {
  const complete = { type: 'Complete', status: 'True', lastTransitionTime: finished };
  const cases: { name: string; job: Job; now: string; want: Expiry }[] = [
    { name: 'no TTL: not ours', job: job({ condition: complete }), now: '2026-01-01T01:00:00Z', want: { state: 'not-ours' } },
    { name: 'not finished: not ours', job: job({ ttl: 10 }), now: '2026-01-01T01:00:00Z', want: { state: 'not-ours' } },
    { name: 'a False Complete condition is not finished', job: job({ ttl: 10, condition: { ...complete, status: 'False' } }), now: '2026-01-01T01:00:00Z', want: { state: 'not-ours' } },
    { name: 'being deleted: not ours', job: job({ ttl: 10, condition: complete, deleting: true }), now: '2026-01-01T01:00:00Z', want: { state: 'not-ours' } },
    { name: 'complete, TTL not yet run out', job: job({ ttl: 100, condition: complete }), now: '2026-01-01T00:00:40Z', want: { state: 'alive', remainingMs: 60_000 } },
    { name: 'failed counts from its Failed condition', job: job({ ttl: 100, condition: { type: 'Failed', status: 'True', lastTransitionTime: finished } }), now: '2026-01-01T00:01:39.500Z', want: { state: 'alive', remainingMs: 500 } },
    { name: 'exactly at the TTL: expired', job: job({ ttl: 100, condition: complete }), now: '2026-01-01T00:01:40Z', want: { state: 'expired' } },
    { name: 'TTL 0: expired once finished', job: job({ ttl: 0, condition: complete }), now: finished, want: { state: 'expired' } },
    { name: 'finished without a transition time', job: job({ ttl: 5, condition: { type: 'Complete', status: 'True' } }), now: finished, want: { state: 'unknown-finish' } },
  ];
  for (const tc of cases) it(tc.name, () => expect(expiry(tc.job, Date.parse(tc.now))).to.deep.equal(tc.want));
});
