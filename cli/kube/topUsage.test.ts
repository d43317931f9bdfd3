// `gantry top` against a server without the metrics API (a stand-in HTTPS server whose
// discovery lacks metrics.k8s.io and which lists a node and a pod): requests and limits still
// show, usage is <unknown> with one line on stderr saying why, and the metrics API is never
// asked. The real API server's answers are tested in whyTop.test.ts and e2e/top.test.ts.

import { expect } from 'chai';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { runGantry } from './testing.js';

const nodeList = { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'n1' }, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } } }] };
const podList = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '1' },
  items: [{ metadata: { name: 'web', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'app', resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '512Mi' } } }] }, status: { phase: 'Running' } }],
};
const noMetricsApi = 'usage unknown: the server does not serve the metrics API (metrics.k8s.io/v1beta1); showing requests and limits only\n';

describe('gantry top against a server without the metrics API', () => {
  let server: https.Server;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const asked: string[] = [];
  before(async () => {
    const ca = makeCA('top-test');
    const serving = makeSignedCert(ca, { commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    server = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      asked.push(`${req.method} ${req.url}`);
      const p = new URL(req.url ?? '/', 'https://x').pathname;
      const body =
        p === '/apis'
          ? { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] }] }
          : p === '/api/v1/nodes'
            ? nodeList
            : p === '/api/v1/pods' || p === '/api/v1/namespaces/default/pods'
              ? podList
              : p === '/api/v1/namespaces/default/pods/web'
                ? podList.items[0]
                : undefined;
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' }).end(JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not here' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-top-'));
    fs.writeFileSync(path.join(dir, 'kubeconfig'), renderKubeconfig({ server: `https://127.0.0.1:${(server.address() as { port: number }).port}`, caPem: ca.certPem, token: 't' }));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: path.join(dir, 'kubeconfig') };
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: { args: string[]; stdout: string[]; stderr: string }[] = [
    {
      args: ['top', 'nodes'],
      stdout: [
        'NAME   RESOURCE   USAGE       REQUESTS   LIMITS      ALLOCATABLE',
        'n1     cpu        <unknown>   500m 25%   0m 0%       2000m',
        'n1     memory     <unknown>   256Mi 6%   512Mi 12%   4Gi',
        'n1     pods       -           1 0%       -           110',
      ],
      stderr: noMetricsApi,
    },
    { args: ['top', 'pods', '-A'], stdout: ['NAMESPACE   NAME   CPU                                  MEMORY', 'default     web    <unknown> (request 500m, no limit)   <unknown> (request 256Mi, limit 512Mi)'], stderr: noMetricsApi },
    { args: ['top', 'pod', 'web', '--containers', '--no-headers'], stdout: ['web   app   <unknown> (request 500m, no limit)   <unknown> (request 256Mi, limit 512Mi)'], stderr: noMetricsApi },
    { args: ['top', 'nodes', '--requests', '--no-headers'], stdout: ['n1    cpu      500m 25%   0m 0%       2000m', 'n1    memory   256Mi 6%   512Mi 12%   4Gi', 'n1    pods     1 0%       -           110'], stderr: '' },
  ];
  for (const tc of cases) {
    it(`gantry ${tc.args.join(' ')}: requests and limits, usage <unknown>, the metrics API never asked`, async () => {
      asked.length = 0;
      const r = await runGantry(tc.args, { env });
      expect(r).to.deep.equal({ code: 0, stdout: tc.stdout.join('\n') + '\n', stderr: tc.stderr });
      expect(asked.filter((a) => a.includes('metrics.k8s.io'))).to.deep.equal([]);
    });
  }

  const usage: { args: string[]; message: string }[] = [
    { args: ['top', 'pods', '--sort-by=disk'], message: '--sort-by accepts only cpu or memory, not "disk"' },
    { args: ['top', 'nodes', '--containers'], message: '--containers applies to pods only' },
    { args: ['top', 'pods', 'web', '-l', 'app=web'], message: 'only one of NAME or --selector can be provided' },
    { args: ['top', 'services'], message: 'top shows nodes or pods, not "services"' },
  ];
  for (const tc of usage) {
    it(`gantry ${tc.args.join(' ')}: usage error`, async () => {
      const r = await runGantry(tc.args, { env });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain(tc.message);
    });
  }
});
