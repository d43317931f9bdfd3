import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BadRequestError } from '../../common/errors.js';
import { commandLine, environment, readAccountFiles, resolveUser } from './processConfig.js';
import { defaultPath } from './securityDefaults.js';

describe('commandLine (Kubernetes command/args rules)', () => {
  const image = { entrypoint: ['/ep'], cmd: ['cmd-arg'] };
  const cases = [
    { name: 'neither: image entrypoint and cmd', config: {}, want: ['/ep', 'cmd-arg'] },
    { name: 'command only: image cmd dropped', config: { command: ['/own'] }, want: ['/own'] },
    { name: 'args only: image entrypoint with the args', config: { args: ['a', 'b'] }, want: ['/ep', 'a', 'b'] },
    { name: 'both', config: { command: ['/own'], args: ['x'] }, want: ['/own', 'x'] },
    { name: 'empty arrays count as absent', config: { command: [], args: [] }, want: ['/ep', 'cmd-arg'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(commandLine(tc.config, image)).to.deep.equal(tc.want);
    });
  }

  it('refuses a container with nothing to run', () => {
    expect(() => commandLine({}, { entrypoint: [], cmd: [] })).to.throw(BadRequestError);
  });
});

describe('environment', () => {
  it('keeps the image order, lets the config override by name, and appends new names', () => {
    expect(environment(['A=1', 'PATH=/x', 'B=2'], [{ key: 'B', value: 'over' }, { key: 'C', value: 'c=d' }], { HOSTNAME: 'h' })).to.deep.equal(['A=1', 'PATH=/x', 'B=over', 'HOSTNAME=h', 'C=c=d']);
  });
  it('adds a default PATH when the image has none', () => {
    expect(environment([], [])).to.deep.equal([`PATH=${defaultPath}`]);
  });
  for (const key of ['', 'A=B']) {
    it(`refuses the name ${JSON.stringify(key)}`, () => {
      expect(() => environment([], [{ key, value: 'x' }])).to.throw(BadRequestError);
    });
  }
});

describe('resolveUser', () => {
  const accounts = { passwd: 'root:x:0:0::/:/bin/sh\nweb:x:33:44::/:/bin/sh\n', group: 'root:x:0:\nstaff:x:50:\n' };
  const cases = [
    { name: 'no user: root', sc: undefined, user: '', want: { uid: 0, gid: 0 } },
    { name: 'numeric uid, gid from passwd', sc: undefined, user: '33', want: { uid: 33, gid: 44 } },
    { name: 'numeric uid unknown to passwd', sc: undefined, user: '1234', want: { uid: 1234, gid: 0 } },
    { name: 'uid:gid', sc: undefined, user: '5:6', want: { uid: 5, gid: 6 } },
    { name: 'name', sc: undefined, user: 'web', want: { uid: 33, gid: 44 } },
    { name: 'name:group', sc: undefined, user: 'web:staff', want: { uid: 33, gid: 50 } },
    { name: 'runAsUser wins over the image', sc: { runAsUser: 33 }, user: '5:6', want: { uid: 33, gid: 44 } },
    { name: 'runAsGroup wins', sc: { runAsUser: 7, runAsGroup: 8 }, user: 'web', want: { uid: 7, gid: 8 } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const r = resolveUser(tc.sc, tc.user, accounts);
      expect({ uid: r.uid, gid: r.gid }).to.deep.equal(tc.want);
    });
  }
  it('passes supplemental groups, without duplicates', () => {
    expect(resolveUser({ supplementalGroups: [3, 3, 4] }, '', accounts).additionalGids).to.deep.equal([3, 4]);
  });
  for (const user of ['nobody', 'web:nogroup']) {
    it(`refuses ${user}, unknown to the image`, () => {
      expect(() => resolveUser(undefined, user, accounts)).to.throw(BadRequestError);
    });
  }
});

describe('readAccountFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-accounts-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads regular files', () => {
    fs.mkdirSync(path.join(dir, 'etc'));
    fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0::/:/bin/sh\n');
    expect(readAccountFiles(dir).passwd).to.contain('root');
  });

  it('does not follow a symlink out of the root filesystem', () => {
    fs.mkdirSync(path.join(dir, 'etc'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'etc', 'passwd'));
    expect(readAccountFiles(dir).passwd).to.equal(undefined);
  });

  it('does not follow a symlinked /etc', () => {
    fs.symlinkSync('/etc', path.join(dir, 'etc'));
    expect(readAccountFiles(dir)).to.deep.equal({});
  });
});
