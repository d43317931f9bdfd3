// Bootstrap-token authentication: the token's shape, its Secret, expiry and usage decide.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { FakeClock } from '../../common/clock.js';
import { ApiError } from '../../common/errors.js';
import { bootstrapTokenSecret, parseBootstrapToken } from '../../common/pki/bootstrapToken.js';
import { BootstrapTokenAuthenticator } from './bootstrapTokens.js';

const now = Date.parse('2026-12-07T06:00:00Z');
const t = { id: 'abcdef', secret: '0123456789abcdef' };
const good = bootstrapTokenSecret(t, { ttlMs: 60_000, now, description: 'x' });

function withData(change: Record<string, string | undefined>, over: Partial<KubeObject> = {}): KubeObject {
  const s = structuredClone(good);
  const data = s.data as Record<string, string>;
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete data[k];
    else data[k] = Buffer.from(v).toString('base64');
  }
  return { ...s, ...over };
}

const cases: { name: string; token: string; secret?: KubeObject; at?: number; want: 'user' | 'not-ours' | 401 }[] = [
  { name: 'a valid token', token: 'abcdef.0123456789abcdef', secret: good, want: 'user' },
  { name: 'a static token is not ours', token: '3f9a2b7c4d', secret: good, want: 'not-ours' },
  { name: 'upper case is not the format', token: 'ABCDEF.0123456789abcdef', secret: good, want: 'not-ours' },
  { name: 'no Secret', token: 'abcdef.0123456789abcdef', want: 401 },
  { name: 'a wrong secret', token: 'abcdef.0123456789abcdee', secret: good, want: 401 },
  { name: 'expired', token: 'abcdef.0123456789abcdef', secret: good, at: now + 60_001, want: 401 },
  { name: 'an unreadable expiration', token: 'abcdef.0123456789abcdef', secret: withData({ expiration: 'tomorrow' }), want: 401 },
  { name: 'no expiration: forever', token: 'abcdef.0123456789abcdef', secret: withData({ expiration: undefined }), at: now + 1e12, want: 'user' },
  { name: 'not for authentication', token: 'abcdef.0123456789abcdef', secret: withData({ 'usage-bootstrap-authentication': 'false' }), want: 401 },
  { name: 'another Secret type', token: 'abcdef.0123456789abcdef', secret: { ...good, type: 'Opaque' }, want: 401 },
  { name: 'a Secret being deleted', token: 'abcdef.0123456789abcdef', secret: { ...good, metadata: { ...good.metadata, deletionTimestamp: '2026-12-07T06:00:00Z' } }, want: 401 },
  { name: 'token-id that does not match', token: 'abcdef.0123456789abcdef', secret: withData({ 'token-id': 'zzzzzz' }), want: 401 },
];

describe('bootstrap token authentication', () => {
  for (const tc of cases) {
    it(`${tc.want === 'user' ? 'accepts' : tc.want === 401 ? 'refuses (401)' : 'passes on'} ${tc.name}`, () => {
      const a = new BootstrapTokenAuthenticator({ secret: (name) => (name === 'bootstrap-token-abcdef' ? tc.secret : undefined), clock: new FakeClock(tc.at ?? now) });
      let user;
      let err: unknown;
      try {
        user = a.authenticate(tc.token);
      } catch (e) {
        err = e;
      }
      if (tc.want === 401) expect(err).to.be.instanceOf(ApiError).with.property('reason', 'Unauthorized');
      else if (tc.want === 'not-ours') expect(user).to.equal(undefined);
      else expect(user).to.deep.equal({ name: 'system:bootstrap:abcdef', uid: '', groups: ['system:bootstrappers', 'system:bootstrappers:gantry:default-node-token', 'system:authenticated'] });
    });
  }

  it('only well-formed tokens parse', () => {
    expect(parseBootstrapToken('abcdef.0123456789abcdef')).to.deep.equal(t);
    for (const bad of ['abcdef0123456789abcdef', 'abcde.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef.0123456789abcdef.x', 'abc-ef.0123456789abcdef']) expect(parseBootstrapToken(bad)).to.equal(undefined);
  });

  it('refuses extra groups outside system:bootstrappers when making a Secret', () => {
    expect(() => bootstrapTokenSecret(t, { now, extraGroups: ['system:masters'] })).to.throw(/system:bootstrappers:/);
  });
});
