// `gantry up --etcd-members 3`: three etcd members on this machine, each under its own
// `gantry supervise`, the API server given all three. The leader SIGKILLed while clients
// write: the cluster keeps working (kubectl answers, a new pod starts), the member's
// supervisor starts it again on its data, it rejoins and catches up, and no write the API
// acknowledged is lost; `gantry status` shows the restart; `gantry down` stops every member.
//
// The cases run IN ORDER on one cluster. How many writes failed during the election and how
// long the member was away are printed, never asserted: they depend on timing.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { processesMentioning } from '../common/proc/leftovers.js';
import { etcdGateway, etcdLeader, memberHealthy, type EtcdClientTls } from '../common/proc/etcdProcess.js';
import { pidRuns } from '../common/proc/pids.js';
import { firstAckedSince, lostWrites, startAckedWriters, summarizeFailures } from '../common/testing/ackedWrites.js';
import { eventually } from '../common/testing/eventually.js';
import { gantry } from '../common/testing/gantryCli.js';
import { readRecordedState, type RecordedProcess } from '../common/testing/gantryState.js';
import type { Kubectl } from '../common/testing/kubectl.js';
import { launchOf, sigkill, supervisedChild } from '../common/testing/procs.js';
import { report, seconds } from './multihost/report.js';
import { upForTests, type TestCluster } from './testCluster.js';

interface Member {
  /** Its supervisor, as state.json records it. */
  process: RecordedProcess;
  endpoint: string;
  dataDir: string;
}

/** The value of `--flag` in a command line. */
function flag(argv: string[], name: string): string {
  const i = argv.indexOf(name);
  if (i < 0 || i + 1 >= argv.length) throw new Error(`no ${name} in ${argv.join(' ')}`);
  return argv[i + 1]!;
}

/** etcd takes only certificates of its own CA: the test reads the members as the API server does. */
function etcdClientTls(home: string): EtcdClientTls {
  const pki = path.join(home, 'pki');
  return { caFile: path.join(pki, 'etcd', 'ca.crt'), certFile: path.join(pki, 'apiserver-etcd-client.crt'), keyFile: path.join(pki, 'apiserver-etcd-client.key') };
}

/** POST to one member's JSON gateway. */
function memberStatus(endpoint: string, tls: EtcdClientTls | undefined): Promise<{ header: { revision: string } } | undefined> {
  return etcdGateway<{ header: { revision: string } }>(endpoint, 'maintenance/status', tls);
}

/** A member's own revision (its store, not the leader's answer); 0 when it does not answer. */
async function memberRevision(endpoint: string, tls: EtcdClientTls): Promise<number> {
  return Number((await memberStatus(endpoint, tls))?.header.revision ?? 0);
}

/** The row of `gantry status` for one component, split into its columns. */
function statusRow(out: string, name: string): string[] | undefined {
  return out
    .split('\n')
    .find((l) => l.startsWith(`${name} `))
    ?.split(/\s+/);
}

describe('e2e: gantry up --etcd-members 3 --hosts 1: supervised members, the leader killed during writes', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let home: string;
  let kubectl: Kubectl;
  let members: Member[] = [];
  let killed: { member: Member; pid: number; newestAcked: number } | undefined;

  const ok = async (args: string[], timeoutMs = 60_000): Promise<string> => {
    const r = await kubectl(args, { timeoutMs });
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  };

  before(async function () {
    this.timeout(360_000);
    cluster = await upForTests('gantry-e2e-etcd', { hosts: 1, etcdMembers: 3 });
    home = cluster.home;
    kubectl = cluster.kubectl();
  });

  after(async function () {
    this.timeout(120_000);
    await cluster?.down({ exitCode: false });
  });

  it('1. runs three members, each under its own supervisor, on its own ports with its own data dir, and gives the API server all three', async () => {
    expect(cluster!.upOutput).to.contain('starting etcd (3 members)');
    const state = readRecordedState(home);
    const etcd = state.processes.filter((p) => /^etcd-\d+$/.test(p.name));
    expect(etcd.map((p) => p.name)).to.deep.equal(['etcd-1', 'etcd-2', 'etcd-3']);
    members = etcd.map((p) => {
      // The recorded PID is the supervisor's (its log is the marker); the member is its child.
      expect(p.marker).to.equal(path.join(home, 'logs', `${p.name}.log`));
      expect(pidRuns(p.pid, p.marker), `${p.name}'s supervisor (pid ${p.pid}) runs`).to.equal(true);
      expect(flag(launchOf(p.pid).argv, '--max-backoff-ms'), `${p.name}'s back-off cap`).to.equal('2000');
      const argv = launchOf(supervisedChild(p.pid)).argv;
      expect(path.basename(argv[0]!)).to.equal('etcd');
      expect(flag(argv, '--name')).to.equal(p.name);
      const dataDir = flag(argv, '--data-dir');
      expect(dataDir).to.equal(path.join(home, 'etcd', p.name));
      expect(fs.existsSync(path.join(dataDir, 'member'))).to.equal(true);
      return { process: p, endpoint: flag(argv, '--listen-client-urls'), dataDir };
    });
    const ports = members.flatMap((m) => {
      const argv = launchOf(supervisedChild(m.process.pid)).argv;
      return [flag(argv, '--listen-client-urls'), flag(argv, '--listen-peer-urls')];
    });
    expect(new Set(ports).size, ports.join(' ')).to.equal(6);
    for (const m of members) expect(m.endpoint, m.process.name).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const m of members) expect(await memberHealthy(m.endpoint, etcdClientTls(home)), m.process.name).to.equal(true);
    // Without the API server's client certificate a member does not answer: not over plain HTTP,
    // not without a certificate, not with host-1's own (the cluster CA signed it when it joined).
    const hostDir = path.join(home, 'nodes', 'host-1');
    const attempts: Array<[string, EtcdClientTls | undefined, (e: string) => string]> = [
      ['plain HTTP', undefined, (e) => e.replace('https:', 'http:')],
      ['no client certificate', undefined, (e) => e],
      ["host-1's client certificate", { ...etcdClientTls(home), certFile: path.join(hostDir, 'client.crt'), keyFile: path.join(hostDir, 'client.key') }, (e) => e],
      ["host-1's serving certificate", { ...etcdClientTls(home), certFile: path.join(hostDir, 'serving.crt'), keyFile: path.join(hostDir, 'serving.key') }, (e) => e],
    ];
    for (const m of members) expect(await memberStatus(m.endpoint, etcdClientTls(home)), `${m.process.name} with the API server's certificate`).to.not.equal(undefined);
    for (const [what, tls, at] of attempts) {
      if (tls) expect(fs.existsSync(tls.certFile), tls.certFile).to.equal(true);
      for (const m of members) expect(await memberStatus(at(m.endpoint), tls), `${m.process.name} with ${what}`).to.equal(undefined);
    }

    const apiserver = state.processes.find((p) => p.name === 'apiserver')!;
    const endpoints = flag(launchOf(supervisedChild(apiserver.pid)).argv, '--etcd-endpoints').split(',');
    expect(endpoints).to.deep.equal(members.map((m) => m.endpoint));

    // `gantry status` asks each member for its health.
    const st = await gantry(home, ['status']);
    expect(st.code, st.out).to.equal(0);
    for (const m of members) expect(statusRow(st.out, m.process.name), st.out).to.include.members(['yes', '0', 'healthy', String(m.process.pid)]);
  });

  it('2. the leader SIGKILLed during writes: kubectl answers, a new pod starts, its supervisor starts it again, no acknowledged write is lost', async () => {
    expect(members, 'case 1 found the members').to.have.length(3);
    const tls = etcdClientTls(home);
    const writers = await startAckedWriters(cluster!.client(), { namespace: 'default', prefix: 'e2e-etcd' });
    const log = writers.log;
    let killedAt = 0;
    try {
      await eventually('writes acknowledged before the kill', async () => (log.acked.length >= 20 ? true : undefined), 30_000, 50);
      const leaderUrl = await etcdLeader(members.map((m) => m.endpoint), tls);
      const leader = members.find((m) => m.endpoint === leaderUrl);
      expect(leader, `a leader among ${members.map((m) => m.endpoint).join(', ')}`).to.not.equal(undefined);
      const pid = supervisedChild(leader!.process.pid);
      const ackedBefore = log.acked.length;
      expect(sigkill(pid)).to.equal(true);
      killedAt = Date.now();
      killed = { member: leader!, pid, newestAcked: 0 };
      report(`killed the etcd leader ${leader!.process.name} (pid ${pid}) after ${ackedBefore} acknowledged creates`);

      // Its supervisor starts it again on its data; it rejoins (healthy: it has a leader and a
      // quorum answers). Watched from now on, while users go on below.
      const rejoined = (async () => {
        const again = await eventually(
          `${leader!.process.name} started again by its supervisor`,
          async () => {
            // supervisedChild throws while the supervisor waits out its back-off.
            const now = supervisedChild(leader!.process.pid);
            return now !== pid ? now : undefined;
          },
          60_000,
          50,
        );
        const restartedAfter = Date.now() - killedAt;
        await eventually(`${leader!.process.name} healthy again`, async () => ((await memberHealthy(leader!.endpoint, tls, 1_000)) ? true : undefined), 60_000, 50);
        report(`${leader!.process.name} started again (pid ${again}) ${seconds(restartedAfter)} after the kill, healthy ${seconds(Date.now() - killedAt)} after it`);
      })();
      rejoined.catch(() => undefined);

      // What users do meanwhile.
      await ok(['create', 'configmap', 'made-while-down', '--from-literal=made=while-down']);
      await ok(['run', 'etcd-e2e-pod', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
      await ok(['wait', '--for=condition=Ready', 'pod/etcd-e2e-pod', '--timeout=120s'], 130_000);
      const nodes = JSON.parse(await ok(['get', 'nodes', '-o', 'json'])) as { items: Array<{ status: { conditions?: Array<{ type: string; status: string }> } }> };
      expect(nodes.items.every((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 'every node Ready').to.equal(true);

      await rejoined;
      // Writes go on with every member back.
      const ackedBack = log.acked.length;
      await eventually('writes acknowledged after the member rejoined', async () => (log.acked.length >= ackedBack + 20 ? true : undefined), 60_000, 50);
    } finally {
      await writers.stop();
    }
    const first = firstAckedSince(log, killedAt);
    expect(first, 'a create sent after the kill was acknowledged').to.not.equal(undefined);
    report(
      `first create sent after the kill acknowledged ${seconds(first!.ackedAt - killedAt)} after it; ${log.acked.filter((a) => a.sentAt >= killedAt).length} creates acknowledged since, ` +
        `${log.failures.length} writes failed (${summarizeFailures(log.failures)}); slowest answer ${log.slowestMs} ms`,
    );
    killed!.newestAcked = Math.max(...log.acked.map((a) => a.rv));

    expect(await lostWrites(cluster!.client(), writers), 'acknowledged writes missing or changed').to.deep.equal([]);
    // kubectl's list has them all too.
    const listed = new Set((JSON.parse(await ok(['get', 'configmaps', '-o', 'json'], 120_000)) as { items: Array<{ metadata: { name: string } }> }).items.map((c) => c.metadata.name));
    expect(log.acked.filter((a) => !listed.has(a.name)).map((a) => a.name), 'missing from kubectl get configmaps').to.deep.equal([]);
    expect(listed.has('made-while-down')).to.equal(true);
    report(`all ${log.acked.length} acknowledged creates read back; the counter is at least ${log.counterAcked}`);
  });

  it('3. the restarted member caught up on its own store, and `gantry status` shows its restart', async () => {
    expect(killed, 'case 2 killed a member').to.not.equal(undefined);
    const { member, pid, newestAcked } = killed!;
    const tls = etcdClientTls(home);
    // Its own store (not the leader's answer) has every revision the writers were acknowledged.
    await eventually(
      `${member.process.name} at revision ${newestAcked}`,
      async () => {
        const rev = await memberRevision(member.endpoint, tls);
        return rev >= newestAcked ? rev : undefined;
      },
      30_000,
      250,
    );
    // The same supervisor (state.json is unchanged), a new member process.
    expect(readRecordedState(home).processes.find((p) => p.name === member.process.name)).to.deep.equal(member.process);
    const now = supervisedChild(member.process.pid);
    expect(now).to.not.equal(pid);
    const st = await gantry(home, ['status']);
    expect(st.code, st.out).to.equal(0);
    expect(statusRow(st.out, member.process.name), st.out).to.include.members([String(now), 'yes', '1', 'healthy']);
    for (const m of members.filter((x) => x !== member)) expect(statusRow(st.out, m.process.name), st.out).to.include.members(['yes', '0', 'healthy']);
    await ok(['get', 'configmap', 'made-while-down']);
  });

  it('4. gantry down stops every member and removes the cluster home', async () => {
    const r = await cluster!.stop();
    expect(r.code, r.out).to.equal(0);
    for (const m of members) expect(r.out).to.contain(`stopping ${m.process.name}`);
    expect(processesMentioning(home), 'processes left').to.deep.equal([]);
    expect(fs.existsSync(home)).to.equal(false);
  });
});
