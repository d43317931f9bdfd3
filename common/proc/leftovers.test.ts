import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './etcdProcess.js';
import { cgroupDirs, linkExists, mountsUnder, processesMentioning } from './leftovers.js';

describe('host leftovers', () => {
  let tmp: { dir: string; remove: () => void };
  beforeEach(() => (tmp = makeTempDir('gantry-leftovers')));
  afterEach(() => tmp.remove());

  describe('mountsUnder', () => {
    const line = (mountPoint: string): string => `36 25 0:31 / ${mountPoint} rw,relatime shared:1 - tmpfs tmpfs rw`;
    const cases = [
      { name: 'the dir itself and mounts below it, deepest first', mounts: ['/h', '/h/a', '/h/a/b', '/other'], dir: '/h', want: ['/h/a/b', '/h/a', '/h'] },
      { name: 'a sibling with the same prefix is not below', mounts: ['/h2/x', '/h/x'], dir: '/h', want: ['/h/x'] },
      { name: 'escaped spaces in mount points', mounts: ['/h/with\\040space'], dir: '/h', want: ['/h/with space'] },
      { name: 'a trailing slash in the dir', mounts: ['/h/x'], dir: '/h/', want: ['/h/x'] },
      { name: 'nothing mounted', mounts: ['/', '/proc'], dir: '/h', want: [] },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const file = path.join(tmp.dir, 'mountinfo');
        fs.writeFileSync(file, tc.mounts.map(line).join('\n') + '\n');
        expect(mountsUnder(tc.dir, file)).to.deep.equal(tc.want);
      });
    }
  });

  it('cgroupDirs finds a v2 cgroup and v1 ones under each controller', () => {
    for (const d of ['gantry', 'cpu/gantry', 'memory/gantry', 'pids/other']) {
      fs.mkdirSync(path.join(tmp.dir, d), { recursive: true });
      fs.writeFileSync(path.join(tmp.dir, d, 'cgroup.procs'), '');
    }
    expect(cgroupDirs('gantry', tmp.dir).sort()).to.deep.equal(['cpu/gantry', 'gantry', 'memory/gantry'].map((d) => path.join(tmp.dir, d)));
    expect(cgroupDirs('missing', tmp.dir)).to.deep.equal([]);
  });

  it('linkExists sees loopback and not a made-up link', () => {
    expect(linkExists('lo')).to.equal(true);
    expect(linkExists('gantry-nope0')).to.equal(false);
  });

  it('processesMentioning finds a process by a path in its command line', async () => {
    // `sh -c CMD NAME`: NAME is the shell's $0, so the path is in its command line.
    const child = spawn('sh', ['-c', 'sleep 30', tmp.dir], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(processesMentioning(tmp.dir).map((p) => p.pid)).to.deep.equal([child.pid]);
      expect(processesMentioning(`${tmp.dir}-nothing-runs-this`)).to.deep.equal([]);
    } finally {
      child.kill();
    }
  });
});
