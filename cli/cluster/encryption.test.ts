import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseYaml } from '../../common/yaml.js';
import { ensureEncryptionConfig } from './encryption.js';

interface Parsed {
  apiVersion: string;
  kind: string;
  resources: { resources: string[]; providers: ({ aesgcm: { keys: { name: string; secret: string }[] } } | { identity: object })[] }[];
}

describe('ensureEncryptionConfig', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-enc-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 EncryptionConfiguration with a fresh 32-byte AES-GCM key for secrets, identity last', () => {
    const file = ensureEncryptionConfig(path.join(dir, 'pki'), new Date('2026-12-07T00:00:00Z'));
    expect(file).to.equal(path.join(dir, 'pki', 'encryption-config.yaml'));
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const doc = parseYaml(fs.readFileSync(file, 'utf8')) as Parsed;
    expect(doc.apiVersion).to.equal('apiserver.config.k8s.io/v1');
    expect(doc.kind).to.equal('EncryptionConfiguration');
    expect(doc.resources[0]!.resources).to.deep.equal(['secrets']);
    const [first, last] = doc.resources[0]!.providers;
    expect(first).to.have.property('aesgcm');
    const key = (first as { aesgcm: { keys: { name: string; secret: string }[] } }).aesgcm.keys[0]!;
    expect(key.name).to.equal('key-20261207');
    expect(Buffer.from(key.secret, 'base64')).to.have.length(32);
    expect(last).to.deep.equal({ identity: {} });
  });

  it('keeps the existing key on later starts, and tightens a loose mode', () => {
    const pki = path.join(dir, 'pki');
    const file = ensureEncryptionConfig(pki);
    const first = fs.readFileSync(file, 'utf8');
    fs.chmodSync(file, 0o644);
    expect(ensureEncryptionConfig(pki)).to.equal(file);
    expect(fs.readFileSync(file, 'utf8')).to.equal(first);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('generates a different key for each new cluster', () => {
    const a = fs.readFileSync(ensureEncryptionConfig(path.join(dir, 'a')), 'utf8');
    const b = fs.readFileSync(ensureEncryptionConfig(path.join(dir, 'b')), 'utf8');
    expect(a).to.not.equal(b);
  });
});
