// `gantry describe` against a real etcd and API server, compared with the real kubectl's
// describe of the same objects: a deployment with its ReplicaSets, a pod with container
// state, last state, probes, env, mounts, volumes, conditions and events, a node with pods
// on it, a service, and a kind without a describer of its own (a Lease). No controller runs
// here, so the test writes the statuses a controller and a node agent would.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { runGantry, type GantryResult } from './testing.js';

const kubectlBin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<GantryResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

const ago = (ms: number): string => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
const min = 60_000;

const containerSpec = {
  name: 'c',
  image: 'busybox:2',
  command: ['sh', '-c', 'sleep 1000'],
  ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081, protocol: 'UDP' }],
  env: [
    { name: 'A', value: 'one\ntwo' },
    { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'C', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
  ],
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
  livenessProbe: { exec: { command: ['cat', '/tmp/x'] }, initialDelaySeconds: 3 },
  startupProbe: { tcpSocket: { port: 80 } },
  volumeMounts: [
    { name: 'data', mountPath: '/data' },
    { name: 'cfg', mountPath: '/etc/cfg', readOnly: true, subPath: 'x' },
  ],
};

const podSpec = {
  containers: [containerSpec],
  volumes: [
    { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
    { name: 'cfg', configMap: { name: 'settings' } },
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'sec', secret: { secretName: 'creds', optional: true } },
  ],
  nodeSelector: { disk: 'ssd' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }, { operator: 'Exists' }],
};

describe('gantry describe (etcd + API server processes, compared with kubectl describe)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const post = async (p: string, body: object): Promise<{ metadata: { uid: string } }> => {
    const r = await c.client.request('POST', p, { body });
    expect(r.status, `POST ${p}: ${r.text}`).to.equal(201);
    return r.body as { metadata: { uid: string } };
  };
  const status = async (p: string, st: object): Promise<void> => {
    const r = await c.client.request('PATCH', `${p}/status`, { body: { status: st }, contentType: 'application/merge-patch+json' });
    expect(r.status, `PATCH ${p}/status: ${r.text}`).to.equal(200);
  };
  const event = (name: string, involved: object, reason: string, message: string, count: number, first: number, last: number): Promise<unknown> =>
    post('/api/v1/namespaces/shop/events', { metadata: { name }, involvedObject: involved, reason, message, type: reason === 'BackOff' ? 'Warning' : 'Normal', source: { component: 'kubelet', host: 'n1' }, count, firstTimestamp: ago(first), lastTimestamp: ago(last) });

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-describe-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig, TZ: 'UTC' };
    await post('/api/v1/namespaces', { metadata: { name: 'shop' } });
    await post('/api/v1/nodes', { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'node-role.kubernetes.io/control-plane': '' } }, spec: { podCIDR: '10.0.1.0/24', taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] } });
    await status('/api/v1/nodes/n1', {
      capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi', 'example.com/gpu': '2' },
      allocatable: { cpu: '3800m', memory: '7Gi', pods: '110', 'ephemeral-storage': '90Gi', 'example.com/gpu': '2' },
      addresses: [{ type: 'InternalIP', address: '192.168.0.2' }, { type: 'Hostname', address: 'n1' }],
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: ago(1 * min), lastTransitionTime: ago(30 * min), reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', containerRuntimeVersion: 'gantry://0.1', kubeletVersion: 'v1.32.0-gantry', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
    });
    await post('/api/v1/namespaces/shop/configmaps', { metadata: { name: 'settings' }, data: { mode: 'fast' } });
    const template = { metadata: { labels: { app: 'web' }, annotations: { note: 'x'.repeat(150) } }, spec: podSpec };
    const d = await post('/apis/apps/v1/namespaces/shop/deployments', {
      metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, annotations: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'line one\nline two' } },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
    });
    await status('/apis/apps/v1/namespaces/shop/deployments/web', {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      unavailableReplicas: 2,
      conditions: [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: ago(min), lastTransitionTime: ago(min) },
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.', lastUpdateTime: ago(min), lastTransitionTime: ago(min) },
      ],
    });
    const owner = (kind: string, name: string, uid: string): object[] => [{ apiVersion: 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true }];
    const rsOld = { metadata: { name: 'web-old', labels: { app: 'web', 'pod-template-hash': 'old' }, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: owner('Deployment', 'web', d.metadata.uid) }, spec: { replicas: 1, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'old' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'old' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } } };
    await post('/apis/apps/v1/namespaces/shop/replicasets', rsOld);
    const newLabels = { app: 'web', 'pod-template-hash': 'new' };
    const rsNew = await post('/apis/apps/v1/namespaces/shop/replicasets', {
      metadata: { name: 'web-new', labels: newLabels, annotations: { 'deployment.kubernetes.io/revision': '2' }, ownerReferences: owner('Deployment', 'web', d.metadata.uid) },
      spec: { replicas: 2, selector: { matchLabels: newLabels }, template: { ...template, metadata: { ...template.metadata, labels: newLabels } } },
    });
    await status('/apis/apps/v1/namespaces/shop/replicasets/web-new', { replicas: 2, readyReplicas: 1, availableReplicas: 1 });
    const pod = await post('/api/v1/namespaces/shop/pods', { metadata: { name: 'web-new-abcde', labels: newLabels, ownerReferences: owner('ReplicaSet', 'web-new', rsNew.metadata.uid) }, spec: { ...podSpec, nodeName: 'n1' } });
    await status('/api/v1/namespaces/shop/pods/web-new-abcde', {
      phase: 'Running',
      podIP: '10.0.1.5',
      podIPs: [{ ip: '10.0.1.5' }],
      hostIP: '192.168.0.2',
      startTime: ago(20 * min),
      qosClass: 'Burstable',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: ago(20 * min) },
        { type: 'Ready', status: 'False', lastTransitionTime: ago(min) },
      ],
      containerStatuses: [{ name: 'c', image: 'busybox:2', imageID: 'sha256:abc', containerID: 'gantry://123', ready: false, started: true, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: ago(3 * min), finishedAt: ago(2 * min) } } }],
    });
    await post('/api/v1/namespaces/shop/pods', { metadata: { name: 'other' }, spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'busybox', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } }], initContainers: [{ name: 'i', image: 'busybox', resources: { requests: { cpu: '1500m' } } }] } });
    const podRef = { kind: 'Pod', name: 'web-new-abcde', namespace: 'shop', uid: pod.metadata.uid, apiVersion: 'v1', fieldPath: 'spec.containers{c}' };
    await event('e1', podRef, 'Pulled', 'Container image "busybox:2" already present on machine', 3, 20 * min, 2 * min);
    await event('e2', podRef, 'BackOff', '  Back-off restarting failed container  ', 1, 90_000, 90_000);
    await event('e3', { kind: 'Deployment', name: 'web', namespace: 'shop', uid: d.metadata.uid, apiVersion: 'apps/v1' }, 'ScalingReplicaSet', 'Scaled up replica set web-new to 2', 1, 5 * min, 5 * min);
    await event('e4', { kind: 'Pod', name: 'web-new-abcde', namespace: 'shop', uid: 'another-pod-of-that-name' }, 'Old', 'not about this pod', 1, 30 * min, 30 * min);
    await post('/api/v1/namespaces/shop/services', { metadata: { name: 'web', annotations: { a: 'b' } }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }] } });
    await post('/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices', {
      metadata: { name: 'web-x1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: ['10.0.1.5', '10.0.1.6', '10.0.1.7', '10.0.1.8'].map((ip, i) => ({ addresses: [ip], conditions: { ready: i !== 1 } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
    });
    await post('/apis/coordination.k8s.io/v1/namespaces/shop/leases', { metadata: { name: 'lk', labels: { x: 'z' } }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } });
  });
  after(async () => {
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const gantry = (args: string[]): Promise<GantryResult> => runGantry(args, { env });
  const kubectl = (args: string[]): Promise<GantryResult> => run(kubectlBin, ['--kubeconfig', c.kubeconfig, '--cache-dir', path.join(dir, 'kubectl-cache'), ...args], { ...env, KUBECTL_KUBERC: 'false' });

  /** Both outputs, run until they agree (an AGE may tick between the two runs); the last pair otherwise. */
  async function both(args: string[]): Promise<[GantryResult, GantryResult]> {
    let last: [GantryResult, GantryResult] | undefined;
    for (let i = 0; i < 5; i++) {
      last = await Promise.all([gantry(args), kubectl(args)]);
      if (last[0].stdout === last[1].stdout && last[0].code === last[1].code) break;
    }
    return last!;
  }

  const sameCases: { name: string; args: string[]; has: string[] }[] = [
    { name: 'a pod: containers with state and last state, restarts, probes, env, mounts, conditions, volumes, tolerations, its own events only', args: ['describe', 'pod', 'web-new-abcde', '-n', 'shop'], has: ['Controlled By:  ReplicaSet/web-new', '    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137', 'Restart Count:  2', 'Readiness:  http-get http://:80/healthz', 'Warning  BackOff', '(x3 over 20m)'] },
    { name: 'a deployment: replicas, strategy, template, rollout conditions, old and new ReplicaSets, events', args: ['describe', 'deploy', 'web', '-n', 'shop'], has: ['OldReplicaSets:  web-old (0/1 replicas created)', 'NewReplicaSet:   web-new (2/2 replicas created)', 'Progressing    True    ReplicaSetUpdated', 'ScalingReplicaSet'] },
    { name: 'a node: roles, taints, conditions, addresses, capacity, allocatable, its pods and allocated resources', args: ['describe', 'node', 'n1'], has: ['Roles:              control-plane', 'Non-terminated Pods:          (2 in total)', 'cpu                1600m (42%)   2 (52%)', 'memory             1088Mi (15%)  2176Mi (30%)', 'example.com/gpu    0             0'] },
    { name: 'a service: ports, target ports, node ports, endpoints', args: ['describe', 'svc', 'web', '-n', 'shop'], has: ['Endpoints:                10.0.1.5:8080,10.0.1.7:8080,10.0.1.8:8080\n', 'NodePort:                 http  3'] },
    { name: 'a ReplicaSet: replicas, pod phases, template', args: ['describe', 'rs', 'web-new', '-n', 'shop'], has: ['Pods Status:    1 Running / 0 Waiting / 0 Succeeded / 0 Failed'] },
    { name: 'a kind without its own describer, field by field', args: ['describe', 'lease', 'lk', '-n', 'shop'], has: ['Holder Identity:         me'] },
    { name: 'every object of a type, separated', args: ['describe', 'rs', '-n', 'shop'], has: ['Name:           web-old'] },
    { name: 'by name prefix', args: ['describe', 'pods', 'web', '-n', 'shop'], has: ['Name:             web-new-abcde'] },
    { name: 'by label selector, without events', args: ['describe', 'pods', '-l', 'app=web', '-n', 'shop', '--show-events=false'], has: ['Tolerations:'] },
  ];
  for (const tc of sameCases) {
    it(`prints what kubectl prints: ${tc.name}`, async () => {
      const [g, k] = await both(tc.args);
      expect(k.code, k.stderr).to.equal(0);
      expect(g.stdout, g.stderr).to.equal(k.stdout);
      expect(g.code).to.equal(0);
      for (const s of tc.has) expect(g.stdout, g.stdout).to.include(s);
    });
  }

  it('reports what is not there, and wrong usage', async () => {
    const cases: { args: string[]; want: GantryResult }[] = [
      { args: ['describe', 'pod', 'nope', '-n', 'shop'], want: { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' } },
      { args: ['describe', 'frobs', 'x'], want: { code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "frobs"\n' } },
      { args: ['describe', 'secrets', '-n', 'shop'], want: { code: 0, stdout: '', stderr: 'No resources found in shop namespace.\n' } },
      { args: ['describe'], want: { code: 2, stdout: '', stderr: "error: missing required argument 'type[/name]'\n" } },
      { args: ['describe', 'pod', 'x', '-A'], want: { code: 2, stdout: '', stderr: 'error: a resource cannot be described by name across all namespaces (drop -A, or use -n)\n' } },
    ];
    for (const tc of cases) expect(await gantry(tc.args), tc.args.join(' ')).to.deep.equal(tc.want);
  });
});
