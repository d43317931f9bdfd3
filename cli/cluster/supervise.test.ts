// `gantry supervise` as a process: a crash-looping component is restarted with a growing
// back-off, and SIGTERM stops the supervisor at once, whether it is waiting out a back-off
// or its component is running (the component gets the SIGTERM too).

import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { componentCommand } from '../../common/proc/components.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { eventually } from '../../common/testing/eventually.js';
import { supervisorStatusFile, type SupervisorStatus } from './supervise.js';

function exited(c: ChildProcess): Promise<number | null> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode);
  return new Promise((resolve) => c.once('exit', (code) => resolve(code)));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('gantry supervise', function () {
  this.timeout(60_000);
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-supervise-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await stopChild(c, 2_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const supervise = (component: string): { child: ChildProcess; log: string } => {
    const log = path.join(dir, 'component.log');
    const cli = componentCommand('cli/main');
    const child = spawn(cli.command, [...cli.args, 'supervise', '--log', log, '--', process.execPath, '-e', component], { stdio: 'ignore' });
    children.push(child);
    return { child, log };
  };
  const restarts = (log: string): number[] => {
    const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    return [...text.matchAll(/exited with code 3; restarting in (\d+) ms/g)].map((m) => Number(m[1]));
  };

  it('restarts a crash-looping component after 0.5, 1, 2, 4 s, and stops at once on SIGTERM during a back-off', async () => {
    const { child, log } = supervise('process.exit(3)');
    await eventually('four restarts', async () => (restarts(log).length >= 4 ? true : undefined), 30_000);
    expect(restarts(log).slice(0, 4)).to.deep.equal([500, 1_000, 2_000, 4_000]);
    const status = JSON.parse(fs.readFileSync(supervisorStatusFile(log), 'utf8')) as SupervisorStatus;
    expect(status.supervisorPid).to.equal(child.pid);
    expect(status.restarts).to.be.at.least(4);
    expect(status.lastExit?.code).to.equal(3);
    // Now waiting 4 s before the next start.
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited(child)).to.equal(0);
    // Well under the 4 s back-off it was waiting out: it did not wait for it.
    expect(Date.now() - t0).to.be.below(3_500);
    const count = restarts(log).length;
    await new Promise((r) => setTimeout(r, 700));
    expect(restarts(log).length, 'nothing restarted after the stop').to.equal(count);
  });

  it('the lean entry point caps the back-off where asked (etcd, the API server): 0.5, 1, 1 s', async () => {
    const log = path.join(dir, 'capped.log');
    const sup = componentCommand('cli/superviseMain');
    const child = spawn(sup.command, [...sup.args, '--log', log, '--max-backoff-ms', '1000', '--', process.execPath, '-e', 'process.exit(3)'], { stdio: 'ignore' });
    children.push(child);
    await eventually('three restarts', async () => (restarts(log).length >= 3 ? true : undefined), 20_000);
    expect(restarts(log).slice(0, 3)).to.deep.equal([500, 1_000, 1_000]);
  });

  it('the lean entry point refuses a malformed command line', async () => {
    const sup = componentCommand('cli/superviseMain');
    const child = spawn(sup.command, [...sup.args, '--log', path.join(dir, 'x.log'), '--max-backoff-ms', 'soon', '--', 'true'], { stdio: 'ignore' });
    children.push(child);
    expect(await exited(child)).to.equal(2);
  });

  it('passes SIGTERM to a running component and exits with it', async () => {
    const pidFile = path.join(dir, 'pid');
    const { child } = supervise(`require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));`);
    const pid = await eventually('the component runs', async () => (fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8') ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined), 20_000);
    expect(alive(pid)).to.equal(true);
    const log = path.join(dir, 'component.log');
    const status = JSON.parse(fs.readFileSync(supervisorStatusFile(log), 'utf8')) as SupervisorStatus;
    expect(status).to.include({ pid, restarts: 0 });
    child.kill('SIGTERM');
    expect(await exited(child)).to.equal(0);
    await eventually('the component is gone', async () => (alive(pid) ? undefined : true), 5_000);
  });
});
