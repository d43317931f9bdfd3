// The token service's users file: a password checks against its own hash only, and a
// file that is malformed or tampered with (a cost that would eat the machine) is refused
// with the file and the field named.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashUser, passwordMatches, readRegistryUsers, writeRegistryUsers, type RegistryUser } from './registryUsers.js';

describe('registry users file', () => {
  let dir: string;
  let user: RegistryUser;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-registry-users-'));
    user = await hashUser('gantry-push', 'the-password', ['pull', 'push']);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps a salted hash, 0600, that only the password matches', async () => {
    const file = path.join(dir, 'users.json');
    fs.writeFileSync(file, '{}', { mode: 0o644 });
    writeRegistryUsers(file, [user]);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(fs.readFileSync(file, 'utf8')).to.not.contain('the-password');
    const [read] = readRegistryUsers(file);
    expect(read).to.deep.equal(user);
    expect(await passwordMatches(read!, 'the-password')).to.equal(true);
    expect(await passwordMatches(read!, 'the-passwort')).to.equal(false);
    expect(await passwordMatches(read!, '')).to.equal(false);
    // The same password twice: different salts, different hashes.
    expect((await hashUser('gantry-push', 'the-password', ['pull'])).scrypt.hash).to.not.equal(user.scrypt.hash);
  });

  const bad: Array<[string, (u: RegistryUser) => unknown, RegExp]> = [
    ['not a users list', () => ({ people: [] }), /expected \{"users": \[\.\.\.\]\}/],
    ['a name with a colon', (u) => ({ users: [{ ...u, name: 'a:b' }] }), /users\[0\]\.name must be/],
    ['a name twice', (u) => ({ users: [u, u] }), /users\[1\]\.name "gantry-push" appears twice/],
    ['an action nobody grants', (u) => ({ users: [{ ...u, actions: ['pull', '*'] }] }), /users\[0\]\.actions must be a list of pull, push/],
    ['a cost that would take gigabytes', (u) => ({ users: [{ ...u, scrypt: { ...u.scrypt, N: 2 ** 24 } }] }), /users\[0\]\.scrypt must hold N/],
    ['N not a power of two', (u) => ({ users: [{ ...u, scrypt: { ...u.scrypt, N: 1000 } }] }), /users\[0\]\.scrypt must hold N/],
    ['a short hash', (u) => ({ users: [{ ...u, scrypt: { ...u.scrypt, hash: 'AAAA' } }] }), /users\[0\]\.scrypt must hold/],
  ];
  for (const [name, doc, why] of bad) {
    it(`refuses a file with ${name}`, () => {
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
      fs.writeFileSync(file, JSON.stringify(doc(user)));
      expect(() => readRegistryUsers(file)).to.throw(new RegExp(`registry users file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${why.source}`));
    });
  }

  it('refuses a file that is not JSON, or missing', () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"users": [');
    expect(() => readRegistryUsers(file)).to.throw(/cannot read the registry users file .*broken\.json/);
    expect(() => readRegistryUsers(path.join(dir, 'missing.json'))).to.throw(/cannot read the registry users file .*missing\.json: ENOENT/);
  });
});
