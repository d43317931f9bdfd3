// Encryption at rest: the transformation between an object's bytes and the bytes kept in
// etcd, chosen per resource by the EncryptionConfiguration. Written values carry
// Kubernetes' prefix `k8s:enc:aesgcm:v1:<key name>:` then a random 12-byte nonce, the
// ciphertext and the 16-byte GCM tag. The etcd key is the additional authenticated data,
// so a value copied under another key fails to decrypt instead of being served there.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ApiError } from '../../common/errors.js';
import type { AesGcmKey, EncryptionConfig, EncryptionProvider, EncryptionRule } from './encryptionConfig.js';

export interface TransformedRead {
  value: Buffer;
  /** Read with something other than the writing provider/key: the next write re-encrypts it. */
  stale: boolean;
}

/** The one seam between object bytes and etcd value bytes. */
export interface ValueTransformer {
  toStorage(key: string, plain: Buffer): Buffer;
  /** Throws ValueTransformError when the value cannot be read with any configured provider. */
  fromStorage(key: string, stored: Buffer): TransformedRead;
}

/** A value in etcd no configured provider can read: a 500 naming the key, as kube-apiserver answers. */
export class ValueTransformError extends ApiError {
  constructor(readonly key: string, why: string, options?: { cause?: unknown }) {
    super('InternalError', `Internal error occurred: unable to transform key ${JSON.stringify(key)}: ${why}`, {}, options);
  }
}

export const identityTransformer: ValueTransformer = {
  toStorage: (_key, plain) => plain,
  fromStorage: (_key, stored) => ({ value: stored, stale: false }),
};

const encPrefix = 'k8s:enc:';
const aesGcmPrefix = 'k8s:enc:aesgcm:v1:';
const nonceBytes = 12;
const tagBytes = 16;

function cipherName(secret: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return secret.length === 16 ? 'aes-128-gcm' : secret.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

function seal(key: string, k: AesGcmKey, plain: Buffer): Buffer {
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv(cipherName(k.secret), k.secret, nonce, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(key));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from(`${aesGcmPrefix}${k.name}:`), nonce, body, cipher.getAuthTag()]);
}

function open(key: string, k: AesGcmKey, sealed: Buffer): Buffer {
  if (sealed.length < nonceBytes + tagBytes) throw new ValueTransformError(key, `aesgcm value under key ${JSON.stringify(k.name)} is truncated`);
  const nonce = sealed.subarray(0, nonceBytes);
  const tag = sealed.subarray(sealed.length - tagBytes);
  const decipher = createDecipheriv(cipherName(k.secret), k.secret, nonce, { authTagLength: tagBytes });
  decipher.setAAD(Buffer.from(key));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(nonceBytes, sealed.length - tagBytes)), decipher.final()]);
  } catch (e) {
    throw new ValueTransformError(key, `aesgcm key ${JSON.stringify(k.name)}: message authentication failed (the value was altered, or written under another etcd key)`, { cause: e });
  }
}

/** The providers of one resource: the first writes, every one reads. */
class ProviderChain implements ValueTransformer {
  private readonly keys = new Map<string, { key: AesGcmKey; primary: boolean }>();
  private readonly identityReads: boolean;
  private readonly identityWrites: boolean;

  constructor(private readonly providers: EncryptionProvider[]) {
    const first = providers[0]!;
    this.identityWrites = first.type === 'identity';
    this.identityReads = providers.some((p) => p.type === 'identity');
    providers.forEach((p, i) => {
      if (p.type !== 'aesgcm') return;
      p.keys.forEach((k, j) => this.keys.set(k.name, { key: k, primary: i === 0 && j === 0 }));
    });
  }

  toStorage(key: string, plain: Buffer): Buffer {
    const first = this.providers[0]!;
    return first.type === 'identity' ? plain : seal(key, first.keys[0]!, plain);
  }

  fromStorage(key: string, stored: Buffer): TransformedRead {
    if (!stored.subarray(0, encPrefix.length).equals(Buffer.from(encPrefix))) {
      if (!this.identityReads) throw new ValueTransformError(key, 'the value is not encrypted and identity is not among the configured providers');
      return { value: stored, stale: !this.identityWrites };
    }
    if (!stored.subarray(0, aesGcmPrefix.length).equals(Buffer.from(aesGcmPrefix))) {
      const head = stored.subarray(0, 40).toString('latin1').split(':').slice(0, 4).join(':');
      throw new ValueTransformError(key, `no configured provider reads values with prefix ${JSON.stringify(head)}`);
    }
    const end = stored.indexOf(':', aesGcmPrefix.length);
    if (end < 0) throw new ValueTransformError(key, 'aesgcm value has no key name');
    const name = stored.subarray(aesGcmPrefix.length, end).toString('latin1');
    const entry = this.keys.get(name);
    if (!entry) throw new ValueTransformError(key, `aesgcm key ${JSON.stringify(name)} is not in the encryption provider config`);
    return { value: open(key, entry.key, stored.subarray(end + 1)), stale: !entry.primary };
  }
}

function matches(pattern: string, resource: string): boolean {
  if (pattern === '*.*') return true;
  if (pattern.startsWith('*.')) return resource.endsWith(pattern.slice(1));
  return pattern === resource;
}

/**
 * Chooses the providers for a key by its resource: keys are `<root><resource>/...` where
 * resource is `secrets` or `deployments.apps`, as in the config. The first rule that
 * names the resource wins (Kubernetes' order); keys under no rule stay plain.
 */
export class EncryptionTransformer implements ValueTransformer {
  private readonly chains: { rule: EncryptionRule; chain: ProviderChain }[];

  constructor(config: EncryptionConfig, private readonly root: string) {
    this.chains = config.rules.map((rule) => ({ rule, chain: new ProviderChain(rule.providers) }));
  }

  private chainFor(key: string): ValueTransformer {
    if (!key.startsWith(this.root)) return identityTransformer;
    const rest = key.slice(this.root.length);
    const slash = rest.indexOf('/');
    const resource = slash < 0 ? rest : rest.slice(0, slash);
    for (const { rule, chain } of this.chains) if (rule.resources.some((p) => matches(p, resource))) return chain;
    return identityTransformer;
  }

  toStorage(key: string, plain: Buffer): Buffer {
    return this.chainFor(key).toStorage(key, plain);
  }

  fromStorage(key: string, stored: Buffer): TransformedRead {
    return this.chainFor(key).fromStorage(key, stored);
  }
}
