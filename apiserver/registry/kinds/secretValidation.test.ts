import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { secretStrategy } from './core.js';
import { validateSecret, validateSecretUpdate } from './secretValidation.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
/** A Secret as a client sends it, defaulted the way the API server defaults it (stringData merged). */
function secret(fields: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', ...(annotations ? { annotations } : {}) }, ...structuredClone(fields) };
  secretStrategy.defaults!(obj);
  return obj;
}

describe('validateSecret', () => {
  const mib = 1024 * 1024;
  const cases: { name: string; obj: KubeObject; causes: string[]; message?: string }[] = [
    { name: 'opaque with data and stringData', obj: secret({ data: { user: b64('admin') }, stringData: { password: 'p' } }), causes: [] },
    { name: 'a key with a slash', obj: secret({ data: { 'bad/key': b64('x') } }), causes: ['FieldValueInvalid data[bad/key]'], message: 'Invalid value: "bad/key": a valid config key must consist of' },
    { name: 'a stringData key with a slash', obj: secret({ stringData: { 'a/b': 'x' } }), causes: ['FieldValueInvalid data[a/b]'] },
    { name: 'data that is not base64', obj: secret({ data: { k: 'not base64!' } }), causes: ['FieldValueInvalid data[k]'] },
    { name: '1 MiB of data', obj: secret({ data: { k: Buffer.alloc(mib).toString('base64') } }), causes: [] },
    { name: 'over 1 MiB of data', obj: secret({ data: { k: Buffer.alloc(mib + 1).toString('base64') } }), causes: ['FieldValueTooLong data'], message: 'Too long: may not be more than 1048576 bytes' },
    { name: 'tls with both keys', obj: secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }), causes: [] },
    { name: 'tls without its key', obj: secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }), causes: ['FieldValueRequired data[tls.key]'] },
    { name: 'docker config json', obj: secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } }), causes: [] },
    { name: 'docker config that is not JSON', obj: secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{auths') } }), causes: ['FieldValueInvalid data[.dockerconfigjson]'], message: 'Invalid value: "<secret contents redacted>": ' },
    { name: 'docker config missing', obj: secret({ type: 'kubernetes.io/dockercfg', data: {} }), causes: ['FieldValueRequired data[.dockercfg]'] },
    { name: 'basic auth with only a username', obj: secret({ type: 'kubernetes.io/basic-auth', stringData: { username: 'u' } }), causes: [] },
    { name: 'basic auth with neither', obj: secret({ type: 'kubernetes.io/basic-auth', data: {} }), causes: ['FieldValueRequired data[username]', 'FieldValueRequired data[password]'] },
    { name: 'ssh auth without a key', obj: secret({ type: 'kubernetes.io/ssh-auth' }), causes: ['FieldValueRequired data[ssh-privatekey]'] },
    { name: 'service account token without its account', obj: secret({ type: 'kubernetes.io/service-account-token' }), causes: ['FieldValueRequired metadata.annotations[kubernetes.io/service-account.name]'] },
    { name: 'service account token naming its account', obj: secret({ type: 'kubernetes.io/service-account-token' }, { 'kubernetes.io/service-account.name': 'robot' }), causes: [] },
    { name: 'a custom type', obj: secret({ type: 'example.com/login', data: {} }), causes: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const causes = validateSecret(tc.obj);
      expect(causes.map((c) => `${c.reason} ${c.field}`)).to.deep.equal(tc.causes);
      if (tc.message) expect(causes[0]?.message).to.include(tc.message);
    });
  }
});

describe('validateSecretUpdate', () => {
  const cases: { name: string; old: KubeObject; obj: KubeObject; causes: string[] }[] = [
    { name: 'data may change', old: secret({ data: { a: b64('1') } }), obj: secret({ data: { a: b64('2') } }), causes: [] },
    { name: 'the type may not', old: secret({}), obj: secret({ type: 'kubernetes.io/basic-auth', stringData: { username: 'u' } }), causes: ['FieldValueInvalid type'] },
    { name: 'an immutable secret keeps its data', old: secret({ immutable: true, data: { a: b64('1') } }), obj: secret({ immutable: true, data: { a: b64('2') } }), causes: ['FieldValueForbidden data'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(validateSecretUpdate(tc.obj, tc.old).map((c) => `${c.reason} ${c.field}`)).to.deep.equal(tc.causes));
});
