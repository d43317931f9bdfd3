import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { NodeGraph, podReferences } from './nodeGraph.js';

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
