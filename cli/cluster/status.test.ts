import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../common/proc/etcdProcess.js';
import { stopPid } from '../../common/proc/pids.js';
import { eventually } from '../../common/testing/eventually.js';
import { sigkill, supervisedChild } from '../../common/testing/procs.js';
import { startClusterEtcd, type ClusterEtcd } from './etcd.js';
import { etcdEndpointOf, etcdHealth, formatComponents, status, type ComponentStatus } from './status.js';
import { writeState, type ClusterState } from './state.js';

describe('gantry status: which endpoint is which etcd member', () => {
  const state = { etcd: 'https://127.0.0.1:1,https://127.0.0.1:2,https://127.0.0.1:3' };
  const cases: Array<[string, string | undefined]> = [
    ['etcd-1', 'https://127.0.0.1:1'],
    ['etcd-3', 'https://127.0.0.1:3'],
    ['etcd-4', undefined],
    ['etcd-0', undefined],
    // state.json written before members were numbered: the one endpoint.
    ['etcd', 'https://127.0.0.1:1'],
    ['registry', undefined],
  ];
  for (const [name, want] of cases) it(`${name} -> ${want ?? 'none'}`, () => expect(etcdEndpointOf(state, name)).to.equal(want));
  it('an empty list has none', () => expect(etcdEndpointOf({ etcd: '' }, 'etcd-1')).to.equal(undefined));
});

describe('gantry status: the table', () => {
  it('has a HEALTH column, "-" where a component cannot be asked', () => {
    const rows: ComponentStatus[] = [
      { name: 'etcd-1', pid: 10, supervisorPid: 9, running: true, restarts: 2, since: 'then', health: 'healthy' },
      { name: 'registry', pid: 11, running: false },
    ];
    expect(formatComponents(rows)).to.deep.equal([
      'COMPONENT  PID  RUNNING  RESTARTS  SUPERVISOR  HEALTH   SINCE',
      'etcd-1     10   yes      2         9           healthy  then',
      'registry   11   NO       -         -           -        -',
    ]);
  });
});

describe('gantry status: etcd members (real etcd under its supervisors)', function () {
  this.timeout(90_000);
  let tmp: { dir: string; remove: () => void };
  let home: string;
  let etcd: ClusterEtcd | undefined;

  const record = (e: ClusterEtcd): ClusterState => {
    const state: ClusterState = { version: 1, apiServer: 'https://127.0.0.1:1', etcd: e.endpoints.join(','), processes: e.processes, nodes: [], createdAt: new Date().toISOString() };
    writeState(home, state);
    return state;
  };

  beforeEach(() => {
    tmp = makeTempDir('gantry-status');
    home = path.join(tmp.dir, 'home');
    fs.mkdirSync(path.join(home, 'logs'), { recursive: true });
  });
  afterEach(async () => {
    for (const p of [...(etcd?.processes ?? [])].reverse()) await stopPid(p.pid, p.marker, 30_000);
    etcd = undefined;
    tmp.remove();
  });

  it('shows each member healthy with its restarts; one killed shows a restart and is healthy again', async () => {
    etcd = await startClusterEtcd(home, path.join(home, 'logs'), 3, () => undefined);
    const state = record(etcd);
    expect(Object.fromEntries(await etcdHealth(home, state))).to.deep.equal({ 'etcd-1': 'healthy', 'etcd-2': 'healthy', 'etcd-3': 'healthy' });

    const sup = etcd.processes[2]!;
    const member = supervisedChild(sup.pid);
    sigkill(member);
    const lines = await eventually(
      'etcd-3 restarted and healthy',
      async () => {
        const out: string[] = [];
        await status(home, (l) => out.push(l));
        const row = out.find((l) => l.startsWith('etcd-3 '));
        return row && /\s+yes\s+1\s+\d+\s+healthy\s/.test(row) ? out : undefined;
      },
      30_000,
      200,
    );
    const row = lines.find((l) => l.startsWith('etcd-3 '))!.split(/\s+/);
    expect(Number(row[1])).to.not.equal(member);
    expect(Number(row[1])).to.equal(supervisedChild(sup.pid));
    expect(Number(row[4])).to.equal(sup.pid);
    // No kubeconfig in this home: the API server is reported unreachable, and the whole is not healthy.
    expect(lines.at(-1)).to.match(/^API server https:\/\/127\.0\.0\.1:1: unreachable/);
  });

  it('a member that is gone answers UNHEALTHY within the timeout, and status says so', async () => {
    etcd = await startClusterEtcd(home, path.join(home, 'logs'), undefined, () => undefined);
    const state = record(etcd);
    for (const p of etcd.processes) await stopPid(p.pid, p.marker, 30_000);
    const t0 = Date.now();
    expect(Object.fromEntries(await etcdHealth(home, state))).to.deep.equal({ 'etcd-1': 'UNHEALTHY' });
    expect(Date.now() - t0).to.be.below(5_000);
    const out: string[] = [];
    expect(await status(home, (l) => out.push(l))).to.equal(false);
    expect(out.find((l) => l.startsWith('etcd-1 '))).to.match(/^etcd-1\s+\d+\s+NO\s+0\s+\d+\s+UNHEALTHY\s/);
  });

  it('a member that hangs (stopped with SIGSTOP) costs the answer at most the timeout', async () => {
    etcd = await startClusterEtcd(home, path.join(home, 'logs'), undefined, () => undefined);
    const state = record(etcd);
    const member = supervisedChild(etcd.processes[0]!.pid);
    process.kill(member, 'SIGSTOP');
    try {
      const t0 = Date.now();
      expect(Object.fromEntries(await etcdHealth(home, state))).to.deep.equal({ 'etcd-1': 'UNHEALTHY' });
      expect(Date.now() - t0).to.be.within(1_500, 5_000);
    } finally {
      process.kill(member, 'SIGCONT');
    }
  });
});
