import { expect } from 'chai';
import type { Status } from '../../common/api/meta.js';
import { RefusalMemory } from './refusalMemory.js';

const status = (message: string): Status => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 404 });

describe('RefusalMemory', () => {
  it('gives a refusal back once', () => {
    const m = new RefusalMemory();
    m.remember('k', status('gone'));
    expect(m.take('k')?.message).to.equal('gone');
    expect(m.take('k')).to.equal(undefined);
  });

  it('forgets after the ttl', () => {
    let now = 0;
    const m = new RefusalMemory(1_000, 10, () => now);
    m.remember('k', status('gone'));
    now = 1_001;
    expect(m.take('k')).to.equal(undefined);
  });

  it('keeps only the newest entries', () => {
    const m = new RefusalMemory(1_000, 2);
    for (const k of ['a', 'b', 'c']) m.remember(k, status(k));
    expect(m.take('a')).to.equal(undefined);
    expect(m.take('b')?.message).to.equal('b');
    expect(m.take('c')?.message).to.equal('c');
  });
});
