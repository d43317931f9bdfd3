// What users see from `kubectl get pods` when the API server serves Tables from its row
// cache: real kubectl 1.27 and 1.33 against a real API server and etcd. Each `get` is asked
// twice, so the second answer comes from cached rows; a status change (a new revision) must
// show at once, and the time cells must keep moving.

import { expect } from 'chai';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { kubectl, kubectlBinary, showRun, type KubectlResult } from '../../common/testing/kubectl.js';

const ns = 'tables';
const HOUR = 3_600_000;

/** kubectl's table output as rows of cells (its columns are padded with at least 3 spaces). */
function parse(out: string): string[][] {
  return out
    .trimEnd()
    .split('\n')
    .map((l) => l.trimEnd().split(/\s{2,}/));
}

/** The rows with the AGE column (index `age`) checked to be a young age and blanked. */
function withoutAge(rows: string[][], age: number): string[][] {
  return rows.map((r, i) => {
    if (i > 0) expect(r[age], `AGE of ${r.join(' | ')}`).to.match(/^(\d+s|\dm\d*s?)$/);
    return r.map((c, j) => (i > 0 && j === age ? '<age>' : c));
  });
}

interface PodSpecInput {
  name: string;
  image: string;
  labels: Record<string, string>;
  node?: string;
  status?: Record<string, unknown>;
}

describe('kubectl get pods served from cached Table rows (real kubectl 1.27 and 1.33)', function () {
  this.timeout(180_000);
  let c: ProcessCluster;
  const tenHoursAgo = (): string => new Date(Date.now() - 10 * HOUR - 30_000).toISOString();

  const pods = (): PodSpecInput[] => [
    {
      name: 'a-running',
      image: 'registry.local/zeta:1',
      labels: { app: 'a' },
      node: 'n1',
      status: { phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], containerStatuses: [{ name: 'c', image: 'zeta:1', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }] },
    },
    {
      name: 'b-crash',
      image: 'registry.local/alpha:1',
      labels: { app: 'b', tier: 'x' },
      node: 'n2',
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'c', image: 'alpha:1', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: tenHoursAgo() } } }],
      },
    },
    {
      name: 'c-done',
      image: 'registry.local/mid:1',
      labels: { app: 'c' },
      node: 'n1',
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', image: 'mid:1', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    },
    { name: 'd-pending', image: 'registry.local/beta:1', labels: { app: 'd' } },
  ];

  before(async () => {
    c = await startProcessCluster();
    const created = await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    expect(created.status).to.equal(201);
    for (const p of pods()) {
      const spec: Record<string, unknown> = { containers: [{ name: 'c', image: p.image }] };
      if (p.node) spec['nodeName'] = p.node;
      const r = await c.client.request('POST', `/api/v1/namespaces/${ns}/pods`, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, labels: p.labels }, spec } });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      if (p.status) {
        const s = await c.client.request('PATCH', `/api/v1/namespaces/${ns}/pods/${p.name}/status`, { body: { status: p.status }, contentType: 'application/merge-patch+json' });
        expect(s.status, JSON.stringify(s.body)).to.equal(200);
      }
    }
  });
  after(async () => {
    await c?.close();
  });

  for (const minor of [27, 33]) {
    describe(`kubectl 1.${minor}`, () => {
      const k = (args: string[]): Promise<KubectlResult> => kubectl(c.kubeconfig, path.join(c.dir, `cache-${minor}`), args, { binary: kubectlBinary(minor) });
      const ok = async (args: string[]): Promise<string> => {
        const r = await k(args);
        expect(r.code, showRun(r)).to.equal(0);
        return r.stdout;
      };

      const views: { name: string; args: string[]; age: number; want: string[][] }[] = [
        {
          name: 'get pods',
          args: ['get', 'pods', '-n', ns],
          age: 4,
          want: [
            ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
            ['a-running', '1/1', 'Running', '0', '<age>'],
            ['b-crash', '0/1', 'CrashLoopBackOff', '3 (10h ago)', '<age>'],
            ['c-done', '0/1', 'Completed', '0', '<age>'],
            ['d-pending', '0/1', 'Pending', '0', '<age>'],
          ],
        },
        {
          name: 'get pods -o wide',
          args: ['get', 'pods', '-n', ns, '-o', 'wide'],
          age: 4,
          want: [
            ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
            ['a-running', '1/1', 'Running', '0', '<age>', '10.1.0.5', 'n1', '<none>', '<none>'],
            ['b-crash', '0/1', 'CrashLoopBackOff', '3 (10h ago)', '<age>', '<none>', 'n2', '<none>', '<none>'],
            ['c-done', '0/1', 'Completed', '0', '<age>', '<none>', 'n1', '<none>', '<none>'],
            ['d-pending', '0/1', 'Pending', '0', '<age>', '<none>', '<none>', '<none>', '<none>'],
          ],
        },
        {
          // includeObject=Object: kubectl sorts on the whole objects the rows carry.
          name: 'get pods --sort-by on a field outside metadata',
          args: ['get', 'pods', '-n', ns, '--sort-by=.spec.containers[0].image'],
          age: 4,
          want: [
            ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
            ['b-crash', '0/1', 'CrashLoopBackOff', '3 (10h ago)', '<age>'],
            ['d-pending', '0/1', 'Pending', '0', '<age>'],
            ['c-done', '0/1', 'Completed', '0', '<age>'],
            ['a-running', '1/1', 'Running', '0', '<age>'],
          ],
        },
        {
          // NAMESPACE and LABELS come from each row's PartialObjectMetadata (the label selector leaves out the other tests' pods).
          name: 'get pods -A --show-labels',
          args: ['get', 'pods', '-A', '--show-labels', '-l', 'app'],
          age: 5,
          want: [
            ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'LABELS'],
            [ns, 'a-running', '1/1', 'Running', '0', '<age>', 'app=a'],
            [ns, 'b-crash', '0/1', 'CrashLoopBackOff', '3 (10h ago)', '<age>', 'app=b,tier=x'],
            [ns, 'c-done', '0/1', 'Completed', '0', '<age>', 'app=c'],
            [ns, 'd-pending', '0/1', 'Pending', '0', '<age>', 'app=d'],
          ],
        },
      ];
      for (const v of views) {
        it(`${v.name}, twice (the second from cached rows)`, async () => {
          for (let i = 0; i < 2; i++) expect(withoutAge(parse(await ok(v.args)), v.age), `answer ${i + 1}`).to.deep.equal(v.want);
        });
      }

      it('shows a status change at once (a new revision is a new row) and ages keep moving', async () => {
        // A namespace of its own: the views above list every pod.
        const own = `changes-${minor}`;
        const made = await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: own } } });
        expect(made.status).to.equal(201);
        const name = 'e';
        const r = await c.client.request<KubeObject>('POST', `/api/v1/namespaces/${own}/pods`, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
        expect(r.status).to.equal(201);
        const row = async (): Promise<string[]> => parse(await ok(['get', 'pod', name, '-n', own]))[1]!;
        const before = await row();
        expect(before.slice(0, 4)).to.deep.equal([name, '0/1', 'Pending', '0']);
        const finishedAt = tenHoursAgo();
        const s = await c.client.request('PATCH', `/api/v1/namespaces/${own}/pods/${name}/status`, {
          body: { status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt } } }] } },
          contentType: 'application/merge-patch+json',
        });
        expect(s.status).to.equal(200);
        // The list (from the watch cache) must carry the new revision's row at once.
        await new Promise((res) => setTimeout(res, 2_100));
        const list = parse(await ok(['get', 'pods', '-n', own]));
        expect(list[1]!.slice(0, 4)).to.deep.equal([name, '0/1', 'CrashLoopBackOff', '2 (10h ago)']);
        const seconds = (age: string | undefined): number => Number(/^(\d+)s$/.exec(age ?? '')?.[1] ?? NaN);
        expect(seconds(list[1]![4]), `AGE ${before[4]} then ${list[1]![4]}`).to.be.at.least(seconds(before[4]) + 2);
      });
    });
  }
});
