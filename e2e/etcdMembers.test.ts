// `gantry up --etcd-members 3`: three etcd members on this machine, the API server given all
// three. The leader SIGKILLed while clients write: the cluster keeps working (kubectl answers,
// a new pod starts) and no write the API acknowledged is lost; the member started again on
// its data rejoins; `gantry down` stops the members left.
//
// The cases run IN ORDER on one cluster. How many writes failed during the election is
// printed, never asserted: it depends on timing.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { processesMentioning } from '../common/proc/leftovers.js';
import { etcdGateway, etcdLeader, memberHealthy, type EtcdClientTls } from '../common/proc/etcdProcess.js';
import { pidRuns } from '../common/proc/pids.js';
import { lostWrites, startAckedWriters, summarizeFailures } from '../common/testing/ackedWrites.js';
import { eventually } from '../common/testing/eventually.js';
import type { Kubectl } from './kubectl.js';
import { launchOf, relaunch, sigkill, type ProcessLaunch } from '../common/testing/procs.js';
import { report } from './multihost/report.js';
import { readRecordedState, recordRestartedPid, type RecordedProcess } from './multihost/state.js';
import { upForTests, type TestCluster } from './testCluster.js';

interface Member {
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('e2e: gantry up --etcd-members 3 --hosts 1: the etcd leader killed during writes', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let home: string;
  let kubectl: Kubectl;
  let members: Member[] = [];
  let killed: { member: Member; launch: ProcessLaunch; newestAcked: number } | undefined;
  /** Started again by this suite, recorded in state.json for `down`; after() makes sure. */
  const relaunched: RecordedProcess[] = [];

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
    try {
      await cluster?.down({ exitCode: false });
    } finally {
      for (const p of relaunched) if (pidRuns(p.pid, p.marker)) sigkill(p.pid);
    }
  });

  it('1. runs three members, each on its own ports with its own data dir, and gives the API server all three', async () => {
    expect(cluster!.upOutput).to.contain('starting etcd (3 members)');
    const state = readRecordedState(home);
    const etcd = state.processes.filter((p) => /^etcd-\d+$/.test(p.name));
    expect(etcd.map((p) => p.name)).to.deep.equal(['etcd-1', 'etcd-2', 'etcd-3']);
    members = etcd.map((p) => {
      expect(pidRuns(p.pid, p.marker), `${p.name} (pid ${p.pid}) runs`).to.equal(true);
      const argv = launchOf(p.pid).argv;
      expect(flag(argv, '--name')).to.equal(p.name);
      const dataDir = flag(argv, '--data-dir');
      expect(dataDir).to.equal(path.join(home, 'etcd', p.name));
      expect(fs.existsSync(path.join(dataDir, 'member'))).to.equal(true);
      return { process: p, endpoint: flag(argv, '--listen-client-urls'), dataDir };
    });
    const ports = members.flatMap((m) => {
      const argv = launchOf(m.process.pid).argv;
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
    const endpoints = flag(launchOf(apiserver.pid).argv, '--etcd-endpoints').split(',');
    expect(endpoints).to.deep.equal(members.map((m) => m.endpoint));
  });

  it('2. the leader SIGKILLed during writes: kubectl answers, a new pod starts, no acknowledged write is lost', async () => {
    expect(members, 'case 1 found the members').to.have.length(3);
    const writers = await startAckedWriters(cluster!.client(), { namespace: 'default', prefix: 'e2e-etcd' });
    const log = writers.log;
    let ackedBefore = 0;
    let ackedWhileDown = 0;
    let failedWhileDown = 0;
    try {
      await sleep(2_000);
      const leaderUrl = await etcdLeader(members.map((m) => m.endpoint), etcdClientTls(home));
      const leader = members.find((m) => m.endpoint === leaderUrl);
      expect(leader, `a leader among ${members.map((m) => m.endpoint).join(', ')}`).to.not.equal(undefined);
      const launch = launchOf(leader!.process.pid);
      ackedBefore = log.acked.length;
      expect(sigkill(leader!.process.pid)).to.equal(true);
      const killedAt = Date.now();
      killed = { member: leader!, launch, newestAcked: 0 };
      report(`killed the etcd leader ${leader!.process.name} (pid ${leader!.process.pid}) after ${ackedBefore} acknowledged creates`);

      // What users do meanwhile.
      await ok(['create', 'configmap', 'made-while-down', '--from-literal=made=while-down']);
      await ok(['run', 'etcd-e2e-pod', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
      await ok(['wait', '--for=condition=Ready', 'pod/etcd-e2e-pod', '--timeout=120s'], 130_000);
      const nodes = JSON.parse(await ok(['get', 'nodes', '-o', 'json'])) as { items: Array<{ status: { conditions?: Array<{ type: string; status: string }> } }> };
      expect(nodes.items.every((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 'every node Ready').to.equal(true);

      // Writes go on for a while with one member down.
      await sleep(Math.max(0, 12_000 - (Date.now() - killedAt)));
      ackedWhileDown = log.acked.length - ackedBefore;
      failedWhileDown = log.failures.length;
      await writers.stop();
      report(
        `etcd leader down ${Math.round((Date.now() - killedAt) / 1000)} s: ${ackedWhileDown} creates acknowledged meanwhile, ${failedWhileDown} writes failed ` +
          `(${summarizeFailures(log.failures)}); slowest answer ${log.slowestMs} ms`,
      );
    } finally {
      await writers.stop();
    }
    expect(ackedWhileDown, 'creates acknowledged with the leader down').to.be.greaterThan(0);
    killed.newestAcked = Math.max(...log.acked.map((a) => a.rv));

    expect(await lostWrites(cluster!.client(), writers), 'acknowledged writes missing or changed').to.deep.equal([]);
    // kubectl's list has them all too.
    const listed = new Set((JSON.parse(await ok(['get', 'configmaps', '-o', 'json'], 120_000)) as { items: Array<{ metadata: { name: string } }> }).items.map((c) => c.metadata.name));
    expect(log.acked.filter((a) => !listed.has(a.name)).map((a) => a.name), 'missing from kubectl get configmaps').to.deep.equal([]);
    expect(listed.has('made-while-down')).to.equal(true);
    report(`all ${log.acked.length} acknowledged creates read back; the counter is at least ${log.counterAcked}`);
  });

  it('3. the killed member, started again on its data, rejoins and catches up', async () => {
    expect(killed, 'case 2 killed a member').to.not.equal(undefined);
    const { member, launch, newestAcked } = killed!;
    const pid = relaunch(launch, path.join(home, 'logs', `${member.process.name}.log`));
    recordRestartedPid(home, member.process.name, pid);
    relaunched.push({ ...member.process, pid });
    await eventually(`${member.process.name} healthy`, async () => ((await memberHealthy(member.endpoint, etcdClientTls(home))) ? true : undefined), 30_000, 250);
    // Its own store (not the leader's answer) has every revision the writers were acknowledged.
    await eventually(
      `${member.process.name} at revision ${newestAcked}`,
      async () => {
        const rev = Number((await memberStatus(member.endpoint, etcdClientTls(home)))?.header.revision ?? 0);
        return rev >= newestAcked ? rev : undefined;
      },
      30_000,
      250,
    );
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
