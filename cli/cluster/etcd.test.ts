import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { makeTempDir } from '../../common/proc/etcdProcess.js';
import { isAlive, pidRuns, stopPid } from '../../common/proc/pids.js';
import { isEtcdProcess, startClusterEtcd, type ClusterEtcd } from './etcd.js';

describe('isEtcdProcess', () => {
  const cases: Array<[string, boolean]> = [
    ['etcd', true],
    ['etcd-1', true],
    ['etcd-3', true],
    ['etcd-', false],
    ['etcd-x', false],
    ['registry', false],
    ['nodeagent-host-1', false],
  ];
  for (const [name, want] of cases) it(`${name} -> ${want}`, () => expect(isEtcdProcess(name)).to.equal(want));
});

describe("gantry up's etcd (real etcd, detached like `up` starts it)", function () {
  this.timeout(90_000);
  let tmp: { dir: string; remove: () => void };
  let home: string;
  let logs: string;
  const started: ClusterEtcd[] = [];
  const out: string[] = [];

  const stopAll = async (etcd: ClusterEtcd): Promise<void> => {
    for (const p of [...etcd.processes].reverse()) await stopPid(p.pid, p.marker, 10_000);
  };

  beforeEach(() => {
    tmp = makeTempDir('gantry-up-etcd');
    home = path.join(tmp.dir, 'home');
    logs = path.join(home, 'logs');
    fs.mkdirSync(logs, { recursive: true });
    out.length = 0;
  });
  afterEach(async () => {
    for (const e of started.splice(0)) await stopAll(e);
    tmp.remove();
  });

  const start = async (requested: number | undefined): Promise<ClusterEtcd> => {
    const e = await startClusterEtcd(home, logs, requested, (l) => out.push(l));
    started.push(e);
    return e;
  };

  it('starts one member by default, as etcd-1 with its data in etcd/etcd-1', async () => {
    const e = await start(undefined);
    expect(e.processes.map((p) => p.name)).to.deep.equal(['etcd-1']);
    expect(e.processes[0]!.marker).to.equal(path.join(home, 'etcd', 'etcd-1'));
    expect(pidRuns(e.processes[0]!.pid, e.processes[0]!.marker)).to.equal(true);
    expect(e.endpoints).to.have.length(1);
    expect(fs.existsSync(path.join(logs, 'etcd-1.log'))).to.equal(true);
    expect(out).to.deep.equal(['starting etcd']);
  });

  it('starts three members and, started again on their data, reuses their ports and keeps what was written', async () => {
    const first = await start(3);
    expect(first.processes.map((p) => p.name)).to.deep.equal(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(new Set(first.endpoints).size).to.equal(3);
    const client = new Etcd3({ hosts: first.endpoints, defaultCallOptions: () => ({ deadline: Date.now() + 5_000 }) });
    try {
      await client.put('/kept').value('yes');
    } finally {
      client.close();
    }
    // As after a reboot: every member gone, then `up` again without the flag.
    await stopAll(first);
    for (const p of first.processes) expect(isAlive(p.pid), p.name).to.equal(false);
    const again = await start(undefined);
    expect(again.endpoints).to.deep.equal(first.endpoints);
    expect(out.at(-1)).to.equal('starting etcd (3 members)');
    const client2 = new Etcd3({ hosts: again.endpoints, defaultCallOptions: () => ({ deadline: Date.now() + 5_000 }) });
    try {
      expect(await client2.get('/kept').string()).to.equal('yes');
    } finally {
      client2.close();
    }
  });

  it('refuses another member count than its data has', async () => {
    const first = await start(3);
    await stopAll(first);
    await startClusterEtcd(home, logs, 1, (l) => out.push(l)).then(
      (e) => {
        started.push(e);
        expect.fail('started one member on the data of three');
      },
      (err: Error) => expect(err.message).to.match(/holds the data of a 3-member etcd; run `gantry down`/),
    );
  });

  it('refuses to start beside etcd data of the older unnumbered layout', async () => {
    fs.mkdirSync(path.join(home, 'etcd', 'member'), { recursive: true });
    await startClusterEtcd(home, logs, undefined, (l) => out.push(l)).then(
      (e) => {
        started.push(e);
        expect.fail('started beside old data');
      },
      (err: Error) => expect(err.message).to.match(/layout of an older gantry; run `gantry down`/),
    );
  });

  it('refuses a member count other than 1 or 3', async () => {
    for (const n of [0, 2, 4]) {
      await startClusterEtcd(home, logs, n, (l) => out.push(l)).then(
        (e) => {
          started.push(e);
          expect.fail(`started ${n} members`);
        },
        (err: Error) => expect(err.message).to.equal(`--etcd-members ${n}: expected 1 or 3`),
      );
    }
    expect(fs.existsSync(path.join(home, 'etcd'))).to.equal(false);
  });
});
