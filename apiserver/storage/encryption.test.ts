import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { EncryptionTransformer, ValueTransformError } from './encryption.js';
import type { EncryptionConfig, EncryptionProvider } from './encryptionConfig.js';

const key1 = { name: 'key1', secret: randomBytes(32) };
const key2 = { name: 'key2', secret: randomBytes(32) };
const aes = (...keys: (typeof key1)[]): EncryptionProvider => ({ type: 'aesgcm', keys });
const identity: EncryptionProvider = { type: 'identity' };
const config = (...providers: EncryptionProvider[]): EncryptionConfig => ({ rules: [{ resources: ['secrets'], providers }] });
const at = (...providers: EncryptionProvider[]): EncryptionTransformer => new EncryptionTransformer(config(...providers), '/registry/');

const secretKey = '/registry/secrets/default/db';
const plain = Buffer.from(JSON.stringify({ kind: 'Secret', data: { password: Buffer.from('hunter2-very-secret').toString('base64') } }));

function expectTransformError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ValueTransformError);
    const err = e as ValueTransformError;
    expect(err.code).to.equal(500);
    expect(err.reason).to.equal('InternalError');
    expect(err.message).to.contain(`unable to transform key "${secretKey}"`);
    expect(err.message).to.match(message);
    return;
  }
  expect.fail('expected a ValueTransformError');
}

describe('EncryptionTransformer', () => {
  it('round-trips a Secret through AES-GCM, with the Kubernetes prefix and no plaintext', () => {
    const t = at(aes(key1), identity);
    const stored = t.toStorage(secretKey, plain);
    expect(stored.subarray(0, 'k8s:enc:aesgcm:v1:key1:'.length).toString()).to.equal('k8s:enc:aesgcm:v1:key1:');
    expect(stored.includes(Buffer.from('hunter2'))).to.equal(false);
    expect(stored.includes(Buffer.from(Buffer.from('hunter2-very-secret').toString('base64')))).to.equal(false);
    expect(stored.length).to.equal('k8s:enc:aesgcm:v1:key1:'.length + 12 + plain.length + 16);
    const read = t.fromStorage(secretKey, stored);
    expect(read.value.equals(plain)).to.equal(true);
    expect(read.stale).to.equal(false);
  });

  it('uses a fresh nonce per write', () => {
    const t = at(aes(key1));
    expect(t.toStorage(secretKey, plain).equals(t.toStorage(secretKey, plain))).to.equal(false);
  });

  it('leaves kinds the config does not name plain', () => {
    const t = at(aes(key1));
    for (const key of ['/registry/configmaps/default/db', '/registry/secretsx/default/db', '/elsewhere/secrets/default/db']) {
      expect(t.toStorage(key, plain).equals(plain)).to.equal(true);
      expect(t.fromStorage(key, plain)).to.deep.equal({ value: plain, stale: false });
    }
  });

  it('matches group resources and wildcards', () => {
    const t = new EncryptionTransformer({ rules: [{ resources: ['*.apps', 'secrets'], providers: [aes(key1)] }] }, '/registry/');
    expect(t.toStorage('/registry/deployments.apps/d/x', plain).toString()).to.match(/^k8s:enc:aesgcm:v1:key1:/);
    expect(t.toStorage('/registry/jobs.batch/d/x', plain).equals(plain)).to.equal(true);
    const all = new EncryptionTransformer({ rules: [{ resources: ['*.*'], providers: [aes(key1)] }] }, '/registry/');
    expect(all.toStorage('/registry/configmaps/d/x', plain).toString()).to.match(/^k8s:enc:aesgcm:v1:key1:/);
  });

  const tampers: { name: string; change: (b: Buffer) => Buffer; message: RegExp }[] = [
    { name: 'a flipped ciphertext byte', change: (b) => flip(b, b.length - 30), message: /message authentication failed/ },
    { name: 'a flipped tag byte', change: (b) => flip(b, b.length - 1), message: /message authentication failed/ },
    { name: 'a flipped nonce byte', change: (b) => flip(b, 'k8s:enc:aesgcm:v1:key1:'.length), message: /message authentication failed/ },
    { name: 'a truncated value', change: (b) => b.subarray(0, 'k8s:enc:aesgcm:v1:key1:'.length + 10), message: /truncated/ },
    { name: 'an unknown key name', change: (b) => Buffer.concat([Buffer.from('k8s:enc:aesgcm:v1:nokey:'), b.subarray('k8s:enc:aesgcm:v1:key1:'.length)]), message: /aesgcm key "nokey" is not in the encryption provider config/ },
    { name: 'another provider\'s prefix', change: (b) => Buffer.concat([Buffer.from('k8s:enc:secretbox:v1:key1:'), b.subarray('k8s:enc:aesgcm:v1:key1:'.length)]), message: /no configured provider reads values with prefix "k8s:enc:secretbox:v1"/ },
  ];
  for (const tc of tampers) {
    it(`detects ${tc.name} and names the key`, () => {
      const t = at(aes(key1));
      const stored = tc.change(t.toStorage(secretKey, plain));
      expectTransformError(() => t.fromStorage(secretKey, stored), tc.message);
    });
  }

  it('refuses a value moved to another etcd key (the key is authenticated data)', () => {
    const t = at(aes(key1));
    const stored = t.toStorage('/registry/secrets/default/other', plain);
    expectTransformError(() => t.fromStorage(secretKey, stored), /message authentication failed/);
  });

  it('refuses a value encrypted with a different key of the same name', () => {
    const stored = at(aes(key1)).toStorage(secretKey, plain);
    const impostor = at(aes({ name: 'key1', secret: randomBytes(32) }));
    expectTransformError(() => impostor.fromStorage(secretKey, stored), /key "key1": message authentication failed/);
  });

  describe('rotation: the first key writes, every key reads', () => {
    const cases: { name: string; writer: EncryptionProvider[]; reader: EncryptionProvider[]; stale: boolean; writesWith: string }[] = [
      { name: 'old key only -> new key first: old values read, stale', writer: [aes(key1)], reader: [aes(key2, key1)], stale: true, writesWith: 'key2' },
      { name: 'old key in a later provider: stale', writer: [aes(key1)], reader: [aes(key2), aes(key1)], stale: true, writesWith: 'key2' },
      { name: 'new key written, same config: current', writer: [aes(key2, key1)], reader: [aes(key2, key1)], stale: false, writesWith: 'key2' },
      { name: 'plain values before encryption, identity kept last: stale', writer: [identity], reader: [aes(key1), identity], stale: true, writesWith: 'key1' },
      { name: 'decrypting away: identity first, old key still reads', writer: [aes(key1)], reader: [identity, aes(key1)], stale: true, writesWith: 'identity' },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const stored = at(...tc.writer).toStorage(secretKey, plain);
        const reader = at(...tc.reader);
        const read = reader.fromStorage(secretKey, stored);
        expect(read.value.equals(plain)).to.equal(true);
        expect(read.stale).to.equal(tc.stale);
        const rewritten = reader.toStorage(secretKey, read.value);
        if (tc.writesWith === 'identity') expect(rewritten.equals(plain)).to.equal(true);
        else expect(rewritten.toString('latin1')).to.match(new RegExp(`^k8s:enc:aesgcm:v1:${tc.writesWith}:`));
        expect(reader.fromStorage(secretKey, rewritten).stale).to.equal(false);
      });
    }

    it('a dropped old key makes its values unreadable, naming the key', () => {
      const stored = at(aes(key1)).toStorage(secretKey, plain);
      expectTransformError(() => at(aes(key2)).fromStorage(secretKey, stored), /aesgcm key "key1" is not in the encryption provider config/);
    });

    it('a plain value is refused once identity is no longer listed', () => {
      expectTransformError(() => at(aes(key1)).fromStorage(secretKey, plain), /not encrypted and identity is not among the configured providers/);
    });
  });
});

function flip(b: Buffer, i: number): Buffer {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
}
