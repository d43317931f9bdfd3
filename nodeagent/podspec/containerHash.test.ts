import { expect } from 'chai';
import { containerHash } from './containerHash.js';
import type { Container } from './types.js';

describe('podspec/containerHash', () => {
  const base: Container = { name: 'app', image: 'busybox:1', command: ['sh'], env: [{ name: 'A', value: '1' }] };
  const same: { name: string; other: Container }[] = [
    { name: 'key order', other: { env: [{ value: '1', name: 'A' }], command: ['sh'], image: 'busybox:1', name: 'app' } },
    { name: 'undefined fields', other: { ...base, args: undefined } as Container },
  ];
  for (const tc of same) it(`ignores ${tc.name}`, () => expect(containerHash(tc.other)).to.equal(containerHash(base)));

  const different: { name: string; other: Container }[] = [
    { name: 'image', other: { ...base, image: 'busybox:2' } },
    { name: 'env value', other: { ...base, env: [{ name: 'A', value: '2' }] } },
    { name: 'list order', other: { ...base, command: ['sh', '-c'] } },
    { name: 'an added field', other: { ...base, workingDir: '/' } },
  ];
  for (const tc of different) it(`changes with ${tc.name}`, () => expect(containerHash(tc.other)).to.not.equal(containerHash(base)));

  it('is short hex', () => expect(containerHash(base)).to.match(/^[0-9a-f]{16}$/));
});
