// A control plane that heals itself, on `gantry up --hosts 1`: while clients write, etcd's
// only member is killed with SIGKILL, then (separately) the API server, then both at once.
// Each time the component's supervisor starts it again, the cluster is back by itself
// (`/readyz` answers ok and a write sent after the kill is acknowledged), and every write the
// API acknowledged reads back. How long recovery took is printed beside the goal (15 s); only
// a generous deadline is asserted, since this machine is small and shared. Then a supervisor
// itself is killed: `gantry status` says so, and `gantry up` stops the member it left behind
// and starts the cluster again on its data, with every acknowledged write still there.
//
// The cases run IN ORDER on one cluster; every wait polls the real condition.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { memberHealthy, type EtcdClientTls } from '../common/proc/etcdProcess.js';
import { processesMentioning } from '../common/proc/leftovers.js';
import { pidRuns } from '../common/proc/pids.js';
import { firstAckedSince, lostWrites, startAckedWriters, summarizeFailures, type AckedWriters } from '../common/testing/ackedWrites.js';
import { eventually } from '../common/testing/eventually.js';
import { gantry } from '../common/testing/gantryCli.js';
import { readRecordedState, recordedProcess, type RecordedProcess } from '../common/testing/gantryState.js';
import { launchOf, sigkill, supervisedChild } from '../common/testing/procs.js';
import { report, seconds } from './multihost/report.js';
import { upForTests, type TestCluster } from './testCluster.js';

/** The issue's goal: back within this long of a kill -9. Printed, not asserted. */
const goalMs = 15_000;
/** What is asserted: back by itself at all, well within a minute. */
const deadlineMs = 60_000;

interface NodeView {
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

/** `gantry status`'s row of one component: PID, RUNNING, RESTARTS, SUPERVISOR, HEALTH. */
interface StatusRow {
  pid: number;
  running: string;
  restarts: number;
  supervisor: number;
  health: string;
}

/** etcd takes only certificates of its own CA: the test asks a member as the API server would. */
function etcdClientTls(home: string): EtcdClientTls {
  const pki = path.join(home, 'pki');
  return { caFile: path.join(pki, 'etcd', 'ca.crt'), certFile: path.join(pki, 'apiserver-etcd-client.crt'), keyFile: path.join(pki, 'apiserver-etcd-client.key') };
}

/** The value of `--flag` in a command line. */
function flag(argv: string[], name: string): string {
  const i = argv.indexOf(name);
  if (i < 0 || i + 1 >= argv.length) throw new Error(`no ${name} in ${argv.join(' ')}`);
  return argv[i + 1]!;
}

/** The end of a component's log (its supervisor's lines included), for a failure's message. */
function logTail(home: string, name: string): string {
  try {
    const lines = fs.readFileSync(path.join(home, 'logs', `${name}.log`), 'utf8').split('\n');
    return `--- the end of ${name}.log:\n${lines.slice(-40).map((l) => l.slice(0, 300)).join('\n')}`;
  } catch (e) {
    return `--- ${name}.log: ${(e as Error).message}`;
  }
}

function statusRow(out: string, name: string): StatusRow | undefined {
  const cols = out
    .split('\n')
    .find((l) => l.startsWith(`${name} `))
    ?.split(/\s+/);
  if (!cols) return undefined;
  return { pid: Number(cols[1]), running: cols[2]!, restarts: Number(cols[3]), supervisor: Number(cols[4]), health: cols[5]! };
}

describe('e2e: a control plane that heals itself (gantry up --hosts 1): kill -9 of etcd, of the API server, of both, with writes in flight', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let home: string;
  /** Every supervisor state.json recorded, to check after `down`. */
  let recorded: RecordedProcess[] = [];
  /** Each case's writers: their acknowledged writes must survive the later cases too. */
  const written: AckedWriters[] = [];

  before(async function () {
    this.timeout(360_000);
    cluster = await upForTests('gantry-e2e-heal', { hosts: 1 });
    home = cluster.home;
    recorded = readRecordedState(home).processes;
  });

  after(async function () {
    this.timeout(120_000);
    await cluster?.down({ exitCode: false });
  });

  const readyz = async (): Promise<boolean> => {
    const r = await cluster!.client().get<unknown>('/readyz', { timeoutMs: 2_000 });
    return r.status === 200 && r.text === 'ok';
  };

  const status = async (): Promise<string> => (await gantry(home, ['status'], { timeoutMs: 30_000 })).out;

  it('1. etcd-1 and the API server each run under a supervisor, their back-off capped at 2 s; `gantry status` shows them healthy', async () => {
    const state = readRecordedState(home);
    expect(state.processes.filter((p) => /^etcd-\d+$/.test(p.name)).map((p) => p.name)).to.deep.equal(['etcd-1']);
    const st = await gantry(home, ['status'], { timeoutMs: 30_000 });
    expect(st.code, st.out).to.equal(0);
    for (const [name, health] of [['etcd-1', 'healthy'], ['apiserver', 'ready']] as const) {
      const sup = recordedProcess(state, name);
      expect(pidRuns(sup.pid, sup.marker), `${name}'s supervisor runs`).to.equal(true);
      expect(statusRow(st.out, name), st.out).to.deep.equal({ pid: supervisedChild(sup.pid), running: 'yes', restarts: 0, supervisor: sup.pid, health });
    }
  });

  const kills: Array<{ name: string; victims: string[]; prefix: string }> = [
    { name: 'etcd-1 (the only member)', victims: ['etcd-1'], prefix: 'heal-etcd' },
    { name: 'the API server', victims: ['apiserver'], prefix: 'heal-api' },
    { name: 'etcd-1 and the API server together', victims: ['etcd-1', 'apiserver'], prefix: 'heal-both' },
  ];
  for (const [i, tc] of kills.entries()) {
    it(`${i + 2}. kill -9 of ${tc.name} with writes in flight: its supervisor starts it again, the cluster is back by itself, every acknowledged write reads back`, async () => {
      const state = readRecordedState(home);
      const before = await status();
      const victims = tc.victims.map((name) => {
        const sup = recordedProcess(state, name);
        const pid = supervisedChild(sup.pid);
        // What says it serves again: an etcd member's /health, the API server's /readyz.
        const endpoint = name === 'apiserver' ? '' : flag(launchOf(pid).argv, '--listen-client-urls');
        const serves = name === 'apiserver' ? readyz : () => memberHealthy(endpoint, etcdClientTls(home), 1_000);
        return { name, sup, pid, serves, restarts: statusRow(before, name)!.restarts };
      });
      /** When each victim was started again and when it served again, watched from the kill on: where the recovery time goes. */
      const comeback = (killedAt: number): Promise<string[]> =>
        Promise.all(
          victims.map(async (v) => {
            const again = await eventually(`${v.name} started again`, async () => (supervisedChild(v.sup.pid) !== v.pid ? true : undefined), deadlineMs, 50);
            const startedMs = Date.now() - killedAt;
            await eventually(`${v.name} serving again`, async () => ((await v.serves().catch(() => false)) ? again : undefined), deadlineMs, 50);
            return `${v.name} started again at ${seconds(startedMs)}, ${v.name === 'apiserver' ? 'ready' : 'healthy'} at ${seconds(Date.now() - killedAt)}`;
          }),
        );
      const writers = await startAckedWriters(cluster!.client(), { namespace: 'default', prefix: tc.prefix });
      const log = writers.log;
      let killedAt = 0;
      let backAt = 0;
      try {
        await eventually('writes acknowledged before the kill', async () => (log.acked.length >= 20 ? true : undefined), 30_000, 50);
        for (const v of victims) expect(sigkill(v.pid), `${v.name} (pid ${v.pid})`).to.equal(true);
        killedAt = Date.now();
        const ackedBefore = log.acked.length;
        const phases = comeback(killedAt);
        phases.catch(() => undefined);

        // Back: every victim runs again (a new process under the same supervisor), /readyz is ok
        // and a write sent after the kill was acknowledged.
        await eventually(
          `the cluster back after killing ${tc.name}`,
          async () => {
            // supervisedChild throws while a supervisor waits out its back-off.
            if (!victims.every((v) => supervisedChild(v.sup.pid) !== v.pid)) return undefined;
            if (!(await readyz())) return undefined;
            return firstAckedSince(log, killedAt) ? true : undefined;
          },
          deadlineMs,
          100,
        );
        backAt = Date.now();
        const first = firstAckedSince(log, killedAt)!;
        report(
          `killed ${victims.map((v) => `${v.name} (pid ${v.pid})`).join(' and ')} after ${ackedBefore} acknowledged creates: back in ${seconds(backAt - killedAt)} ` +
            `(first write sent after the kill acknowledged at ${seconds(first.ackedAt - killedAt)}; goal ${seconds(goalMs)})`,
        );
        report((await phases).join('; '));
        // Writes go on against the restarted component.
        const ackedBack = log.acked.length;
        await eventually('writes acknowledged after recovery', async () => (log.acked.length >= ackedBack + 20 ? true : undefined), 30_000, 50);
      } finally {
        await writers.stop();
      }
      report(`${log.acked.length} creates acknowledged, ${log.failures.length} writes failed (${summarizeFailures(log.failures)}); slowest answer ${log.slowestMs} ms`);

      expect(await lostWrites(cluster!.client(), writers), 'acknowledged writes missing or changed').to.deep.equal([]);
      written.push(writers);
      report(`all ${log.acked.length} acknowledged creates read back; the counter is at least ${log.counterAcked}`);

      // The same supervisors, each with one more restart; etcd healthy, the API server ready.
      expect(readRecordedState(home).processes).to.deep.equal(recorded);
      // Everything running, healthy and Ready again (a node may have gone NotReady meanwhile).
      const nodeSeen: string[] = [];
      const after = await eventually(
        '`gantry status` to report everything running, healthy and Ready',
        async () => {
          const r = await gantry(home, ['status'], { timeoutMs: 30_000 });
          if (r.code === 0) return r;
          const node = await cluster!.client().get<NodeView>('/api/v1/nodes/host-1', { timeoutMs: 2_000 }).catch(() => undefined);
          const ready = node?.body.status?.conditions?.find((c) => c.type === 'Ready');
          nodeSeen.push(`${seconds(Date.now() - killedAt)}: ${r.out.split('\n').filter((l) => /NO|UNHEALTHY|NOT ready|NotReady/.test(l)).join(' | ')} (Ready ${ready?.status} ${ready?.reason}: ${ready?.message})`);
          throw new Error(r.out);
        },
        deadlineMs,
        500,
      );
      if (nodeSeen.length) report(`everything healthy and Ready again ${seconds(Date.now() - killedAt)} after the kill; before that: ${[...new Set(nodeSeen.map((l) => l.replace(/^[^:]*: /, '')))].join('; ')} (first seen at ${nodeSeen[0]!.split(':')[0]})`);
      for (const v of victims) {
        const row = statusRow(after.out, v.name);
        expect(row, `${after.out}\n${logTail(home, v.name)}`).to.deep.equal({ pid: supervisedChild(v.sup.pid), running: 'yes', restarts: v.restarts + 1, supervisor: v.sup.pid, health: v.name === 'apiserver' ? 'ready' : 'healthy' });
      }
    });
  }

  it(`${kills.length + 2}. a second \`gantry up\` finds the cluster running: the supervisors it recorded never stopped`, async () => {
    const again = await gantry(home, cluster!.upArgs, { timeoutMs: 60_000 });
    expect(again.code, again.out).to.equal(0);
    expect(again.stdout, again.out).to.match(/^cluster already running: https:\/\/127\.0\.0\.1:\d+$/m);
    expect(readRecordedState(home).processes).to.deep.equal(recorded);
  });

  it(`${kills.length + 3}. etcd-1's supervisor killed: status says so, and \`gantry up\` stops the member it left, starts the cluster again on its data, every acknowledged write still there`, async () => {
    const sup = recordedProcess(readRecordedState(home), 'etcd-1');
    const member = supervisedChild(sup.pid);
    expect(sigkill(sup.pid)).to.equal(true);
    await eventually('the supervisor gone', async () => (pidRuns(sup.pid, sup.marker) ? undefined : true), 10_000, 50);
    // The member outlives it: nothing would start it again now.
    expect(pidRuns(member, home), 'the member left running').to.equal(true);
    const st = await gantry(home, ['status'], { timeoutMs: 30_000 });
    expect(st.code, st.out).to.equal(1);
    expect(statusRow(st.out, 'etcd-1')?.running, st.out).to.equal('NO');

    const again = await gantry(home, cluster!.upArgs, { timeoutMs: 240_000 });
    expect(again.code, again.out).to.equal(0);
    expect(again.out).to.contain(`stopping etcd-1's component (pid ${member}), left running by its supervisor`).and.contain('cluster is up: https://127.0.0.1:');
    expect(pidRuns(member, home), 'the old member').to.equal(false);
    recorded = readRecordedState(home).processes;
    const now = recordedProcess(readRecordedState(home), 'etcd-1');
    expect(now.pid).to.not.equal(sup.pid);
    for (const w of written) expect(await lostWrites(cluster!.client(), w), `${w.counterName}'s writes after the cluster started again`).to.deep.equal([]);
    const after = await eventually(
      '`gantry status` to report everything running, healthy and Ready',
      async () => {
        const r = await gantry(home, ['status'], { timeoutMs: 30_000 });
        return r.code === 0 ? r : undefined;
      },
      deadlineMs,
      500,
    );
    expect(statusRow(after.out, 'etcd-1'), after.out).to.deep.equal({ pid: supervisedChild(now.pid), running: 'yes', restarts: 0, supervisor: now.pid, health: 'healthy' });
  });

  it(`${kills.length + 4}. gantry down stops every supervisor and component and removes the cluster home`, async () => {
    const r = await cluster!.stop();
    expect(r.code, r.out).to.equal(0);
    for (const p of recorded) expect(r.out).to.contain(`stopping ${p.name} (pid ${p.pid})`);
    for (const p of recorded) expect(pidRuns(p.pid, p.marker), `${p.name}'s supervisor`).to.equal(false);
    expect(processesMentioning(home), 'processes left').to.deep.equal([]);
    expect(fs.existsSync(home)).to.equal(false);
  });
});
