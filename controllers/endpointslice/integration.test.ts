// The Endpoints and EndpointSlice controllers against a real etcd and API server (separate
// processes), run by the controller manager in-process under its own identity with the
// garbage collector beside them. A tiny in-test "kubelet" gives bound pods an IP, Running
// and Ready (or not), and leaves pods that are being deleted alone, as a real node does
// while their containers stop. The real kubectl reads what the controllers wrote.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import type { Api } from '../../common/client/api.js';
import type { ApiClient } from '../../common/client/apiClient.js';
import { InvalidError, NotFoundError } from '../../common/errors.js';
import { eventually } from '../../common/testing/eventually.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet } from '../testing/tinyKubelet.js';
import type { ControllerManagerApp } from '../app.js';
import { kubectlFor, type Kubectl } from '../deployment/testHarness.js';
import { endpointsControllerFactory } from '../endpoints/index.js';
import { endpointSlicesResource, endpointsResource, podsResource, servicesResource, type Endpoints, type Pod, type Service } from '../endpoints/types.js';
import { garbageCollectorControllerFactory } from '../garbagecollector/index.js';
import { endpointSliceControllerFactory } from './index.js';
import type { EndpointSlice } from './types.js';

const cmToken = 'endpoints-controller-test-token';

/** Counts the controllers' writes per `plural/namespace`, to show that nothing is written when nothing changed. */
class WriteCounter {
  readonly writes = new Map<string, number>();
  count(plural: string, ns: string | undefined): void {
    const k = `${plural}/${ns ?? ''}`;
    this.writes.set(k, (this.writes.get(k) ?? 0) + 1);
  }
  of(plural: string, ns: string): number {
    return this.writes.get(`${plural}/${ns}`) ?? 0;
  }
  /** A proxy so that every other method of the Api (whatever it grows) passes through. */
  wrap(api: Api): Api {
    const counted: Partial<Api> = {
      create: (r, ns, obj, opts) => {
        this.count(r.plural, ns);
        return api.create(r, ns, obj, opts);
      },
      update: (r, obj, opts) => {
        this.count(r.plural, obj.metadata.namespace);
        return api.update(r, obj, opts);
      },
      delete: (r, ns, name, opts) => {
        this.count(r.plural, ns);
        return api.delete(r, ns, name, opts);
      },
    };
    return new Proxy(api, {
      get: (target, prop, receiver) => {
        const own = (counted as Record<string | symbol, unknown>)[prop];
        if (own) return own;
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

describe('Endpoints and EndpointSlice controllers integration (etcd + API server processes, controller manager in-process, real kubectl)', function () {
  this.timeout(180_000);
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp;
  let kubelet: TinyKubelet;
  let kubectl: Kubectl;
  const counter = new WriteCounter();

  const namespace = (ns: string): Promise<KubeObject> => createNamespace(admin, ns);
  const pod = (ns: string, name: string, labels: Record<string, string> = { app: 'web' }): Promise<Pod> =>
    admin.create<Pod>(podsResource, ns, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels },
      spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [{ name: 'web', image: 'busybox:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
    });
  const service = (ns: string, name: string, spec: Record<string, unknown>): Promise<Service> =>
    admin.create<Service>(servicesResource, ns, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'web', port: 80, targetPort: 'http' }], ...spec } });
  const slicesOf = async (ns: string, svc: string): Promise<EndpointSlice[]> => (await admin.list<EndpointSlice>(endpointSlicesResource, ns, { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
  const readyIPs = (ep: Endpoints | undefined): string[] => (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  const notReadyIPs = (ep: Endpoints | undefined): string[] => (ep?.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort();
  const getEndpoints = async (ns: string, name: string): Promise<Endpoints | undefined> => {
    try {
      return await admin.get<Endpoints>(endpointsResource, ns, name);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };
  const ipOf = async (ns: string, name: string): Promise<string> =>
    eventually(`${ns}/${name} has an IP`, async () => (await admin.get<Pod>(podsResource, ns, name)).status?.podIP || undefined);
  /** Waits until the Endpoints and the slices of a service say the same as `want` (IPs sorted). */
  const converged = (ns: string, svc: string, want: { ready: string[]; notReady: string[] }, timeoutMs = 30_000): Promise<{ ep: Endpoints; slices: EndpointSlice[] }> =>
    eventually(
      `${ns}/${svc} endpoints ${JSON.stringify(want)}`,
      async () => {
        const ep = await getEndpoints(ns, svc);
        const slices = await slicesOf(ns, svc);
        const eps = slices.flatMap((s) => s.endpoints ?? []);
        const sliceReady = eps.filter((e) => e.conditions.ready).map((e) => e.addresses[0]!).sort();
        const ok =
          ep !== undefined &&
          JSON.stringify(readyIPs(ep)) === JSON.stringify(want.ready) &&
          JSON.stringify(notReadyIPs(ep)) === JSON.stringify(want.notReady) &&
          JSON.stringify(sliceReady) === JSON.stringify(want.ready);
        return ok ? { ep, slices } : undefined;
      },
      timeoutMs,
    );

  before(async () => {
    harness = await startClusterAs({ token: cmToken, user: 'system:kube-controller-manager', groups: [] });
    admin = harness.admin;
    kubelet = new TinyKubelet(admin, { boundOnly: true, assignIps: true });
    kubelet.start();
    kubectl = kubectlFor(harness.cluster.kubeconfig);
    app = await startTestManager({
      kubeconfig: harness.cluster.kubeconfig,
      client: harness.client,
      config: { controllerOptions: { endpointslice: { maxEndpointsPerSlice: 2 } } },
      registry: { endpoints: endpointsControllerFactory, endpointslice: endpointSliceControllerFactory, garbagecollector: garbageCollectorControllerFactory },
      wrapApi: (api) => counter.wrap(api),
    });
  });
  after(async () => {
    await app?.stop();
    await kubelet?.stop();
    kubectl?.cleanup();
    await harness?.close();
  });

  it('lists the ready pod of a service, in Endpoints and in slices owned by the service, with the named targetPort resolved', async () => {
    const ns = 'ep-basic';
    await namespace(ns);
    await pod(ns, 'a');
    await pod(ns, 'other', { app: 'db' });
    const svc = await service(ns, 'web', { selector: { app: 'web' } });
    const ip = await ipOf(ns, 'a');
    const { ep, slices } = await converged(ns, 'web', { ready: [ip], notReady: [] });
    expect(ep.subsets).to.have.length(1);
    expect(ep.subsets![0]!.ports).to.deep.equal([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    const a = await admin.get<Pod>(podsResource, ns, 'a');
    expect(ep.subsets![0]!.addresses).to.deep.equal([{ ip, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: a.metadata.uid } }]);
    expect(slices).to.have.length(1);
    const s = slices[0]!;
    expect(s.addressType).to.equal('IPv4');
    expect(s.ports).to.deep.equal([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(s.metadata.labels).to.include({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(s.metadata.ownerReferences).to.deep.equal([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(s.endpoints).to.deep.equal([{ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: a.metadata.uid }, nodeName: 'node-1' }]);

    // A pod change that alters nothing the endpoints show: no writes (no churn for the proxies watching).
    const before = [counter.of('endpoints', ns), counter.of('endpointslices', ns)];
    expect(before[0], 'the Endpoints were written').to.be.greaterThan(0);
    await admin.patch(podsResource, ns, 'a', 'merge', { metadata: { annotations: { note: 'unrelated' } } });
    await new Promise((r) => setTimeout(r, 1000));
    expect([counter.of('endpoints', ns), counter.of('endpointslices', ns)]).to.deep.equal(before);
    expect((await getEndpoints(ns, 'web'))?.metadata.resourceVersion).to.equal(ep.metadata.resourceVersion);
    expect((await slicesOf(ns, 'web')).map((x) => x.metadata.resourceVersion)).to.deep.equal([s.metadata.resourceVersion]);
  });

  it('moves a pod that stops being ready to notReadyAddresses, and back', async () => {
    const ns = 'ep-ready';
    await namespace(ns);
    await pod(ns, 'a');
    await pod(ns, 'b');
    await service(ns, 'web', { selector: { app: 'web' } });
    const [ipA, ipB] = [await ipOf(ns, 'a'), await ipOf(ns, 'b')];
    await converged(ns, 'web', { ready: [ipA, ipB].sort(), notReady: [] });
    kubelet.ready = (p) => !(p.metadata.namespace === ns && p.metadata.name === 'b');
    const { slices } = await converged(ns, 'web', { ready: [ipA], notReady: [ipB] });
    const b = slices.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses[0] === ipB);
    expect(b?.conditions).to.deep.equal({ ready: false, serving: false, terminating: false });
    kubelet.ready = () => true;
    await converged(ns, 'web', { ready: [ipA, ipB].sort(), notReady: [] });
  });

  it('takes a pod out of the ready set as soon as its graceful deletion starts', async () => {
    const ns = 'ep-terminating';
    await namespace(ns);
    await pod(ns, 'a');
    await pod(ns, 'b');
    await service(ns, 'web', { selector: { app: 'web' } });
    const [ipA, ipB] = [await ipOf(ns, 'a'), await ipOf(ns, 'b')];
    await converged(ns, 'web', { ready: [ipA, ipB].sort(), notReady: [] });

    const deleted = await admin.delete(podsResource, ns, 'b');
    expect(deleted?.metadata.deletionTimestamp, 'a bound pod is deleted gracefully').to.be.a('string');
    const { slices } = await converged(ns, 'web', { ready: [ipA], notReady: [] }, 10_000);
    const b = slices.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses[0] === ipB);
    expect(b?.conditions, 'still listed in the slice as serving and terminating').to.deep.equal({ ready: false, serving: true, terminating: true });
    expect((await admin.get<Pod>(podsResource, ns, 'b')).metadata.deletionTimestamp, 'the pod is still there').to.be.a('string');

    // The node confirms the deletion: the endpoint disappears from the slices too.
    await admin.delete(podsResource, ns, 'b', { gracePeriodSeconds: 0 });
    await eventually('terminating endpoint gone from the slices', async () => {
      const eps = (await slicesOf(ns, 'web')).flatMap((s) => s.endpoints ?? []);
      return eps.length === 1 && eps[0]!.addresses[0] === ipA ? true : undefined;
    });
  });

  it('follows a selector change, splits slices at maxEndpointsPerSlice, and leaves selector-less services alone', async () => {
    const ns = 'ep-selector';
    await namespace(ns);
    for (const n of ['a', 'b', 'c']) await pod(ns, n);
    await pod(ns, 'd', { app: 'api' });
    await service(ns, 'web', { selector: { app: 'web' } });
    const ips = Object.fromEntries(await Promise.all(['a', 'b', 'c', 'd'].map(async (n) => [n, await ipOf(ns, n)] as const)));
    const { slices } = await converged(ns, 'web', { ready: [ips.a!, ips.b!, ips.c!].sort(), notReady: [] });
    expect(slices.map((s) => (s.endpoints ?? []).length).sort(), 'two per slice (configured)').to.deep.equal([1, 2]);

    await admin.patch(servicesResource, ns, 'web', 'merge', { spec: { selector: { app: 'api' } } });
    const after = await converged(ns, 'web', { ready: [ips.d!], notReady: [] });
    expect(after.slices).to.have.length(1);

    // A service without a selector: its Endpoints are the user's, the controller does not touch them.
    await service(ns, 'manual', {});
    await admin.create<Endpoints>(endpointsResource, ns, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: ns }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 80, protocol: 'TCP' }] }] });
    await new Promise((r) => setTimeout(r, 1500));
    expect(readyIPs(await getEndpoints(ns, 'manual'))).to.deep.equal(['192.0.2.10']);
    expect(await slicesOf(ns, 'manual'), 'no slices for a selector-less service').to.deep.equal([]);
  });

  it('shows endpoints and slices to the real kubectl', async () => {
    const ns = 'ep-basic';
    const ip = await ipOf(ns, 'a');
    for (const v of ['1.33', '1.27']) {
      const out = await kubectl(v, 'get', 'endpoints,endpointslices', '-n', ns);
      expect(out.code, out.stderr).to.equal(0);
      const lines = out.stdout.split('\n');
      expect(lines.some((l) => /^NAME\s+ENDPOINTS\s+AGE/.test(l)), out.stdout).to.equal(true);
      expect(lines.some((l) => new RegExp(`^endpoints/web\\s+${ip.replace(/\./g, '\\.')}:8080\\s`).test(l)), out.stdout).to.equal(true);
      expect(lines.some((l) => /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE/.test(l)), out.stdout).to.equal(true);
      expect(lines.some((l) => new RegExp(`^endpointslice\\.discovery\\.k8s\\.io/web-[a-z0-9]{5}\\s+IPv4\\s+8080\\s+${ip.replace(/\./g, '\\.')}\\s`).test(l)), out.stdout).to.equal(true);
    }
  });

  it('takes a user-made slice for a selector-less service through kubectl apply, and refuses a bad one', async () => {
    const ns = 'ep-selector';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-eps-'));
    try {
      const manifest = (name: string, addressType: string, ip: string): string =>
        JSON.stringify({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': 'manual' } },
          addressType,
          endpoints: [{ addresses: [ip], conditions: { ready: true } }],
          ports: [{ name: 'http', port: 80 }],
        });
      fs.writeFileSync(path.join(dir, 'good.json'), manifest('manual-1', 'IPv4', '192.0.2.10'));
      fs.writeFileSync(path.join(dir, 'bad.json'), manifest('manual-2', 'IP', '192.0.2.10'));
      const good = await kubectl('1.33', 'apply', '-f', path.join(dir, 'good.json'));
      expect(good.code, good.stderr).to.equal(0);
      expect(good.stdout).to.match(/endpointslice\.discovery\.k8s\.io\/manual-1 created/);
      const got = await kubectl('1.33', 'get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=manual');
      expect(got.stdout).to.match(/^manual-1\s+IPv4\s+80\s+192\.0\.2\.10\s/m);
      // The controller leaves a slice it does not manage alone.
      await new Promise((r) => setTimeout(r, 1000));
      expect((await slicesOf(ns, 'manual')).map((x) => x.metadata.name)).to.deep.equal(['manual-1']);
      const bad = await kubectl('1.33', 'apply', '-f', path.join(dir, 'bad.json'));
      expect(bad.code).to.not.equal(0);
      expect(bad.stderr).to.include('Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an invalid slice with 422 and the field paths', async () => {
    const body: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'bad', namespace: 'ep-basic' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['fd00::1'], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'http', port: 70000, protocol: 'TCP' }],
    };
    const err = await admin.create(endpointSlicesResource, 'ep-basic', body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(InvalidError);
    const causes = (err as InvalidError).causes.map((x) => x.field);
    expect(causes).to.include.members(['endpoints[0].addresses[0]', 'ports[0].port']);
  });

  it('deletes the Endpoints with the service; the garbage collector takes the slices', async () => {
    const ns = 'ep-basic';
    expect(await slicesOf(ns, 'web')).to.have.length(1);
    await admin.delete(servicesResource, ns, 'web');
    await eventually('endpoints and slices gone', async () => ((await getEndpoints(ns, 'web')) === undefined && (await slicesOf(ns, 'web')).length === 0 ? true : undefined));
  });
});
