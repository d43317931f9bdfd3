import { expect } from 'chai';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { makeSignedCert } from '../../common/pki/certs.js';
import net from 'node:net';
import { makeTempDir, memberHealthy, type EtcdClientTls } from '../../common/proc/etcdProcess.js';
import { processesMentioning } from '../../common/proc/leftovers.js';
import { isAlive, pidRuns, stopPid } from '../../common/proc/pids.js';
import { eventually } from '../../common/testing/eventually.js';
import { launchOf, sigkill, supervisedChild } from '../../common/testing/procs.js';
import { etcdClientTlsOf, isEtcdProcess, parsePortRange, portsBelow, startClusterEtcd, type ClusterEtcd } from './etcd.js';
import { ensureClusterPki } from './pki.js';
import { supervisorStatusFile, type SupervisorStatus } from './supervise.js';

/** A gRPC client presenting `tls`'s certificate (as the API server's storage does). */
function clientWith(endpoints: string[], tls: EtcdClientTls): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    credentials: { rootCertificate: fs.readFileSync(tls.caFile), certChain: fs.readFileSync(tls.certFile), privateKey: fs.readFileSync(tls.keyFile) },
    defaultCallOptions: () => ({ deadline: Date.now() + 5_000 }),
  });
}

/** A read of every key over etcd's JSON gateway, with (or without) a client certificate and without checking etcd's: the status, or the connection's error. */
function readAll(endpoint: string, client?: { certPem: string; keyPem: string }): Promise<string> {
  return new Promise((resolve) => {
    const req = https.request(
      `${endpoint}/v3/kv/range`,
      { method: 'POST', timeout: 5_000, rejectUnauthorized: false, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      },
    );
    req.on('error', (e) => resolve(`error: ${e.message}`));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(JSON.stringify({ key: 'AA==', range_end: 'AA==' }));
  });
}

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

describe('parsePortRange (/proc/sys/net/ipv4/ip_local_port_range)', () => {
  const cases: Array<[string, { lo: number; hi: number } | undefined]> = [
    ['32768\t60999\n', { lo: 32768, hi: 60999 }],
    ['1024 65535', { lo: 1024, hi: 65535 }],
    ['60999 32768', undefined],
    ['0 100', undefined],
    ['32768 70000', undefined],
    ['32768', undefined],
    ['', undefined],
  ];
  for (const [text, want] of cases) it(JSON.stringify(text), () => expect(parsePortRange(text)).to.deep.equal(want));
});

describe('portsBelow: members listen below the ephemeral range', () => {
  /** Picks from `seq` in order (the range is checked on every pick). */
  const picker = (seq: number[]) => (lo: number, hi: number): number => {
    const p = seq.shift();
    if (p === undefined) throw new Error('picked too often');
    expect(p).to.be.within(lo, hi - 1);
    return p;
  };
  it('takes distinct free ports, a client and a peer port per member', async () => {
    const taken = new Set([20_002]);
    const got = await portsBelow(32_768, 2, async (p) => !taken.has(p), picker([20_001, 20_002, 20_001, 25_000, 30_000, 32_767]));
    expect(got).to.deep.equal([
      { clientPort: 20_001, peerPort: 25_000 },
      { clientPort: 30_000, peerPort: 32_767 },
    ]);
  });
  it('gives up (the caller falls back to any free port) when the range below is tiny or everything is taken', async () => {
    expect(await portsBelow(20_100, 3, async () => true)).to.equal(undefined);
    expect(await portsBelow(32_768, 1, async () => false)).to.equal(undefined);
  });
});

describe("gantry up's etcd (real etcd, each member under its own supervisor like `up` starts it)", function () {
  this.timeout(90_000);
  let tmp: { dir: string; remove: () => void };
  let home: string;
  let logs: string;
  const started: ClusterEtcd[] = [];
  const out: string[] = [];

  const stopAll = async (etcd: ClusterEtcd): Promise<void> => {
    for (const p of [...etcd.processes].reverse()) await stopPid(p.pid, p.marker, 30_000);
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

  it('starts one member by default, as etcd-1 under a supervisor, with its data in etcd/etcd-1 and its log in logs/etcd-1.log', async () => {
    const e = await start(undefined);
    expect(e.processes.map((p) => p.name)).to.deep.equal(['etcd-1']);
    const sup = e.processes[0]!;
    expect(sup.marker).to.equal(path.join(logs, 'etcd-1.log'));
    expect(pidRuns(sup.pid, sup.marker)).to.equal(true);
    // The recorded PID is the supervisor's; the member is its child, capped at 2 s of back-off.
    expect(launchOf(sup.pid).argv.join(' ')).to.contain('--max-backoff-ms 2000 --');
    const argv = launchOf(supervisedChild(sup.pid)).argv;
    expect(argv[argv.indexOf('--name') + 1]).to.equal('etcd-1');
    expect(argv[argv.indexOf('--data-dir') + 1]).to.equal(path.join(home, 'etcd', 'etcd-1'));
    expect(e.endpoints).to.have.length(1);
    // Below the kernel's ephemeral range: no outgoing connection can hold its port while it restarts.
    const ephemeralLo = parsePortRange(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'))!.lo;
    for (const flagName of ['--listen-client-urls', '--listen-peer-urls']) expect(Number(new URL(argv[argv.indexOf(flagName) + 1]!).port), flagName).to.be.below(ephemeralLo);
    expect(fs.existsSync(path.join(logs, 'etcd-1.log'))).to.equal(true);
    expect(etcdClientTlsOf(home)).to.deep.equal(e.apiServerClient);
    expect(out).to.deep.equal(['starting etcd']);
  });

  it('a member killed with SIGKILL is started again by its supervisor on its data; stopping the supervisor stops the member', async () => {
    const e = await start(3);
    const client = clientWith(e.endpoints, e.apiServerClient);
    try {
      await client.put('/before-kill').value('kept');
    } finally {
      client.close();
    }
    const sup = e.processes[1]!;
    const member = supervisedChild(sup.pid);
    expect(sigkill(member)).to.equal(true);
    const again = await eventually('etcd-2 started again', async () => {
      const pid = supervisedChild(sup.pid);
      return pid !== member ? pid : undefined;
    }, 20_000, 100);
    await eventually('etcd-2 healthy again', async () => ((await memberHealthy(e.endpoints[1]!, e.apiServerClient)) ? true : undefined), 20_000, 100);
    const status = JSON.parse(fs.readFileSync(supervisorStatusFile(sup.marker), 'utf8')) as SupervisorStatus;
    expect(status).to.include({ supervisorPid: sup.pid, pid: again, restarts: 1 });
    expect(status.lastExit?.code).to.equal(null);
    // Its own store, read through its own endpoint, holds what was written before the kill.
    const read = clientWith([e.endpoints[1]!], e.apiServerClient);
    try {
      expect(await read.get('/before-kill').string()).to.equal('kept');
    } finally {
      read.close();
    }
    await stopAll(e);
    for (const p of e.processes) expect(isAlive(p.pid), p.name).to.equal(false);
    expect(processesMentioning(path.join(home, 'etcd')), 'members left running').to.deep.equal([]);
  });

  it('fails fast, naming the log, when a member cannot start (its client port is taken), and leaves no supervisor behind', async () => {
    // It hangs up on whoever connects, so closing it waits for no one.
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    try {
      const port = (squatter.address() as net.AddressInfo).port;
      fs.mkdirSync(path.join(home, 'etcd'), { recursive: true });
      const spare = net.createServer();
      await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
      const peerPort = (spare.address() as net.AddressInfo).port;
      await new Promise((r) => spare.close(r));
      fs.writeFileSync(path.join(home, 'etcd', 'members.json'), JSON.stringify({ ports: [{ clientPort: port, peerPort }], tls: true }));
      const t0 = Date.now();
      await startClusterEtcd(home, logs, undefined, (l) => out.push(l)).then(
        (e) => {
          started.push(e);
          expect.fail('started a member on a taken port');
        },
        (err: Error) => expect(err.message).to.equal(`etcd etcd-1 exited while starting (code 1); see ${path.join(logs, 'etcd-1.log')}`),
      );
      // Well before the 30 s it gives members to become healthy.
      expect(Date.now() - t0).to.be.below(15_000);
      expect(fs.readFileSync(path.join(logs, 'etcd-1.log'), 'utf8')).to.contain('address already in use');
      expect(processesMentioning(path.join(logs, 'etcd-1.log')), 'supervisors left').to.deep.equal([]);
      expect(processesMentioning(path.join(home, 'etcd')), 'members left').to.deep.equal([]);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('starts three members and, started again on their data, reuses their ports and keeps what was written', async () => {
    const first = await start(3);
    expect(first.processes.map((p) => p.name)).to.deep.equal(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(new Set(first.endpoints).size).to.equal(3);
    const client = clientWith(first.endpoints, first.apiServerClient);
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
    const client2 = clientWith(again.endpoints, again.apiServerClient);
    try {
      expect(await client2.get('/kept').string()).to.equal('yes');
    } finally {
      client2.close();
    }
  });

  it('serves only TLS and takes only the API server\'s client certificate: not plain HTTP, none, nor a node\'s signed by the cluster CA', async () => {
    const e = await start(undefined);
    const endpoint = e.endpoints[0]!;
    expect(endpoint).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const pki = path.join(home, 'pki');
    expect(e.apiServerClient).to.deep.equal({ caFile: path.join(pki, 'etcd', 'ca.crt'), certFile: path.join(pki, 'apiserver-etcd-client.crt'), keyFile: path.join(pki, 'apiserver-etcd-client.key') });
    for (const key of ['etcd/ca.key', 'etcd/server.key', 'etcd/peer.key', 'apiserver-etcd-client.key']) expect(fs.statSync(path.join(pki, key)).mode & 0o777, key).to.equal(0o600);
    const server = new X509Certificate(fs.readFileSync(path.join(pki, 'etcd', 'server.crt')));
    expect(server.subjectAltName).to.contain('IP Address:127.0.0.1');
    expect(server.checkIssued(new X509Certificate(fs.readFileSync(e.apiServerClient.caFile)))).to.equal(true);

    const w = clientWith(e.endpoints, e.apiServerClient);
    try {
      await w.put('/registry/secrets/default/token').value('s3cr3t-value');
    } finally {
      w.close();
    }
    const secret = Buffer.from('s3cr3t-value').toString('base64');
    const apiServer = { certPem: fs.readFileSync(e.apiServerClient.certFile, 'utf8'), keyPem: fs.readFileSync(e.apiServerClient.keyFile, 'utf8') };
    expect(await readAll(endpoint, apiServer)).to.match(/^200 /).and.contain(secret);

    // The cluster CA (a separate one) signs nodes' certificates: such a certificate is refused.
    const clusterPki = ensureClusterPki(pki);
    expect(fs.readFileSync(clusterPki.caFile, 'utf8')).to.not.equal(fs.readFileSync(e.apiServerClient.caFile, 'utf8'));
    const node = makeSignedCert(clusterPki.ca, { commonName: 'system:node:host-1', dnsNames: [], ips: [], usage: 'client' });
    const refused = {
      'plain HTTP': await fetch(`${endpoint.replace('https:', 'http:')}/v3/kv/range`, { method: 'POST', body: '{"key":"AA==","range_end":"AA=="}', signal: AbortSignal.timeout(5_000) }).then(
        async (r) => `${r.status} ${await r.text()}`,
        (err: Error) => `error: ${err.message}`,
      ),
      'no client certificate': await readAll(endpoint),
      "a node's certificate": await readAll(endpoint, node),
      "the API server's serving certificate (cluster CA)": await readAll(endpoint, { certPem: fs.readFileSync(clusterPki.apiServer.cert, 'utf8'), keyPem: fs.readFileSync(clusterPki.apiServer.key, 'utf8') }),
    };
    for (const [what, answer] of Object.entries(refused)) {
      expect(answer, what).to.not.contain(secret);
      expect(answer, what).to.match(/^error: |^400 /);
    }
    expect(await memberHealthy(endpoint, e.apiServerClient)).to.equal(true);
  });

  it('keeps its CA and certificates across a restart, and makes the certificates again with a new CA', async () => {
    const first = await start(undefined);
    const pki = path.join(home, 'pki');
    const before = fs.readFileSync(first.apiServerClient.certFile, 'utf8');
    await stopAll(first);
    const again = await start(undefined);
    expect(fs.readFileSync(again.apiServerClient.certFile, 'utf8')).to.equal(before);
    expect(await memberHealthy(again.endpoints[0]!, again.apiServerClient)).to.equal(true);
    await stopAll(again);
    fs.rmSync(path.join(pki, 'etcd', 'ca.crt'));
    const third = await start(undefined);
    expect(fs.readFileSync(third.apiServerClient.certFile, 'utf8')).to.not.equal(before);
    expect(await memberHealthy(third.endpoints[0]!, third.apiServerClient)).to.equal(true);
  });

  it('refuses a three-member etcd whose data is from a plain-HTTP gantry', async () => {
    const first = await start(3);
    await stopAll(first);
    const file = path.join(home, 'etcd', 'members.json');
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as { ports: unknown[]; tls?: boolean };
    expect(recorded.tls).to.equal(true);
    delete recorded.tls;
    fs.writeFileSync(file, JSON.stringify(recorded));
    await startClusterEtcd(home, logs, undefined, (l) => out.push(l)).then(
      (e) => {
        started.push(e);
        expect.fail('started members that would dial each other over plain HTTP');
      },
      (err: Error) => expect(err.message).to.match(/talk plain HTTP \(an older gantry\); run `gantry down`/),
    );
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
