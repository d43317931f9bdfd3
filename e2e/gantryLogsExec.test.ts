// `gantry logs` and `gantry exec` against ONE `gantry up` cluster: real containers, the node
// agent's log files and its exec server, through the API server, compared with the real
// kubectl where both print the same.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { componentCommand } from '../common/proc/components.js';
import { eventually } from '../common/testing/eventually.js';
import type { Kubectl } from '../common/testing/kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const pod = (name: string, containers: { name: string; command: string[] }[], extra: { labels?: Record<string, string>; restartPolicy?: string } = {}): object => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: extra.labels ?? { app: name } },
  spec: { restartPolicy: extra.restartPolicy ?? 'Never', terminationGracePeriodSeconds: 1, containers: containers.map((c) => ({ ...c, image: 'busybox' })) },
});

describe('e2e: gantry logs and exec on a gantry up cluster', function () {
  this.timeout(180_000);
  let cluster: TestCluster | undefined;
  let k: Kubectl;
  const cli = componentCommand('cli/main');

  /** The built gantry as a user runs it, with this cluster's kubeconfig; `input` goes to its standard input. */
  function gantry(args: string[], input?: string): Promise<Run> {
    return new Promise((resolve, reject) => {
      // Flags before `--`: what follows it is the command exec runs.
      const child = spawn(cli.command, [...cli.args, args[0]!, '--kubeconfig', cluster!.kubeconfig, ...args.slice(1)], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input ?? '');
    });
  }

  /** `command` inside a pseudo-terminal (script(1)) of a known size. */
  function inTerminal(command: string): Promise<{ code: number; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', `stty cols 101 rows 33; ${command}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, out });
      });
      child.stdin.end();
    });
  }

  before(async function () {
    this.timeout(400_000);
    cluster = await upForTests('gantry-e2e-logs-exec');
    k = cluster.kubectl(32);
    const objects = [
      pod('talker', [{ name: 'c', command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo "line $i"; done; sleep 3600'] }]),
      pod('ticker', [{ name: 'c', command: ['sh', '-c', 'sleep 2; for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.3; done'] }]),
      pod('duo', [
        { name: 'a', command: ['sh', '-c', 'echo "from a"; sleep 3600'] },
        { name: 'b', command: ['sh', '-c', 'echo "from b"; sleep 3600'] },
      ]),
      pod('crasher', [{ name: 'c', command: ['sh', '-c', 'echo "run at $(date +%s)"; sleep 1; exit 3'] }], { restartPolicy: 'Always' }),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo "hello from $(hostname)"; sleep 3600'] }] } } },
      },
    ];
    for (const o of objects) {
      const r = await k(['create', '-f', '-'], { input: JSON.stringify(o) });
      expect(r.code, r.stderr).to.equal(0);
    }
    const client = cluster.client();
    await eventually(
      'every pod running',
      async () => {
        const list = (await client.get('/api/v1/namespaces/default/pods')).body as { items: { metadata: { name: string }; status?: { phase?: string } }[] };
        const running = list.items.filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Succeeded');
        return running.length >= 6 ? true : undefined;
      },
      240_000,
      500,
    );
  });
  after(async function () {
    this.timeout(120_000);
    await cluster?.down();
  });

  it('logs of a pod, --tail, --timestamps, as kubectl prints them', async () => {
    await eventually('talker logged', async () => ((await gantry(['logs', 'talker'])).stdout.includes('line 5') ? true : undefined), 30_000, 300);
    for (const args of [['logs', 'talker'], ['logs', 'talker', '--tail=2'], ['logs', 'pod/talker', '-c', 'c']]) {
      const [g, kk] = await Promise.all([gantry(args), k(args)]);
      expect(g.code, g.stderr).to.equal(0);
      expect(g.stdout, args.join(' ')).to.equal(kk.stdout);
    }
    expect((await gantry(['logs', 'talker', '--tail=2'])).stdout).to.equal('line 4\nline 5\n');
    const stamped = (await gantry(['logs', 'talker', '--timestamps', '--tail=1'])).stdout;
    expect(stamped).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line 5\n$/);
  });

  it('logs -f follows until the container ends', async () => {
    const r = await gantry(['logs', '-f', 'ticker']);
    expect(r).to.deep.equal({ code: 0, stdout: [1, 2, 3, 4, 5, 6].map((i) => `tick ${i}\n`).join(''), stderr: '' });
  });

  it('logs of several containers and pods: defaulted container, --all-containers and -l prefixed by pod and container, deploy/NAME', async () => {
    await eventually('duo logged', async () => ((await gantry(['logs', 'duo', '-c', 'b'])).stdout === 'from b\n' ? true : undefined), 30_000, 300);
    expect(await gantry(['logs', 'duo'])).to.deep.equal({ code: 0, stdout: 'from a\n', stderr: 'Defaulted container "a" out of: a, b\n' });
    expect((await gantry(['logs', 'duo', '--all-containers'])).stdout).to.equal('[pod/duo/a] from a\n[pod/duo/b] from b\n');
    const webPods = (((await cluster!.client().get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name)).sort();
    expect(webPods).to.have.length(2);
    await eventually('web logged', async () => ((await gantry(['logs', '-l', 'app=web'])).stdout.split('\n').length === 3 ? true : undefined), 30_000, 300);
    const byLabel = await gantry(['logs', '-l', 'app=web']);
    expect(byLabel.stdout.split('\n').filter(Boolean).sort()).to.deep.equal(webPods.map((p) => `[pod/${p}/c] hello from ${p}`));
    const followed = await gantry(['logs', '-l', 'app=web', '-f', '--max-log-requests=1']);
    expect(followed).to.deep.equal({ code: 1, stdout: '', stderr: 'error: you are attempting to follow 2 log streams, but maximum allowed concurrency is 1, use --max-log-requests to increase the limit\n' });
    const deploy = await gantry(['logs', 'deploy/web']);
    expect(deploy.code).to.equal(0);
    expect(deploy.stderr).to.match(/^Found 2 pods, using pod\/web-/);
    const chosen = /using pod\/(\S+)/.exec(deploy.stderr)![1]!;
    expect(deploy.stdout).to.equal(`hello from ${chosen}\n`);
  });

  it('logs --previous shows the crashed instance; errors are the server\'s', async () => {
    const restarted = await eventually(
      'crasher restarted',
      async () => {
        const p = (await cluster!.client().get('/api/v1/namespaces/default/pods/crasher')).body as { status?: { containerStatuses?: { restartCount: number }[] } };
        return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? true : undefined;
      },
      90_000,
      500,
    );
    expect(restarted).to.equal(true);
    const [g, kk] = await Promise.all([gantry(['logs', 'crasher', '--previous']), k(['logs', 'crasher', '--previous'])]);
    expect(g.code, g.stderr).to.equal(0);
    expect(g.stdout).to.match(/^run at \d+\n$/);
    expect(g.stdout).to.equal(kk.stdout);
    const missing = await gantry(['logs', 'talker', '-c', 'nope']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^Error from server \(BadRequest\): .*nope/);
    expect((await gantry(['logs', 'ghost'])).stderr).to.equal('Error from server (NotFound): pods "ghost" not found\n');
  });

  it('exec: output, stderr and the exit code; -i passes standard input', async () => {
    const r = await gantry(['exec', 'talker', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).to.deep.equal({ code: 3, stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 3\n' });
    expect(await gantry(['exec', '-i', 'talker', '--', 'sh', '-c', 'tr a-z A-Z'], 'piped in\nsecond line\n')).to.deep.equal({ code: 0, stdout: 'PIPED IN\nSECOND LINE\n', stderr: '' });
    expect(await gantry(['exec', 'duo', '-c', 'b', '--', 'echo', 'in b'])).to.deep.equal({ code: 0, stdout: 'in b\n', stderr: '' });
    expect(await gantry(['exec', 'deploy/web', '-q', '--', 'true'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    const bad = await gantry(['exec', 'talker', '--', '/no/such/command']);
    expect(bad.code).to.not.equal(0);
    expect((await gantry(['exec', 'talker'])).code).to.equal(2);
  });

  it('exec -it: a terminal of the caller\'s size, and the exit code through it', async () => {
    const r = await inTerminal(`${[cli.command, ...cli.args].join(' ')} exec -it talker --kubeconfig ${cluster!.kubeconfig} -- sh -c 'tty; stty size; exit 4'`);
    expect(r.out).to.match(/\/dev\/pts\/\d+/);
    expect(r.out).to.match(/33 101/);
    expect(r.code, r.out).to.equal(4);
  });
});
