// `gantry events` against a real etcd and API server, compared with the real kubectl 1.32's
// `events` on the same events: a namespace, -A, --for TYPE/NAME, --types, and --watch
// printing an event created while it watches.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { kubectlBinary, runKubectl } from '../../common/testing/kubectl.js';
import { runGantry, type GantryResult } from './testing.js';

const ago = (ms: number): string => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
const min = 60_000;

describe('gantry events (etcd + API server processes, compared with kubectl events)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const post = async (p: string, body: object): Promise<void> => {
    const r = await c.client.request('POST', p, { body });
    expect(r.status, `POST ${p}: ${r.text}`).to.equal(201);
  };
  const event = (ns: string, name: string, involved: object, type: string, reason: string, message: string, count: number, first: number, last: number): Promise<void> =>
    post(`/api/v1/namespaces/${ns}/events`, { metadata: { name }, involvedObject: { namespace: ns, ...involved }, reason, message, type, source: { component: 'kubelet' }, count, firstTimestamp: ago(first), lastTimestamp: ago(last) });

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-events-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig };
    for (const ns of ['shop', 'quiet']) await post('/api/v1/namespaces', { metadata: { name: ns } });
    const pod = { kind: 'Pod', name: 'web-1', apiVersion: 'v1' };
    await event('shop', 'e1', pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine', 3, 20 * 60 * min + 30_000, 4 * 60 * min + 10 * min + 30_000);
    await event('shop', 'e2', pod, 'Warning', 'BackOff', '  Back-off restarting failed container  ', 1, 45 * min + 30_000, 45 * min + 30_000);
    await event('shop', 'e3', { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set web-abc to 2', 1, 5 * 60 * min + 30_000, 5 * 60 * min + 30_000);
    await event('default', 'e4', { kind: 'Node', name: 'n1', apiVersion: 'v1' }, 'Warning', 'NodeNotReady', 'Node n1 status is now: NodeNotReady', 1, 40 * min + 5000, 40 * min + 5000);
  });
  after(async () => {
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const gantry = (args: string[]): Promise<GantryResult> => runGantry(args, { env });
  const kubectl = (args: string[]): Promise<GantryResult> => runKubectl(c.kubeconfig, path.join(dir, 'kubectl-cache'), args, { binary: kubectlBinary(32) }).done;

  const sameCases: { name: string; args: string[]; has: string }[] = [
    { name: 'a namespace, oldest first, repeated events with their count', args: ['events', '-n', 'shop'], has: 'Pulled' },
    { name: 'every namespace', args: ['events', '-A'], has: 'NodeNotReady' },
    { name: 'one object (--for)', args: ['events', '-n', 'shop', '--for', 'pod/web-1'], has: 'BackOff' },
    { name: 'one object by a short name', args: ['events', '-n', 'shop', '--for', 'deploy/web'], has: 'Deployment/web' },
    { name: 'only warnings', args: ['events', '-A', '--types', 'Warning'], has: 'BackOff' },
    { name: 'no headers', args: ['events', '-n', 'shop', '--no-headers'], has: 'Back-off restarting failed container\n' },
    { name: 'none in a namespace', args: ['events', '-n', 'quiet'], has: '' },
    { name: 'none of a type', args: ['events', '-n', 'quiet', '--types', 'normal'], has: '' },
  ];
  for (const tc of sameCases) {
    it(`prints what kubectl prints: ${tc.name}`, async () => {
      let g: GantryResult | undefined;
      let k: GantryResult | undefined;
      // LAST SEEN may tick between the two runs: run again until they agree.
      for (let i = 0; i < 4; i++) {
        [g, k] = await Promise.all([gantry(tc.args), kubectl(tc.args)]);
        if (g.stdout === k.stdout) break;
      }
      expect(k!.code, k!.stderr).to.equal(0);
      expect(g!).to.deep.equal(k!);
      expect(g!.stdout).to.include(tc.has);
    });
  }

  // Times half a minute past whole minutes and in hours, so the columns cannot tick during the test.
  it('the rows read as expected', async () => {
    const g = await gantry(['events', '-n', 'shop']);
    expect(g.stdout.split('\n')).to.deep.equal([
      'LAST SEEN             TYPE      REASON              OBJECT           MESSAGE',
      '5h                    Normal    ScalingReplicaSet   Deployment/web   Scaled up replica set web-abc to 2',
      '4h10m (x3 over 20h)   Normal    Pulled              Pod/web-1        Container image "busybox" already present on machine',
      '45m                   Warning   BackOff             Pod/web-1        Back-off restarting failed container',
      '',
    ]);
  });

  it('--watch prints the list, then new events as they come', async () => {
    const watching = gantry(['events', '-n', 'shop', '--for', 'pod/web-2', '--watch', '--request-timeout', '3s']);
    await new Promise((r) => setTimeout(r, 1000));
    await event('shop', 'e5', { kind: 'Pod', name: 'web-2', apiVersion: 'v1' }, 'Warning', 'Unhealthy', 'Readiness probe failed', 1, 0, 0);
    await event('shop', 'e6', { kind: 'Pod', name: 'web-1', apiVersion: 'v1' }, 'Warning', 'Unhealthy', 'not this pod', 1, 0, 0);
    const g = await watching;
    expect(g).to.deep.equal({ code: 0, stdout: 'LAST SEEN   TYPE      REASON      OBJECT      MESSAGE\n0s          Warning   Unhealthy   Pod/web-2   Readiness probe failed\n', stderr: '' });
  });

  it('reports wrong usage and unknown kinds', async () => {
    const cases: { args: string[]; want: GantryResult }[] = [
      { args: ['events', '--types', 'Error'], want: { code: 2, stdout: '', stderr: 'error: --types: valid event types are Normal and Warning, not "Error"\n' } },
      { args: ['events', '--for', 'web'], want: { code: 2, stdout: '', stderr: 'error: --for: expected TYPE/NAME (e.g. pod/web-1 or deploy/web), got "web"\n' } },
      { args: ['events', '--for', 'frobs/x'], want: { code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "frobs"\n' } },
    ];
    for (const tc of cases) expect(await gantry(tc.args), tc.args.join(' ')).to.deep.equal(tc.want);
  });
});
