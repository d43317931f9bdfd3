import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../../common/config.js';
import { parseEncryptionConfig } from './encryptionConfig.js';

const k32 = randomBytes(32).toString('base64');
const k16 = randomBytes(16).toString('base64');

/** A config with the given providers block (YAML, indented under `providers:`). */
const withProviders = (providers: string, resources = '      - secrets'): string =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n${resources}\n    providers:\n${providers}`;
const aesgcm = (...keys: [string, string][]): string =>
  `      - aesgcm:\n          keys:\n${keys.map(([n, s]) => `            - name: ${n}\n              secret: ${s}\n`).join('')}`;

describe('parseEncryptionConfig', () => {
  it('reads providers in order, with their keys decoded', () => {
    const cfg = parseEncryptionConfig(withProviders(aesgcm(['new', k32], ['old', k16]) + '      - identity: {}\n'));
    expect(cfg.rules).to.have.length(1);
    expect(cfg.rules[0]!.resources).to.deep.equal(['secrets']);
    const [first, second] = cfg.rules[0]!.providers;
    expect(first!.type).to.equal('aesgcm');
    if (first!.type !== 'aesgcm') return;
    expect(first!.keys.map((k) => k.name)).to.deep.equal(['new', 'old']);
    expect(first!.keys[0]!.secret.equals(Buffer.from(k32, 'base64'))).to.equal(true);
    expect(first!.keys[1]!.secret).to.have.length(16);
    expect(second).to.deep.equal({ type: 'identity' });
  });

  it('accepts group resources and wildcards', () => {
    const cfg = parseEncryptionConfig(withProviders('      - identity: {}\n', '      - secrets\n      - deployments.apps\n      - "*.batch"'));
    expect(cfg.rules[0]!.resources).to.deep.equal(['secrets', 'deployments.apps', '*.batch']);
  });

  const bad: { name: string; text: string; message: RegExp }[] = [
    { name: 'YAML that does not parse', text: 'kind: [', message: /not valid YAML/ },
    { name: 'a document that is not an object', text: '- a\n- b\n', message: /\(document\): must be an EncryptionConfiguration/ },
    { name: 'the wrong kind', text: withProviders('      - identity: {}\n').replace('kind: EncryptionConfiguration', 'kind: Secret'), message: /kind: must be EncryptionConfiguration, not "Secret"/ },
    { name: 'the wrong apiVersion', text: withProviders('      - identity: {}\n').replace('apiserver.config.k8s.io/v1', 'v1'), message: /apiVersion: must be apiserver.config.k8s.io\/v1, not "v1"/ },
    { name: 'no resources', text: 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n', message: /resources: at least one entry/ },
    { name: 'no providers', text: withProviders('      []\n').replace('providers:\n      []', 'providers: []'), message: /resources\[0\]\.providers: at least one provider/ },
    { name: 'an empty resource list', text: withProviders('      - identity: {}\n', '      []').replace('resources:\n      []', 'resources: []'), message: /resources\[0\]\.resources: at least one resource/ },
    { name: 'a bad resource name', text: withProviders('      - identity: {}\n', '      - Secrets'), message: /resources\[0\]\.resources\[0\]: "Secrets" is not a resource/ },
    { name: 'a resource listed twice', text: withProviders('      - identity: {}\n', '      - secrets\n      - secrets'), message: /resources\[0\]\.resources\[1\]: "secrets" is already listed at resources\[0\]\.resources\[0\]/ },
    { name: 'an unknown provider', text: withProviders('      - rot13: {}\n'), message: /resources\[0\]\.providers\[0\]: unknown provider "rot13"/ },
    { name: 'an unsupported provider', text: withProviders('      - secretbox:\n          keys: []\n'), message: /providers\[0\]\.secretbox: is not supported by Gantry; use aesgcm/ },
    { name: 'two providers in one entry', text: withProviders('      - identity: {}\n        aesgcm: {}\n'), message: /providers\[0\]: must name exactly one provider, found identity, aesgcm/ },
    { name: 'identity with settings', text: withProviders('      - identity: {a: 1}\n'), message: /providers\[0\]\.identity: takes no settings/ },
    { name: 'aesgcm without keys', text: withProviders('      - aesgcm:\n          keys: []\n'), message: /providers\[0\]\.aesgcm\.keys: at least one key is required/ },
    { name: 'a key without a name', text: withProviders(`      - aesgcm:\n          keys:\n            - secret: ${k32}\n`), message: /aesgcm\.keys\[0\]\.name: required/ },
    { name: 'a key name with a colon', text: withProviders(aesgcm(['a:b', k32])), message: /aesgcm\.keys\[0\]\.name: "a:b" may contain only/ },
    { name: 'a key without a secret', text: withProviders('      - aesgcm:\n          keys:\n            - name: k\n'), message: /aesgcm\.keys\[0\]\.secret: required/ },
    { name: 'a secret that is not base64', text: withProviders(aesgcm(['k', 'not*base64!'])), message: /aesgcm\.keys\[0\]\.secret: is not valid base64/ },
    { name: 'a secret of the wrong length', text: withProviders(aesgcm(['k', randomBytes(20).toString('base64')])), message: /aesgcm\.keys\[0\]\.secret: decodes to 20 bytes; AES-GCM needs 16, 24 or 32/ },
    { name: 'a key name used twice', text: withProviders(aesgcm(['k', k32], ['k', k16])), message: /aesgcm\.keys\[1\]\.name: duplicate key name "k"/ },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name} with a message naming the field`, () => {
      expect(() => parseEncryptionConfig(tc.text)).to.throw(ConfigError, tc.message);
    });
  }
});
