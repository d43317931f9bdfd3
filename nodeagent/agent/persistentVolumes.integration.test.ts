// persistentVolumeClaim volumes end to end: etcd + API server + one agent process over real
// runc. No controller manager runs here, so the test plays the binder and the protection
// controllers through the API (bind a claim to a gantry.dev/local-path PV, drop the
// protection finalizers), and the agent does its part with its own node credentials: resolve
// claims through the node authorizer's graph, make the volume directory, mount it, and once
// the PV is deleted remove the directory and its cleanup finalizer.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { eventually } from '../../common/testing/eventually.js';
import { localPathCleanupFinalizer, localPathNodeLabel, localPathProvisioner, localPathRootAnnotation, provisionedByAnnotation } from '../storage/localPath.js';
import type { Pod } from './podTypes.js';
import { startAgentHarness, type AgentHarness } from './testing/agentHarness.js';

interface Claim {
  metadata: { name: string; uid: string; finalizers?: string[]; deletionTimestamp?: string };
  spec: { volumeName?: string };
  status?: { phase?: string };
}
interface Volume {
  metadata: { name: string; finalizers?: string[]; resourceVersion: string };
  status?: { phase?: string };
}

const pvProtection = 'kubernetes.io/pv-protection';

describe('node agent: persistentVolumeClaim volumes with real runc (integration)', function () {
  this.timeout(300_000);
  let h: AgentHarness;
  const ns = 'default';
  let localPathRoot = '';

  const podPath = (name: string): string => `/api/v1/namespaces/${ns}/pods/${name}`;
  const claimPath = (name: string): string => `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`;
  const volumePath = (name: string): string => `/api/v1/persistentvolumes/${name}`;
  async function getPod(name: string): Promise<Pod | undefined> {
    const r = await h.client.get<Pod>(podPath(name));
    return r.status === 200 ? r.body : undefined;
  }
  async function createPod(name: string, spec: Record<string, unknown>): Promise<Pod> {
    const r = await h.client.request<Pod>('POST', `/api/v1/namespaces/${ns}/pods`, {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: h.nodeName, terminationGracePeriodSeconds: 1, restartPolicy: 'Never', ...spec } },
    });
    expect(r.status, r.text).to.equal(201);
    return r.body;
  }
  async function deletePod(name: string): Promise<void> {
    await h.client.request('DELETE', podPath(name), { body: { gracePeriodSeconds: 0 } });
    await eventually(`${name} to be gone`, async () => ((await getPod(name)) ? undefined : true), 30_000, 200);
  }
  const waitFor = (name: string, what: string, test: (p: Pod) => boolean, ms = 60_000): Promise<Pod> =>
    eventually(`${name}: ${what}`, async () => {
      const p = await getPod(name);
      return p && test(p) ? p : undefined;
    }, ms, 200).catch(async (e: unknown) => {
      const p = await getPod(name);
      const events = p ? await h.client.get<{ items: { reason: string; message: string }[] }>(`/api/v1/namespaces/${ns}/events`, { query: { fieldSelector: `involvedObject.uid=${p.metadata.uid}` } }) : undefined;
      throw new Error(`${String(e)}; status: ${JSON.stringify(p?.status?.containerStatuses)}; events: ${JSON.stringify(events?.body.items.map((x) => `${x.reason}: ${x.message}`))}`);
    });
  const waiting = (p: Pod): { reason?: string; message?: string } | undefined => p.status?.containerStatuses?.[0]?.state.waiting;
  async function eventMessages(pod: Pod, reason: string): Promise<string[]> {
    const r = await h.client.get<{ items: { reason: string; message: string }[] }>(`/api/v1/namespaces/${ns}/events`, { query: { fieldSelector: `involvedObject.uid=${pod.metadata.uid}` } });
    return r.body.items.filter((e) => e.reason === reason).map((e) => e.message);
  }
  const busybox = (command: string, mounts: Record<string, unknown>[]): Record<string, unknown> => ({ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', command], volumeMounts: mounts });
  const claimVolume = (name: string, claimName: string, readOnly = false): Record<string, unknown> => ({ name, persistentVolumeClaim: { claimName, ...(readOnly ? { readOnly } : {}) } });

  async function createClaim(name: string): Promise<Claim> {
    const r = await h.client.request<Claim>('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
      body: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    });
    expect(r.status, r.text).to.equal(201);
    return r.body;
  }

  /** What the provisioner and the binder would do: a local-path PV for the claim, both sides Bound. */
  async function provisionAndBind(claim: Claim, hostname = h.nodeName): Promise<{ pvName: string; dir: string }> {
    const pvName = `pvc-${claim.metadata.uid}`;
    const dir = path.join(localPathRoot, `${pvName}_${ns}_${claim.metadata.name}`);
    const pv = await h.client.request('POST', '/api/v1/persistentvolumes', {
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: pvName, labels: { [localPathNodeLabel]: h.nodeName }, annotations: { [provisionedByAnnotation]: localPathProvisioner }, finalizers: [localPathCleanupFinalizer, pvProtection] },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          local: { path: dir },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostname] }] }] } },
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: claim.metadata.name, uid: claim.metadata.uid },
        },
      },
    });
    expect(pv.status, pv.text).to.equal(201);
    const merge = async (p: string, body: unknown): Promise<void> => {
      const r = await h.client.request('PATCH', p, { body, contentType: 'application/merge-patch+json' });
      expect(r.status, `${p}: ${r.text}`).to.equal(200);
    };
    await merge(`${volumePath(pvName)}/status`, { status: { phase: 'Bound' } });
    await merge(claimPath(claim.metadata.name), { spec: { volumeName: pvName } });
    await merge(`${claimPath(claim.metadata.name)}/status`, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } });
    return { pvName, dir };
  }

  /** What the protection controller does: take its finalizer off once nothing needs the object. */
  async function dropFinalizer(p: string, finalizer: string): Promise<void> {
    const got = await h.client.get<{ metadata: { finalizers?: string[]; resourceVersion: string } }>(p);
    if (got.status === 404) return;
    const i = (got.body.metadata.finalizers ?? []).indexOf(finalizer);
    if (i < 0) return;
    const r = await h.client.request('PATCH', p, {
      body: JSON.stringify([{ op: 'test', path: '/metadata/resourceVersion', value: got.body.metadata.resourceVersion }, { op: 'remove', path: `/metadata/finalizers/${i}` }]),
      contentType: 'application/json-patch+json',
    });
    expect(r.status, r.text).to.be.oneOf([200, 404]);
  }

  before(async () => {
    h = await startAgentHarness();
    await h.startAgent();
    localPathRoot = path.join(h.agentRoot, 'local-path');
  });

  after(async () => {
    if (!h) return;
    const problems = await h.close();
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(fs.existsSync(localPathRoot), 'teardown removes the local-path root').to.equal(false);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && h) {
      const lines = fs.readFileSync(h.agentLog, 'utf8').split('\n');
      process.stderr.write(`--- agent warnings and storage lines ---\n${lines.filter((l) => /"level":"(warn|error)"|local-path|persistentvolume/.test(l)).slice(-30).join('\n')}\n`);
    }
  });

  it('announces its local-path root on the Node, a 0700 directory', async () => {
    const annotation = await eventually('the annotation', async () => {
      const r = await h.client.get<{ metadata: { annotations?: Record<string, string> } }>(`/api/v1/nodes/${h.nodeName}`);
      return r.body.metadata.annotations?.[localPathRootAnnotation];
    }, 30_000);
    expect(annotation).to.equal(localPathRoot);
    expect(fs.statSync(localPathRoot).mode & 0o777).to.equal(0o700);
  });

  let data: { claim: Claim; pvName: string; dir: string };

  it('holds a pod on an unbound claim in ContainerCreating with FailedMount, and runs it once the claim is bound', async () => {
    const claim = await createClaim('data');
    const writer = await createPod('writer', {
      volumes: [claimVolume('data', 'data')],
      containers: [busybox('echo kept > /data/greeting && mkdir -p /data/sub && echo in-sub > /data/sub/x', [{ name: 'data', mountPath: '/data' }])],
    });
    const held = await waitFor('writer', 'ContainerCreating for the claim', (p) => waiting(p)?.reason === 'ContainerCreating' && (waiting(p)?.message ?? '').includes('PVC'));
    expect(waiting(held)!.message).to.contain('error processing PVC default/data: PVC is not bound');
    expect((await eventMessages(writer, 'FailedMount')).join('\n')).to.contain('PVC is not bound');

    const bound = await provisionAndBind(claim);
    data = { claim, ...bound };
    await waitFor('writer', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    expect(fs.readFileSync(path.join(bound.dir, 'greeting'), 'utf8')).to.equal('kept\n');
    expect(fs.statSync(bound.dir).mode & 0o777).to.equal(0o777);
    await deletePod('writer');
    expect(fs.readFileSync(path.join(bound.dir, 'greeting'), 'utf8'), 'the data outlives the pod').to.equal('kept\n');
  });

  it('gives a new pod on the same claim what the first wrote; a readOnly volume and subPath are honoured', async () => {
    await createPod('reader', {
      volumes: [claimVolume('data', 'data'), claimVolume('ro', 'data', true)],
      containers: [busybox('cat /data/greeting /sub/x; if touch /ro/nope 2>/dev/null; then echo writable; else echo read-only; fi', [
        { name: 'data', mountPath: '/data' },
        { name: 'ro', mountPath: '/ro' },
        { name: 'data', mountPath: '/sub', subPath: 'sub' },
      ])],
    });
    await waitFor('reader', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    const logs = await h.kubectl(['logs', 'reader']);
    expect(logs.stdout).to.equal('kept\nin-sub\nread-only\n');
    expect(fs.existsSync(path.join(data.dir, 'nope'))).to.equal(false);
    await deletePod('reader');
  });

  it('refuses a subPath that a container pointed out of the volume with a symlink', async () => {
    await createPod('planter', { volumes: [claimVolume('data', 'data')], containers: [busybox('ln -s /etc /data/escape', [{ name: 'data', mountPath: '/data' }])] });
    await waitFor('planter', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    expect(fs.readlinkSync(path.join(data.dir, 'escape'))).to.equal('/etc');
    await createPod('escaper', { volumes: [claimVolume('data', 'data')], containers: [busybox('cat /x/passwd', [{ name: 'data', mountPath: '/x', subPath: 'escape' }])] });
    const p = await waitFor('escaper', 'CreateContainerConfigError', (x) => waiting(x)?.reason === 'CreateContainerConfigError');
    expect(waiting(p)!.message).to.contain('leads out of the volume');
    await deletePod('escaper');
    await deletePod('planter');
  });

  it('refuses a volume whose node affinity names another node', async () => {
    const claim = await createClaim('elsewhere');
    await provisionAndBind(claim, 'some-other-node');
    const pod = await createPod('misplaced', { volumes: [claimVolume('v', 'elsewhere')], containers: [busybox('true', [{ name: 'v', mountPath: '/v' }])] });
    await eventually('FailedMount for node affinity', async () => ((await eventMessages(pod, 'FailedMount')).some((m) => m.includes('volume node affinity conflict')) ? true : undefined), 30_000);
    expect(waiting((await getPod('misplaced'))!)?.reason).to.equal('ContainerCreating');
    await deletePod('misplaced');
  });

  it('refuses a new pod on a claim being deleted, and removes the directory and finalizer once the PV is deleted and released', async () => {
    const del = await h.client.request('DELETE', claimPath('data'));
    expect(del.status, del.text).to.be.oneOf([200, 202]);
    const claim = (await h.client.get<Claim>(claimPath('data'))).body;
    expect(claim.metadata.deletionTimestamp, 'pvc-protection holds the claim').to.be.a('string');
    const late = await createPod('late', { volumes: [claimVolume('data', 'data')], containers: [busybox('true', [{ name: 'data', mountPath: '/data' }])] });
    await eventually('FailedMount for a claim being deleted', async () => ((await eventMessages(late, 'FailedMount')).some((m) => m.includes('PVC is being deleted')) ? true : undefined), 30_000);
    await deletePod('late');

    // The protection controller lets the claim go; the binder marks the volume Released; the PV is deleted.
    await dropFinalizer(claimPath('data'), 'kubernetes.io/pvc-protection');
    await eventually('the claim to be gone', async () => ((await h.client.get(claimPath('data'))).status === 404 ? true : undefined), 10_000);
    const released = await h.client.request('PATCH', `${volumePath(data.pvName)}/status`, { body: { status: { phase: 'Released' } }, contentType: 'application/merge-patch+json' });
    expect(released.status, released.text).to.equal(200);
    const pvDel = await h.client.request('DELETE', volumePath(data.pvName));
    expect(pvDel.status, pvDel.text).to.be.oneOf([200, 202]);
    const pv = await h.client.get<Volume>(volumePath(data.pvName));
    expect(pv.body.metadata.finalizers).to.include.members([pvProtection, localPathCleanupFinalizer]);
    // While pv-protection is there the data must stay, whatever else is pending.
    await new Promise((r) => setTimeout(r, 2000));
    expect(fs.existsSync(data.dir), 'kept while pv-protection is pending').to.equal(true);
    await dropFinalizer(volumePath(data.pvName), pvProtection);
    await eventually('the PV to be gone', async () => ((await h.client.get(volumePath(data.pvName))).status === 404 ? true : undefined), 30_000).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: ${(await h.client.get(volumePath(data.pvName))).text}`);
    });
    expect(fs.existsSync(data.dir), 'the directory is removed').to.equal(false);
    expect(fs.existsSync(localPathRoot), 'the root stays').to.equal(true);
    expect(fs.existsSync('/etc/passwd'), 'the symlink planted in the volume was not followed').to.equal(true);
    const log = fs.readFileSync(h.agentLog, 'utf8');
    expect(log).to.contain('local-path volume directory removed');
  });

  it('cleans up a volume deleted while the agent was down (SIGKILL) when it comes back', async () => {
    const claim = await createClaim('again');
    const { pvName, dir } = await provisionAndBind(claim);
    await createPod('once', { volumes: [claimVolume('v', 'again')], containers: [busybox('echo x > /v/f', [{ name: 'v', mountPath: '/v' }])] });
    await waitFor('once', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    await deletePod('once');
    expect(fs.existsSync(path.join(dir, 'f'))).to.equal(true);
    await h.stopAgent('SIGKILL');
    try {
      await h.client.request('DELETE', claimPath('again'));
      await dropFinalizer(claimPath('again'), 'kubernetes.io/pvc-protection');
      await h.client.request('PATCH', `${volumePath(pvName)}/status`, { body: { status: { phase: 'Released' } }, contentType: 'application/merge-patch+json' });
      await h.client.request('DELETE', volumePath(pvName));
      await dropFinalizer(volumePath(pvName), pvProtection);
      // Someone strips the annotation: the agent sets it again at its next start.
      const strip = await h.client.request('PATCH', `/api/v1/nodes/${h.nodeName}`, { body: { metadata: { annotations: { [localPathRootAnnotation]: null } } }, contentType: 'application/merge-patch+json' });
      expect(strip.status, strip.text).to.equal(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(fs.existsSync(dir), 'nobody else removes it').to.equal(true);
    } finally {
      await h.startAgent();
    }
    await eventually('the PV to be gone', async () => ((await h.client.get(volumePath(pvName))).status === 404 ? true : undefined), 30_000);
    expect(fs.existsSync(dir)).to.equal(false);
    const node = await h.client.get<{ metadata: { annotations?: Record<string, string> } }>(`/api/v1/nodes/${h.nodeName}`);
    expect(node.body.metadata.annotations?.[localPathRootAnnotation]).to.equal(localPathRoot);
  });

  it("keeps restarting a running pod's container after its claim is deleted, across an agent SIGKILL", async () => {
    const claim = await createClaim('kept');
    const { dir } = await provisionAndBind(claim);
    await createPod('keeper', {
      restartPolicy: 'OnFailure',
      volumes: [claimVolume('v', 'kept')],
      containers: [busybox('while [ ! -f /v/go ]; do sleep 0.2; done; rm /v/go; exit 1', [{ name: 'v', mountPath: '/v' }])],
    });
    await waitFor('keeper', 'Running', (p) => p.status?.phase === 'Running');
    await h.client.request('DELETE', claimPath('kept'));
    expect((await h.client.get<Claim>(claimPath('kept'))).body.metadata.deletionTimestamp, 'held by pvc-protection').to.be.a('string');
    await h.stopAgent('SIGKILL');
    await h.startAgent();
    fs.writeFileSync(path.join(dir, 'go'), '');
    const p = await waitFor('keeper', 'a restart', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x.status?.containerStatuses?.[0]?.state.running !== undefined);
    expect(p.status!.phase).to.equal('Running');
    await deletePod('keeper');
  });
});
