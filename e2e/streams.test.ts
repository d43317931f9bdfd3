// The stream protocols users rely on, driven by the real kubectl of several versions against
// ONE `gantry up`: exec (SPDY only in 1.27-1.29, websockets first from 1.30), cp (tar over
// exec, both ways), port-forward (SPDY, wrapped in a websocket from 1.31) and attach /
// run -i --rm, through the API server to the node agent and the real runtime.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from '../common/proc/ports.js';
import { eventually } from '../common/testing/eventually.js';
import type { Kubectl } from '../common/testing/kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';

const versions = [27, 30, 32, 33];

function pod(name: string, image: string, command: string[] | undefined, opts: { stdin?: boolean } = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image, ...(command ? { command } : {}), ...(opts.stdin ? { stdin: true } : {}) }] },
  });
}

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** `kubectl port-forward` running in the background until stopped. */
function startPortForward(kubectl: Kubectl, kubeconfig: string, args: string[]): { output: () => string; stop: () => Promise<void> } {
  const child = spawn(kubectl.binary, ['--kubeconfig', kubeconfig, '--cache-dir', kubectl.cacheDir, 'port-forward', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECTL_KUBERC: 'false' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
    },
  };
}

describe('e2e: exec, cp, port-forward and attach with kubectl 1.27, 1.30, 1.32 and 1.33', function () {
  this.timeout(240_000);
  let cluster: TestCluster | undefined;
  let kubeconfig: string;
  const kubectls = new Map<number, Kubectl>();
  let k: Kubectl;

  before(async function () {
    this.timeout(300_000);
    // Two API server processes: each upgrade (SPDY, websocket) is proxied by the worker its connection reached.
    cluster = await upForTests('gantry-e2e-streams', { apiServerWorkers: 2 });
    kubeconfig = cluster.kubeconfig;
    for (const v of versions) kubectls.set(v, cluster.kubectl(v));
    k = kubectls.get(32)!;
    const manifests = [
      pod('shell', 'busybox', ['sleep', '3600']),
      pod('web', 'gantry/web:v1', undefined),
      ...versions.map((v) => pod(`att-${v}`, 'busybox', ['sh', '-c', 'read line; echo "got:$line"; sleep 2'], { stdin: true })),
    ];
    for (const m of manifests) {
      const c = await k(['create', '-f', '-'], { input: m });
      expect(c.code, c.stderr).to.equal(0);
    }
    for (const name of ['shell', 'web', ...versions.map((v) => `att-${v}`)]) {
      await eventually(
        `pod ${name} running`,
        async () => {
          const g = await k(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
          return g.stdout === 'Running' ? true : undefined;
        },
        120_000,
        500,
      );
    }
  });

  after(async () => {
    await cluster?.down();
  });

  /** Runs `check` for every version at once; reports each version's failure by name. */
  async function eachVersion(check: (v: number, kubectl: Kubectl) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(versions.map((v) => check(v, kubectls.get(v)!)));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`kubectl 1.${versions[i]!}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
    expect(failures, failures.join('\n')).to.deep.equal([]);
  }

  it('exec: stdout and stderr, stdin with -i, and the command\'s exit code', async () => {
    await eachVersion(async (v, kubectl) => {
      let r = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo $((6 * 7)); echo oops >&2']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('42\n');
      expect(r.stderr).to.contain('oops');
      const input = `through stdin ${v}\n`.repeat(2000);
      r = await kubectl(['exec', '-i', 'shell', '--', 'cat'], { input });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout === input, `stdin came back (${r.stdout.length} of ${input.length} bytes)`).to.equal(true);
      r = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
      expect(r.code, r.stderr).to.equal(3);
    });
  });

  /** Runs a kubectl command line under `script`, which gives it the terminal -t needs; answers `reply.send` once output matches `reply.when`. */
  function inTerminal(command: string, reply?: { when: RegExp; send: string }): Promise<{ code: number; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KUBECTL_KUBERC: 'false' } });
      let out = '';
      let replied = false;
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (reply && !replied && reply.when.test(out)) {
          replied = true;
          child.stdin.write(reply.send);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, out });
      });
      if (!reply) child.stdin.end();
    });
  }

  const base = (v: number): string => `${kubectls.get(v)!.binary} --kubeconfig ${kubeconfig} --cache-dir ${kubectls.get(v)!.cacheDir}`;

  it('exec -it: a terminal in the container, and the exit code through it', async () => {
    await eachVersion(async (v) => {
      const r = await inTerminal(`${base(v)} exec -it shell -- sh -c 'tty; exit 4'`);
      expect(r.out).to.match(/\/dev\/pts\/\d+/);
      expect(r.code, r.out).to.equal(4);
    });
  });

  it('run -it --rm: a terminal attached to a new pod, its exit code, then the pod is deleted', async () => {
    await eachVersion(async (v, kubectl) => {
      const r = await inTerminal(`${base(v)} run term-${v} --image=busybox --restart=Never -it --rm -- sh -c 'read x; echo "typed:$x"; tty; exit 6'`, {
        when: /If you don't see a command prompt/,
        send: `keys ${v}\r`,
      });
      expect(r.out).to.contain(`typed:keys ${v}`);
      expect(r.out).to.match(/\/dev\/pts\/\d+/);
      expect(r.code, r.out).to.equal(6);
      await eventually(`pod term-${v} deleted`, async () => ((await kubectl(['get', 'pod', `term-${v}`])).code !== 0 ? true : undefined), 60_000, 500);
    });
  });

  it('cp: a file into the pod and back out (tar over exec)', async () => {
    await eachVersion(async (v, kubectl) => {
      // Megabytes, so both directions run into the streams' backpressure.
      const content = randomBytes(3 * 1024 * 1024).toString('base64');
      const local = path.join(cluster!.tmp.dir, `up-${v}.txt`);
      fs.writeFileSync(local, content);
      let r = await kubectl(['cp', local, `shell:/tmp/copied-${v}.txt`]);
      expect(r.code, r.stderr).to.equal(0);
      r = await kubectl(['exec', 'shell', '--', 'sha256sum', `/tmp/copied-${v}.txt`]);
      expect(r.code, r.stderr).to.equal(0);
      const { createHash } = await import('node:crypto');
      expect(r.stdout.split(' ')[0]).to.equal(createHash('sha256').update(content).digest('hex'));
      const back = path.join(cluster!.tmp.dir, `down-${v}.txt`);
      r = await kubectl(['cp', `shell:/tmp/copied-${v}.txt`, back]);
      expect(r.code, r.stderr).to.equal(0);
      expect(fs.readFileSync(back, 'utf8') === content, 'the copy back equals the original').to.equal(true);
    });
  });

  it('port-forward: HTTP through the forwarded port, many connections at once; a closed port is reported', async () => {
    // Distinct local ports for every version, chosen before any kubectl starts binding them.
    const ports = new Set<number>();
    while (ports.size < 2 * versions.length) ports.add(await freePort());
    const free = [...ports];
    await eachVersion(async (v) => {
      const i = versions.indexOf(v);
      const port = free[2 * i]!;
      const closedPort = free[2 * i + 1]!;
      // -v=7 shows which transport the dialer used (1.31+ tunnel SPDY through a websocket).
      const pf = startPortForward(kubectls.get(v)!, kubeconfig, ['-v=7', '--address', '127.0.0.1', 'pod/web', `${port}:8080`, `${closedPort}:9`]);
      try {
        await eventually(
          `kubectl 1.${v} port-forward to listen`,
          async () => (pf.output().includes(`Forwarding from 127.0.0.1:${port} `) && pf.output().includes(`Forwarding from 127.0.0.1:${closedPort} `) ? true : undefined),
          30_000,
        );
        if (v >= 31) {
          expect(pf.output(), 'the websocket tunnel was used, without falling back to SPDY').to.contain('negotiated protocol: portforward.k8s.io');
          expect(pf.output()).not.to.contain('fallback to secondary dialer');
        }
        const answers = await Promise.all(Array.from({ length: 8 }, () => httpGet(port)));
        for (const a of answers) {
          expect(a.status).to.equal(200);
          expect(a.body).to.equal('gantry web v1\n');
        }
        // Nothing listens on port 9 in the pod: the request fails and kubectl prints the
        // agent's reason from the error stream (then, from 1.29 on, gives up the forward).
        await httpGet(closedPort).then(
          () => expect.fail('a GET through a forward to a closed port answered'),
          () => undefined,
        );
        await eventually(
          `kubectl 1.${v} to print the forwarding error`,
          async () => (/an error occurred forwarding \d+ -> 9: error forwarding port 9 to pod default\/web, uid [0-9a-f-]+: failed to connect to localhost:9/.test(pf.output()) ? true : undefined),
          10_000,
        );
      } finally {
        await pf.stop();
      }
    });
  });

  it('attach -i: input reaches the container\'s stdin and its output comes back', async () => {
    await eachVersion(async (v, kubectl) => {
      const r = await kubectl(['attach', '-i', `att-${v}`], { input: `hello ${v}\n`, timeoutMs: 60_000 });
      expect(r.stdout, r.stderr).to.contain(`got:hello ${v}`);
    });
  });

  it('run -i --rm: runs, attaches, prints, and deletes the pod', async () => {
    await eachVersion(async (v, kubectl) => {
      const r = await kubectl(['run', `run-${v}`, '--image=busybox', '--restart=Never', '-i', '--rm', '--', 'sh', '-c', 'read x; echo "ran:$x"'], { input: `from ${v}\n`, timeoutMs: 120_000 });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`ran:from ${v}`);
      await eventually(`pod run-${v} deleted`, async () => ((await kubectl(['get', 'pod', `run-${v}`])).code !== 0 ? true : undefined), 60_000, 500);
    });
  });
});
