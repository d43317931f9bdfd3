// The node agent end to end: etcd + API server + one agent process over real runc, images
// from a real registry, and the real kubectl for logs and exec (proxied by the API server).

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually } from '../../common/testing/eventually.js';
import { probeOomScoreAdjFloor } from '../runtime/oomScoreAdj.js';
import { oomScoreAdjLimitedReason } from './hostLimits.js';
import type { Pod } from './podTypes.js';
import { startAgentHarness, type AgentHarness } from './testing/agentHarness.js';

describe('node agent with real runc (integration)', function () {
  this.timeout(300_000);
  let h: AgentHarness;
  let ns = 'default';

  const podPath = (name: string): string => `/api/v1/namespaces/${ns}/pods/${name}`;
  async function getPod(name: string): Promise<Pod | undefined> {
    const r = await h.client.get<Pod>(podPath(name));
    return r.status === 200 ? r.body : undefined;
  }
  async function createPod(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Promise<Pod> {
    const r = await h.client.request<Pod>('POST', `/api/v1/namespaces/${ns}/pods`, {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...meta }, spec: { nodeName: h.nodeName, terminationGracePeriodSeconds: 2, ...spec } },
    });
    expect(r.status, r.text).to.equal(201);
    return r.body;
  }
  function containerStatus(p: Pod | undefined, name = 'c'): NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number] | undefined {
    return p?.status?.containerStatuses?.find((c) => c.name === name);
  }
  const waitFor = (name: string, what: string, test: (p: Pod) => boolean, ms = 30_000): Promise<Pod> =>
    eventually(`${name}: ${what}`, async () => {
      const p = await getPod(name);
      return p && test(p) ? p : undefined;
    }, ms, 200);
  const readyCondition = (p: Pod): string | undefined => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

  before(async () => {
    h = await startAgentHarness();
    await h.startAgent();
    ns = 'default';
  });

  after(async () => {
    if (!h) return;
    const problems = await h.close();
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && h) {
      const lines = fs.readFileSync(h.agentLog, 'utf8').split('\n');
      const problems = lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(-20);
      process.stderr.write(`--- agent warnings ---\n${problems.join('\n')}\n--- agent log tail ---\n${lines.slice(-30).join('\n')}\n`);
    }
  });

  it('registers its Node, which becomes Ready, and renews its Lease', async () => {
    const node = await eventually('the node to be Ready', async () => {
      const r = await h.client.get<{ status?: { conditions?: { type: string; status: string }[]; capacity?: Record<string, string>; daemonEndpoints?: unknown } }>(`/api/v1/nodes/${h.nodeName}`);
      return r.status === 200 && r.body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? r.body : undefined;
    }, 30_000);
    expect(node.status!.capacity!.pods).to.equal('110');
    const lease = async (): Promise<string> => {
      const r = await h.client.get<{ spec: { renewTime: string; holderIdentity: string } }>(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${h.nodeName}`);
      expect(r.body.spec.holderIdentity).to.equal(h.nodeName);
      return r.body.spec.renewTime;
    };
    const first = await eventually('the lease', () => lease(), 30_000);
    await eventually('a lease renewal', async () => ((await lease()) !== first ? true : undefined), 15_000);
  });

  it('runs a pod whose readiness probe passes: Running, Ready, serving on its pod IP', async () => {
    await createPod('web', {
      containers: [{ name: 'c', image: 'gantry/web:v1', imagePullPolicy: 'IfNotPresent', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } }],
    });
    const p = await waitFor('web', 'Ready', (x) => readyCondition(x) === 'True');
    expect(p.status!.phase).to.equal('Running');
    expect(p.status!.podIP).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status!.hostIP).to.equal('127.0.0.1');
    expect(p.status!.qosClass).to.equal('BestEffort');
    expect(containerStatus(p)!.ready).to.equal(true);
    const res = await fetch(`http://${p.status!.podIP}:8080/`);
    expect(await res.text()).to.equal('gantry web v1\n');
  });

  it('restarts a container whose liveness probe fails, after a startup probe passed', async () => {
    await createPod('sick', {
      containers: [{
        name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent',
        command: ['sh', '-c', 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600'],
        startupProbe: { exec: { command: ['test', '-f', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 5 },
        livenessProbe: { exec: { command: ['test', '-f', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2 },
      }],
    });
    const p = await waitFor('sick', 'a restart', (x) => (containerStatus(x)?.restartCount ?? 0) >= 1, 30_000);
    expect(containerStatus(p)!.lastState.terminated).to.not.equal(undefined);
    const events = await h.client.get<{ items: { reason: string; message: string }[] }>(`/api/v1/namespaces/${ns}/events`, { query: { fieldSelector: `involvedObject.uid=${p.metadata.uid}` } });
    expect(events.body.items.map((e) => e.reason)).to.include.members(['Unhealthy', 'Killing', 'Started']);
  });

  it('gives containers env and files from ConfigMaps, Secrets and the downward API', async () => {
    const cm = await h.client.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { metadata: { name: 'settings' }, data: { greeting: 'hello', 'app.conf': 'mode=fast\n' } } });
    expect(cm.status, cm.text).to.equal(201);
    const sec = await h.client.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } } });
    expect(sec.status, sec.text).to.equal(201);
    await createPod('configured', {
      restartPolicy: 'Never',
      volumes: [{ name: 'conf', configMap: { name: 'settings' } }, { name: 'sec', secret: { secretName: 'creds' } }, { name: 'scratch', emptyDir: {} }],
      containers: [{
        name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent',
        command: ['sh', '-c', 'echo "$GREETING $PASSWORD $POD_NAME $MY_IP"; cat /etc/app/app.conf /etc/creds/password; echo; echo ok > /scratch/x && cat /scratch/x'],
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'sec', mountPath: '/etc/creds' }, { name: 'scratch', mountPath: '/scratch' }],
      }],
    });
    const p = await waitFor('configured', 'Succeeded', (x) => x.status?.phase === 'Succeeded').catch(async (e: unknown) => {
      throw new Error(`${String(e)}; status: ${JSON.stringify((await getPod('configured'))?.status)}`);
    });
    const logs = await h.kubectl(['logs', 'configured']);
    expect(logs.stdout).to.equal(`hello s3cret configured ${p.status!.podIP ?? ''}`.trimEnd() + '\nmode=fast\ns3cret\nok\n');
  });

  it('holds a container whose ConfigMap is missing in CreateContainerConfigError', async () => {
    await createPod('unconfigured', { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] }] });
    const p = await waitFor('unconfigured', 'CreateContainerConfigError', (x) => containerStatus(x)?.state.waiting?.reason === 'CreateContainerConfigError');
    expect(String(containerStatus(p)!.state.waiting!.message)).to.contain('configmap "absent" not found');
  });

  it('shows a crashing container in CrashLoopBackOff with a growing back-off', async () => {
    await createPod('crash', { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo crashing; exit 1'] }] });
    const seenAt: number[] = [];
    let sawBackOff = false;
    await eventually('three restarts', async () => {
      const p = await getPod('crash');
      const c = containerStatus(p);
      if (c?.state.waiting?.reason === 'CrashLoopBackOff') sawBackOff = true;
      const n = c?.restartCount ?? 0;
      while (seenAt.length < n) seenAt.push(Date.now());
      return n >= 3 ? true : undefined;
    }, 60_000, 100);
    expect(sawBackOff, 'CrashLoopBackOff seen').to.equal(true);
    const p = await getPod('crash');
    expect(containerStatus(p)!.lastState.terminated!.exitCode).to.equal(1);
    // Back-off 1 s, 2 s: the gap before the third restart is longer than before the second.
    const gaps = [seenAt[1]! - seenAt[0]!, seenAt[2]! - seenAt[1]!];
    expect(gaps[1]).to.be.greaterThan(gaps[0]!);
    expect(gaps[1]).to.be.greaterThan(1500);
    const prev = await h.kubectl(['logs', 'crash', '--previous']);
    expect(prev.stdout).to.equal('crashing\n');
  });

  it('reports OOMKilled with exit code 137 in lastState', async () => {
    await createPod('oom', {
      containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'x=a; while true; do x=$x$x; done'], resources: { limits: { memory: '16Mi' } } }],
    });
    const p = await waitFor('oom', 'an OOMKilled lastState', (x) => containerStatus(x)?.lastState.terminated?.reason === 'OOMKilled', 60_000);
    expect(containerStatus(p)!.lastState.terminated!.exitCode).to.equal(137);
    expect(p.status!.qosClass).to.equal('Burstable');
  });

  it("runs pods of all three QoS classes, with oom_score_adj within what the host allows, and reports the host's floor once", async () => {
    const { floor } = await probeOomScoreAdjFloor();
    const sleeper = (resources: Record<string, unknown>): Record<string, unknown> => ({ containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'], resources }] });
    const classes = [
      { name: 'qos-guaranteed', qos: 'Guaranteed', resources: { limits: { cpu: '100m', memory: '32Mi' } }, adj: (v: number) => v === Math.max(-997, floor) },
      { name: 'qos-burstable', qos: 'Burstable', resources: { requests: { memory: '16Mi' }, limits: { memory: '64Mi' } }, adj: (v: number) => v >= Math.max(3, floor) && v <= 999 },
      { name: 'qos-besteffort', qos: 'BestEffort', resources: {}, adj: (v: number) => v === 1000 },
    ];
    for (const tc of classes) await createPod(tc.name, sleeper(tc.resources));
    for (const tc of classes) {
      const p = await waitFor(tc.name, 'Running', (x) => x.status?.phase === 'Running' && containerStatus(x)?.ready === true).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; status: ${JSON.stringify((await getPod(tc.name))?.status)}`);
      });
      expect(p.status!.qosClass).to.equal(tc.qos);
      const r = await h.kubectl(['exec', tc.name, '--', 'cat', '/proc/1/oom_score_adj']);
      expect(r.code, r.stderr).to.equal(0);
      expect(tc.adj(Number(r.stdout.trim())), `${tc.qos}: oom_score_adj ${r.stdout.trim()} (floor ${floor})`).to.equal(true);
    }
    const warnings = fs.readFileSync(h.agentLog, 'utf8').split('\n').filter((l) => l.includes(oomScoreAdjLimitedReason));
    const events = await h.client.get<{ items: { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } }[] }>('/api/v1/namespaces/default/events', { query: { fieldSelector: `involvedObject.kind=Node,involvedObject.name=${h.nodeName}` } });
    const nodeEvents = events.body.items.filter((e) => e.reason === oomScoreAdjLimitedReason);
    if (floor > -997) {
      expect(warnings, 'logged once').to.have.length(1);
      expect(nodeEvents, 'one Node event').to.have.length(1);
      expect(nodeEvents[0]!.type).to.equal('Warning');
      expect(nodeEvents[0]!.message).to.contain(`below ${floor}`);
    } else {
      expect(warnings).to.deep.equal([]);
      expect(nodeEvents).to.deep.equal([]);
    }
    for (const tc of classes) await h.client.request('DELETE', podPath(tc.name), { body: { gracePeriodSeconds: 0 } });
  });

  it("reports the node's InternalIP as a hostNetwork pod's IP", async () => {
    await createPod('on-host', { hostNetwork: true, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] });
    const p = await waitFor('on-host', 'Running with a pod IP', (x) => x.status?.phase === 'Running' && x.status.podIP !== undefined);
    const node = await h.client.get<{ status: { addresses: { type: string; address: string }[] } }>(`/api/v1/nodes/${h.nodeName}`);
    const internal = node.body.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    expect(p.status!.podIP).to.equal(internal);
    expect(p.status!.podIPs).to.deep.equal([{ ip: internal }]);
    await h.client.request('DELETE', podPath('on-host'), { body: { gracePeriodSeconds: 0 } });
  });

  it('streams logs with kubectl logs -f, and honours --tail and --timestamps', async () => {
    await createPod('talker', { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done'] }] });
    await waitFor('talker', 'Running', (x) => x.status?.phase === 'Running');
    const follow = spawn('kubectl', ['--kubeconfig', h.cluster.kubeconfig, 'logs', '-f', 'talker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually('followed lines', async () => (/line 1\n[\s\S]*line 12\n/.test(out) ? true : undefined), 20_000, 100);
    } finally {
      follow.kill('SIGTERM');
    }
    const tail = await h.kubectl(['logs', 'talker', '--tail=1', '--timestamps']);
    expect(tail.stdout.trim().split('\n')).to.have.length(1);
    expect(tail.stdout).to.match(/^\d{4}-\d\d-\d\dT\S+ line \d+\n$/);
  });

  it('runs commands with kubectl exec: output, stdin and exit codes', async () => {
    await waitFor('talker', 'Running', (x) => x.status?.phase === 'Running');
    const ok = await h.kubectl(['exec', 'talker', '--', 'sh', '-c', 'echo hello from exec; echo to-stderr >&2']);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.equal('hello from exec\n');
    expect(ok.stderr).to.contain('to-stderr');
    const failed = await h.kubectl(['exec', 'talker', '--', 'sh', '-c', 'exit 3']);
    expect(failed.code).to.equal(3);
    const cat = await h.kubectl(['exec', '-i', 'talker', '--', 'cat'], 'piped through\n');
    expect(cat.code, cat.stderr).to.equal(0);
    expect(cat.stdout).to.equal('piped through\n');
  });

  it('keeps containers running with unchanged restart counts across an agent SIGKILL and restart', async () => {
    const before = await waitFor('web', 'Ready', (x) => readyCondition(x) === 'True');
    const crashBefore = containerStatus(await getPod('crash'))!.restartCount;
    await h.stopAgent('SIGKILL');
    await h.startAgent();
    // Let the restarted agent sync everything once.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await waitFor('web', 'Ready', (x) => readyCondition(x) === 'True');
    expect(containerStatus(after)!.containerID).to.equal(containerStatus(before)!.containerID);
    expect(containerStatus(after)!.restartCount).to.equal(containerStatus(before)!.restartCount);
    expect(after.status!.podIP).to.equal(before.status!.podIP);
    expect(containerStatus(await getPod('crash'))!.restartCount).to.be.at.least(crashBefore);
  });

  it('honours the grace period on deletion, then removes the pod', async () => {
    await createPod('stubborn', { terminationGracePeriodSeconds: 3, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] }] });
    await waitFor('stubborn', 'Running', (x) => x.status?.phase === 'Running');
    const started = Date.now();
    const r = await h.client.request('DELETE', podPath('stubborn'));
    expect(r.status).to.equal(200);
    await eventually('the pod to be gone', async () => ((await getPod('stubborn')) ? undefined : true), 20_000, 100);
    const took = Date.now() - started;
    expect(took).to.be.at.least(2900);
    expect(took).to.be.below(9000);

    await createPod('polite', { terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] }] });
    await waitFor('polite', 'Running', (x) => x.status?.phase === 'Running');
    const t2 = Date.now();
    await h.client.request('DELETE', podPath('polite'));
    await eventually('the pod to be gone', async () => ((await getPod('polite')) ? undefined : true), 20_000, 100);
    expect(Date.now() - t2).to.be.below(5000);
  });

  it('cleans up a pod deleted while the agent was down when it comes back', async () => {
    await createPod('orphan', { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] });
    const p = await waitFor('orphan', 'Running', (x) => x.status?.phase === 'Running');
    const sandboxes = (): string[] => fs.readdirSync(path.join(h.agentRoot, 'runtime', 'sandboxes')).filter((n) => !n.startsWith('.'));
    const countBefore = sandboxes().length;
    await h.stopAgent('SIGKILL');
    const del = await h.client.request('DELETE', podPath('orphan'), { body: { gracePeriodSeconds: 0 } });
    expect(del.status).to.equal(200);
    expect(await getPod('orphan')).to.equal(undefined);
    await h.startAgent();
    await eventually('the orphan sandbox to be removed', async () => (sandboxes().length === countBefore - 1 ? true : undefined), 30_000);
    expect(fs.readFileSync(h.agentLog, 'utf8')).to.contain(p.metadata.uid);
  });
});
