import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupsNamed, childrenOf, launchOf, pidsInCgroups, supervisedChild } from './procs.js';

describe('processes through /proc (common/testing/procs.ts)', () => {
  const started: ChildProcess[] = [];
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-procs-test-'));
  });
  after(() => {
    for (const c of started) {
      if (c.exitCode !== null || c.pid === undefined) continue;
      // The shells' sleeps first (by PID, found through /proc), then the shells.
      for (const pid of childrenOf(c.pid)) process.kill(pid, 'SIGKILL');
      c.kill('SIGKILL');
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reads how a process was started: argv (empty arguments kept), cwd, environment', async () => {
    // A shell that keeps running (`; :` stops it from exec'ing sleep) with an empty last
    // argument; an absolute path, since the child's environment has no PATH.
    const script = 'sleep 30; :';
    const child = spawn('/bin/sh', ['-c', script, 'sh', ''], { cwd: tmp, env: { GANTRY_PROCS_TEST: 'a=b' } });
    started.push(child);
    // Until the child has exec'd, /proc shows the forked copy of this process (or nothing).
    const launch = await waitFor(() => {
      try {
        const l = launchOf(child.pid!);
        return l.argv[0] === '/bin/sh' ? l : undefined;
      } catch {
        return undefined;
      }
    });
    expect(launch.argv.slice(1)).to.deep.equal(['-c', script, 'sh', '']);
    expect(launch.cwd).to.equal(fs.realpathSync(tmp));
    expect(launch.env).to.deep.equal({ GANTRY_PROCS_TEST: 'a=b' });
    expect(childrenOf(process.pid)).to.include(child.pid);
  });

  it("finds a supervisor's component by its command line, ignoring other children", async () => {
    // A stand-in supervisor: `sh -c SCRIPT sh -- sleep 31` runs the tail of its own command line, and another child beside it.
    const sup = spawn('sh', ['-c', 'sleep 32 & shift; "$@" & wait', 'sh', '--', 'sleep', '31']);
    started.push(sup);
    const component = await waitFor(() => childrenOf(sup.pid!).find((pid) => launchOf(pid).argv.join(' ') === 'sleep 31'));
    await waitFor(() => (childrenOf(sup.pid!).length === 2 ? true : undefined));
    expect(supervisedChild(sup.pid!)).to.equal(component);
  });

  it('lists the live processes of a cgroup tree and finds cgroups by name at any depth', () => {
    const top = path.join(tmp, 'cg');
    fs.mkdirSync(path.join(top, 'burstable', 'podabc', 'c1'), { recursive: true });
    fs.writeFileSync(path.join(top, 'cgroup.procs'), '');
    fs.writeFileSync(path.join(top, 'burstable', 'podabc', 'c1', 'cgroup.procs'), `${process.pid}\n`);
    expect(pidsInCgroups([top])).to.deep.equal([process.pid]);
    expect(cgroupsNamed([top], 'podabc')).to.deep.equal([path.join(top, 'burstable', 'podabc')]);
    expect(cgroupsNamed([top], 'podxyz')).to.deep.equal([]);
  });
});

async function waitFor<T>(fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}
