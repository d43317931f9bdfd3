import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../common/proc/etcdProcess.js';
import { isAlive } from '../../common/proc/pids.js';
import { down } from './down.js';
import { writeState, type ClusterProcess, type ClusterState, type NodeState } from './state.js';
import { supervisorStatusFile } from './supervise.js';

/** A stand-in for a cluster process: its command line names `marker` (as $0 of sh). */
function fakeProcess(marker: string): ChildProcess {
  return spawn('sh', ['-c', 'sleep 60', marker], { stdio: 'ignore' });
}

describe('gantry down', function () {
  this.timeout(60_000);
  let tmp: { dir: string; remove: () => void };
  let home: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    tmp = makeTempDir('gantry-down');
    home = path.join(tmp.dir, 'home');
    fs.mkdirSync(home);
  });

  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    tmp.remove();
  });

  function record(names: string[], node?: NodeState): ClusterState {
    const processes = names.map((name) => {
      const marker = path.join(home, `${name}.marker`);
      const child = fakeProcess(marker);
      children.push(child);
      return { name, pid: child.pid!, marker };
    });
    const state: ClusterState = { version: 1, apiServer: 'https://127.0.0.1:1', etcd: 'http://127.0.0.1:2', processes, createdAt: new Date().toISOString(), nodes: node ? [node] : [] };
    writeState(home, state);
    return state;
  }

  it('stops every recorded process, clients before etcd and the registry, and removes the home', async () => {
    const state = record(['etcd', 'registry', 'apiserver', 'scheduler']);
    const lines: string[] = [];
    await down(home, (l) => lines.push(l));
    expect(lines.filter((l) => l.startsWith('stopping')).map((l) => l.split(' ')[1])).to.deep.equal(['scheduler', 'apiserver', 'registry', 'etcd']);
    await new Promise((r) => setTimeout(r, 100));
    for (const p of state.processes) expect(isAlive(p.pid), p.name).to.equal(false);
    expect(fs.existsSync(home)).to.equal(false);
  });

  it('stops every etcd member last, the latest started first', async () => {
    record(['etcd-1', 'etcd-2', 'etcd-3', 'registry', 'apiserver', 'scheduler']);
    const lines: string[] = [];
    await down(home, (l) => lines.push(l));
    expect(lines.filter((l) => l.startsWith('stopping')).map((l) => l.split(' ')[1])).to.deep.equal(['scheduler', 'apiserver', 'registry', 'etcd-3', 'etcd-2', 'etcd-1']);
  });

  it('reports a failed node teardown, still stops etcd and the registry, and keeps the home to retry', async () => {
    // A relative root: the teardown refuses it before touching anything.
    const node: NodeState = { name: 'vm', root: 'not/absolute', bridge: 'gtdown0', podSubnet: '10.231.0.0/24', cgroupRoot: 'gantry-down-test', port: 10250, address: '127.0.0.1' };
    const state = record(['etcd', 'registry', 'apiserver', 'nodeagent'], node);
    const lines: string[] = [];
    let err: Error | undefined;
    try {
      await down(home, (l) => lines.push(l));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/down did not finish cleanly/).and.match(/the node teardown failed \(exit code 2\)/).and.match(/kept .* so `gantry down` can try again/);
    const order = lines.map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(order.indexOf('stopping nodeagent')).to.be.lessThan(order.indexOf('removing what'));
    expect(order.indexOf('removing what')).to.be.lessThan(order.indexOf('stopping registry'));
    expect(lines.join('\n')).to.contain('--root <absolute agent root> is required');
    await new Promise((r) => setTimeout(r, 100));
    for (const p of state.processes) expect(isAlive(p.pid), p.name).to.equal(false);
    expect(fs.existsSync(path.join(home, 'state.json'))).to.equal(true);
  });

  it("stops a component its supervisor left running (the supervisor was killed), not a process that only reuses its PID", async () => {
    const state = record(['etcd-1', 'apiserver']);
    const [etcdSup, apiSup] = state.processes as [ClusterProcess, ClusterProcess];
    // etcd-1's member outlived its supervisor; the API server's status names a PID now run by something else.
    const member = spawn('sh', ['-c', 'sleep 60', path.join(home, 'etcd', 'etcd-1')], { stdio: 'ignore' });
    const stranger = spawn('sh', ['-c', 'sleep 60', 'not-this-cluster'], { stdio: 'ignore' });
    children.push(member, stranger);
    const status = (sup: ClusterProcess, pid: number): void => fs.writeFileSync(supervisorStatusFile(sup.marker), JSON.stringify({ supervisorPid: sup.pid, pid, restarts: 0, startedAt: new Date().toISOString() }));
    status(etcdSup, member.pid!);
    status(apiSup, stranger.pid!);
    process.kill(etcdSup.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    const lines: string[] = [];
    await down(home, (l) => lines.push(l));
    expect(lines.filter((l) => l.startsWith('stopping'))).to.deep.equal([
      `stopping apiserver (pid ${apiSup.pid})`,
      `stopping etcd-1 (pid ${etcdSup.pid})`,
      `stopping etcd-1's component (pid ${member.pid}), left running by its supervisor`,
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(member.pid!), 'the member').to.equal(false);
    expect(isAlive(stranger.pid!), 'the unrelated process').to.equal(true);
  });

  it('says so when there is no cluster', async () => {
    fs.rmSync(home, { recursive: true });
    const lines: string[] = [];
    await down(home, (l) => lines.push(l));
    expect(lines).to.deep.equal([`no cluster recorded in ${home}`]);
  });
});
