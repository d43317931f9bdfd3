import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { silentLogger } from '../../common/logging.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { EtcdStorage } from '../storage/etcdStorage.js';
import { storedJson } from '../storage/storedJson.js';
import { WatchCache } from '../watchcache/watchCache.js';
import { CachedObject } from '../watchcache/cachedObject.js';
import { followPods, graphView, NodeGraph, podReferences } from './nodeGraph.js';

const pod = (name: string, spec: Record<string, unknown>): KubeObject => ({ metadata: { name, namespace: 'a' }, spec });

describe('podReferences (what a pod lets its node read)', () => {
  const cases: { name: string; spec: Record<string, unknown>; want: string[] }[] = [
    { name: 'nothing', spec: { containers: [{ name: 'c' }] }, want: [] },
    { name: 'a secret volume and a configMap volume', spec: { volumes: [{ name: 'v', secret: { secretName: 's' } }, { name: 'w', configMap: { name: 'c' } }] }, want: ['/configmaps/c', '/secrets/s'] },
    { name: 'projected sources', spec: { volumes: [{ name: 'p', projected: { sources: [{ secret: { name: 's' } }, { configMap: { name: 'c' } }, { downwardAPI: {} }] } }] }, want: ['/configmaps/c', '/secrets/s'] },
    { name: 'a claim and an ephemeral volume', spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pvc' } }, { name: 'scratch', ephemeral: {} }] }, want: ['/persistentvolumeclaims/p-scratch', '/persistentvolumeclaims/pvc'] },
    {
      name: 'env and envFrom of containers, init and ephemeral containers',
      spec: {
        initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 's1' } }] }],
        containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's2', key: 'k' } } }, { name: 'Y', valueFrom: { configMapKeyRef: { name: 'c1', key: 'k' } } }, { name: 'Z', value: 'plain' }] }],
        ephemeralContainers: [{ name: 'e', envFrom: [{ configMapRef: { name: 'c2' } }] }],
      },
      want: ['/configmaps/c1', '/configmaps/c2', '/secrets/s1', '/secrets/s2'],
    },
    { name: 'pull secrets and the service account', spec: { imagePullSecrets: [{ name: 'pull' }], serviceAccountName: 'sa' }, want: ['/secrets/pull', '/serviceaccounts/sa'] },
    { name: 'a CSI volume\'s publish secret', spec: { volumes: [{ name: 'v', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi' } } }] }, want: ['/secrets/csi'] },
    { name: 'malformed fields are ignored', spec: { volumes: 'x', containers: [null, { env: [{ valueFrom: { secretKeyRef: { name: 3 } } }] }], imagePullSecrets: [{}] }, want: [] },
  ];
  for (const tc of cases) it(tc.name, () => expect(podReferences(pod('p', tc.spec)).sort()).to.deep.equal(tc.want));
});

describe('graphView (a pod entry read without parsing all of it)', () => {
  const cases: { name: string; obj: KubeObject }[] = [
    { name: 'an ephemeral volume (named after the pod) and a secret', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a', managedFields: [{ manager: 'x' }] }, spec: { nodeName: 'n1', volumes: [{ name: 'scratch', ephemeral: {} }, { name: 's', secret: { secretName: 's' } }] }, status: { phase: 'Running' } } },
    { name: 'spec before metadata', obj: { spec: { nodeName: 'n1', serviceAccountName: 'sa' }, apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q', namespace: 'b' } } as KubeObject },
    { name: 'no spec', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'r', namespace: 'c' } } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const view = graphView(CachedObject.stamped(`/registry/pods/${tc.obj.metadata.namespace!}/${tc.obj.metadata.name!}`, 3, tc.obj));
      expect([view.metadata.name, view.metadata.namespace, view.spec]).to.deep.equal([tc.obj.metadata.name, tc.obj.metadata.namespace, tc.obj.spec]);
      expect(podReferences(view)).to.deep.equal(podReferences(tc.obj));
    });
  }
});

describe('NodeGraph', () => {
  it('grants while a bound pod refers to an object, counting pods that share it', () => {
    const g = new NodeGraph();
    const uses = (name: string, node: string | undefined, secret: string): KubeObject => pod(name, { ...(node ? { nodeName: node } : {}), volumes: [{ name: 'v', secret: { secretName: secret } }] });
    g.setPod('k/p1', uses('p1', undefined, 's'));
    expect(g.allows('n1', '/secrets', 'a', 's'), 'unbound').to.equal(false);
    g.setPod('k/p1', uses('p1', 'n1', 's'));
    g.setPod('k/p2', uses('p2', 'n1', 's'));
    expect(g.allows('n1', '/secrets', 'a', 's')).to.equal(true);
    expect(g.allows('n2', '/secrets', 'a', 's'), 'another node').to.equal(false);
    expect(g.allows('n1', '/secrets', 'b', 's'), 'another namespace').to.equal(false);
    expect(g.allows('n1', '/configmaps', 'a', 's'), 'another kind').to.equal(false);
    g.setPod('k/p1', undefined);
    expect(g.allows('n1', '/secrets', 'a', 's'), 'p2 still uses it').to.equal(true);
    g.setPod('k/p2', uses('p2', 'n1', 'other'));
    expect(g.allows('n1', '/secrets', 'a', 's'), 'no pod uses it any more').to.equal(false);
    expect(g.allows('n1', '/secrets', 'a', 'other')).to.equal(true);
    g.setPod('k/p2', undefined);
    expect(g.size).to.equal(0);
  });
});

describe('NodeGraph: claims and their volumes', () => {
  const claim = (name: string, volumeName?: string): KubeObject => ({ metadata: { name, namespace: 'a' }, spec: volumeName ? { volumeName } : {} });
  const usesClaim = (name: string, node: string, claimName: string): KubeObject => pod(name, { nodeName: node, volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }] });
  it('grants a volume through any claim bound to it that a pod of the node uses, and takes it back', () => {
    const g = new NodeGraph();
    g.setClaim('k/c1', claim('c1', 'pv'));
    g.setClaim('k/c2', claim('c2', 'pv'));
    expect(g.allows('n1', '/persistentvolumes', '', 'pv'), 'no pod').to.equal(false);
    g.setPod('k/p', usesClaim('p', 'n1', 'c2'));
    expect(g.allows('n1', '/persistentvolumes', '', 'pv')).to.equal(true);
    g.setClaim('k/c2', claim('c2'));
    expect(g.allows('n1', '/persistentvolumes', '', 'pv'), 'c2 unbound; c1 is bound but unused').to.equal(false);
    g.setClaim('k/c2', claim('c2', 'pv'));
    g.setClaim('k/c2', undefined);
    expect(g.allows('n1', '/persistentvolumes', '', 'pv'), 'c2 deleted').to.equal(false);
    g.clear();
    g.setPod('k/p', usesClaim('p', 'n1', 'c1'));
    expect(g.allows('n1', '/persistentvolumes', '', 'pv'), 'clear forgot the claims').to.equal(false);
  });
});

describe('followPods: the graph fed from the watch cache (real etcd)', function () {
  this.timeout(30_000);
  const root = '/registry/';
  let etcd: EtcdProcess;
  let tmp: { dir: string; remove: () => void };
  let storage: EtcdStorage;
  let cache: WatchCache;
  let stop: () => void;
  const graph = new NodeGraph();

  before(async () => {
    tmp = makeTempDir('gantry-nodegraph');
    etcd = await startEtcd({ dataDir: tmp.dir });
    storage = new EtcdStorage({ endpoints: [etcd.endpoint], logger: silentLogger() });
    cache = new WatchCache({ storage, logger: silentLogger(), root });
    await cache.start();
    stop = followPods(cache, root, graph, silentLogger());
  });
  after(async () => {
    stop?.();
    cache?.stop();
    await storage?.close();
    await etcd?.stop();
    tmp?.remove();
  });

  const key = `${root}pods/a/p`;
  const podWith = (spec: Record<string, unknown>, phase: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec, status: { phase } });
  const secretVolume = (secretName: string): Record<string, unknown> => ({ name: 'v', secret: { secretName } });
  let rev = 0;
  /** Writes as the store does and waits for the graph to see it. */
  async function write(obj: KubeObject): Promise<void> {
    const stored = storedJson(obj);
    rev = rev === 0 ? await storage.create(key, obj, stored.bytes) : await storage.update(key, obj, rev, stored.bytes);
    expect(await cache.waitForRevision(rev, 5_000)).to.equal(true);
  }
  const allows = (secret: string, node = 'n1'): boolean => graph.allows(node, '/secrets', 'a', secret);

  it('follows binding, status writes, spec changes and deletion', async () => {
    rev = 0;
    await write(podWith({ volumes: [secretVolume('s')] }, 'Pending'));
    expect(allows('s'), 'unbound').to.equal(false);
    await write(podWith({ nodeName: 'n1', volumes: [secretVolume('s')] }, 'Pending'));
    expect(allows('s'), 'bound').to.equal(true);
    await write(podWith({ nodeName: 'n1', volumes: [secretVolume('s')] }, 'Running'));
    expect(allows('s'), 'after a status write').to.equal(true);
    await write(podWith({ nodeName: 'n1', volumes: [secretVolume('t')] }, 'Running'));
    expect([allows('s'), allows('t')], 'the spec now names another secret').to.deep.equal([false, true]);
    await write(podWith({ volumes: [secretVolume('t')], nodeName: 'n1' }, 'Running'));
    expect(allows('t'), 'the same spec in another member order').to.equal(true);
    const deleted = await storage.delete(key);
    expect(await cache.waitForRevision(deleted, 5_000)).to.equal(true);
    expect([allows('t'), graph.size]).to.deep.equal([false, 0]);
  });
});
