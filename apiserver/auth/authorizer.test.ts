import { expect } from 'chai';
import { ApiError } from '../../common/errors.js';
import { resolveRequest } from '../http/requestInfo.js';
import { isOwnVolumeSelector, RuleAuthorizer, withLabelSelector } from './authorizer.js';
import { NodeGraph } from './nodeGraph.js';
import type { UserInfo } from './tokens.js';

const node: UserInfo = { name: 'system:node:n1', uid: 'n1', groups: ['system:nodes', 'system:authenticated'] };
const scheduler: UserInfo = { name: 'system:kube-scheduler', uid: 's', groups: ['system:authenticated'] };
const controllers: UserInfo = { name: 'system:kube-controller-manager', uid: 'c', groups: ['system:authenticated'] };
const nobody: UserInfo = { name: 'nobody', uid: 'x', groups: ['system:authenticated'] };
const bootstrapper: UserInfo = { name: 'system:bootstrap:abcdef', uid: '', groups: ['system:bootstrappers', 'system:bootstrappers:gantry:default-node-token', 'system:authenticated'] };
const anonymous: UserInfo = { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

const cases: { user: UserInfo; method: string; url: string; allowed: boolean }[] = [
  // The node agent: its Node, the pods, what pods mount, events, its lease.
  { user: node, method: 'GET', url: '/api/v1/nodes/n1', allowed: true },
  { user: node, method: 'GET', url: '/api/v1/nodes?watch=true', allowed: true },
  { user: node, method: 'POST', url: '/api/v1/nodes', allowed: true },
  { user: node, method: 'PUT', url: '/api/v1/nodes/n1/status', allowed: true },
  { user: node, method: 'PATCH', url: '/api/v1/nodes/n1/status', allowed: true },
  { user: node, method: 'PATCH', url: '/api/v1/nodes/n1', allowed: true },
  // Its own Node only (NodeRestriction narrows it): `gantry leave` deletes the node as the node.
  { user: node, method: 'DELETE', url: '/api/v1/nodes/n1', allowed: true },
  // Its serving certificate: create and read CSRs (its own only: csrRestriction.ts), never approve or sign.
  { user: node, method: 'POST', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests', allowed: true },
  { user: node, method: 'GET', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c', allowed: true },
  { user: node, method: 'PUT', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval', allowed: false },
  { user: node, method: 'PUT', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c/status', allowed: false },
  // A joining node with a bootstrap token: its CSR, nothing else.
  { user: bootstrapper, method: 'POST', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests', allowed: true },
  { user: bootstrapper, method: 'GET', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c?watch=true', allowed: true },
  { user: bootstrapper, method: 'PATCH', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval', allowed: false },
  { user: bootstrapper, method: 'DELETE', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c', allowed: false },
  { user: bootstrapper, method: 'GET', url: '/api/v1/namespaces/kube-system/secrets', allowed: false },
  { user: bootstrapper, method: 'GET', url: '/api/v1/nodes', allowed: false },
  { user: bootstrapper, method: 'GET', url: '/api/v1/namespaces/kube-public/configmaps/cluster-info', allowed: true },
  // Anonymous: cluster-info, and nothing else (not even another config map there).
  { user: anonymous, method: 'GET', url: '/api/v1/namespaces/kube-public/configmaps/cluster-info', allowed: true },
  { user: anonymous, method: 'GET', url: '/api/v1/namespaces/kube-public/configmaps/other', allowed: false },
  { user: anonymous, method: 'GET', url: '/api/v1/namespaces/default/configmaps/cluster-info', allowed: false },
  { user: anonymous, method: 'GET', url: '/api/v1/namespaces/kube-public/configmaps', allowed: false },
  { user: anonymous, method: 'PUT', url: '/api/v1/namespaces/kube-public/configmaps/cluster-info', allowed: false },
  { user: anonymous, method: 'GET', url: '/version', allowed: false },
  // The controller manager approves and signs.
  { user: controllers, method: 'PUT', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval', allowed: true },
  { user: controllers, method: 'PUT', url: '/apis/certificates.k8s.io/v1/certificatesigningrequests/c/status', allowed: true },
  { user: node, method: 'GET', url: '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1', allowed: true },
  { user: node, method: 'PATCH', url: '/api/v1/namespaces/a/pods/p/status', allowed: true },
  { user: node, method: 'PUT', url: '/api/v1/namespaces/a/pods/p/status', allowed: true },
  { user: node, method: 'DELETE', url: '/api/v1/namespaces/a/pods/p', allowed: true },
  { user: node, method: 'POST', url: '/api/v1/namespaces/a/pods', allowed: false },
  { user: node, method: 'PUT', url: '/api/v1/namespaces/a/pods/p', allowed: false },
  { user: node, method: 'POST', url: '/api/v1/namespaces/a/pods/p/binding', allowed: false },
  // Secrets and ConfigMaps: only through the graph (no pod refers to these: refused), never listed or watched.
  { user: node, method: 'GET', url: '/api/v1/namespaces/a/secrets/s', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/secrets', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/namespaces/a/configmaps?watch=1', allowed: false },
  { user: node, method: 'PUT', url: '/api/v1/namespaces/a/secrets/s', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/services', allowed: true },
  { user: node, method: 'POST', url: '/api/v1/namespaces/a/events', allowed: true },
  { user: node, method: 'PATCH', url: '/api/v1/namespaces/a/events/e', allowed: true },
  { user: node, method: 'POST', url: '/apis/events.k8s.io/v1/namespaces/a/events', allowed: true },
  { user: node, method: 'GET', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', allowed: true },
  { user: node, method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', allowed: true },
  { user: node, method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', allowed: true },
  { user: node, method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', allowed: false },
  { user: node, method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/gantry-scheduler', allowed: false },
  { user: node, method: 'GET', url: '/apis/apps/v1/deployments', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/namespaces/a/pods/p/log', allowed: false },
  { user: node, method: 'GET', url: '/version', allowed: true },
  // Volumes: its own local-path volumes by their exact label; a claim's volume only through the graph (none here).
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes?labelSelector=storage.gantry.dev%2Fnode%3Dn1', allowed: true },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes?labelSelector=storage.gantry.dev%2Fnode%3Dn1&watch=true', allowed: true },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes?labelSelector=storage.gantry.dev%2Fnode%3D%3Dn1', allowed: true },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes?labelSelector=storage.gantry.dev%2Fnode%3Dn2', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes?labelSelector=storage.gantry.dev%2Fnode%20in%20(n1)', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes?fieldSelector=metadata.name%3Dx', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes/pv1', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/persistentvolumes/pv1?labelSelector=storage.gantry.dev%2Fnode%3Dn1', allowed: false },
  { user: node, method: 'PATCH', url: '/api/v1/persistentvolumes/pv1', allowed: true },
  { user: node, method: 'PUT', url: '/api/v1/persistentvolumes/pv1/status', allowed: false },
  { user: node, method: 'DELETE', url: '/api/v1/persistentvolumes/pv1', allowed: false },
  { user: node, method: 'POST', url: '/api/v1/persistentvolumes', allowed: false },
  { user: node, method: 'GET', url: '/api/v1/namespaces/a/persistentvolumeclaims', allowed: false },
  { user: node, method: 'PATCH', url: '/api/v1/namespaces/a/persistentvolumeclaims/c', allowed: false },
  { user: node, method: 'GET', url: '/apis/storage.k8s.io/v1/storageclasses', allowed: false },
  // The scheduler: informers, bindings, preemption, status, events, its leader lease.
  { user: scheduler, method: 'GET', url: '/api/v1/pods?watch=true', allowed: true },
  { user: scheduler, method: 'GET', url: '/api/v1/nodes', allowed: true },
  { user: scheduler, method: 'GET', url: '/api/v1/namespaces', allowed: true },
  { user: scheduler, method: 'GET', url: '/apis/scheduling.k8s.io/v1/priorityclasses', allowed: true },
  { user: scheduler, method: 'GET', url: '/apis/apps/v1/replicasets', allowed: true },
  { user: scheduler, method: 'POST', url: '/api/v1/namespaces/a/pods/p/binding', allowed: true },
  { user: scheduler, method: 'POST', url: '/api/v1/namespaces/a/pods/p/eviction', allowed: true },
  { user: scheduler, method: 'PATCH', url: '/api/v1/namespaces/a/pods/p/status', allowed: true },
  { user: scheduler, method: 'POST', url: '/api/v1/namespaces/a/events', allowed: true },
  { user: scheduler, method: 'PATCH', url: '/api/v1/namespaces/a/events/e', allowed: true },
  { user: scheduler, method: 'GET', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/gantry-scheduler', allowed: true },
  { user: scheduler, method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', allowed: true },
  { user: scheduler, method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/gantry-scheduler', allowed: true },
  { user: scheduler, method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', allowed: false },
  { user: scheduler, method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', allowed: false },
  { user: scheduler, method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', allowed: false },
  { user: scheduler, method: 'POST', url: '/api/v1/namespaces/a/pods', allowed: false },
  { user: scheduler, method: 'PUT', url: '/api/v1/nodes/n1', allowed: false },
  { user: scheduler, method: 'GET', url: '/api/v1/namespaces/a/secrets', allowed: false },
  // VolumeBinding: reads claims, volumes, classes; patches claims (the selected-node annotation only: admission).
  { user: scheduler, method: 'GET', url: '/api/v1/persistentvolumeclaims?watch=true', allowed: true },
  { user: scheduler, method: 'GET', url: '/api/v1/persistentvolumes', allowed: true },
  { user: scheduler, method: 'GET', url: '/apis/storage.k8s.io/v1/storageclasses', allowed: true },
  { user: scheduler, method: 'GET', url: '/apis/apps/v1/statefulsets', allowed: true },
  { user: scheduler, method: 'PATCH', url: '/api/v1/namespaces/a/persistentvolumeclaims/c', allowed: true },
  { user: scheduler, method: 'PUT', url: '/api/v1/namespaces/a/persistentvolumeclaims/c', allowed: false },
  { user: scheduler, method: 'PATCH', url: '/api/v1/namespaces/a/persistentvolumeclaims/c/status', allowed: false },
  { user: scheduler, method: 'DELETE', url: '/api/v1/namespaces/a/persistentvolumeclaims/c', allowed: false },
  { user: scheduler, method: 'PATCH', url: '/api/v1/persistentvolumes/pv1', allowed: false },
  { user: scheduler, method: 'POST', url: '/apis/storage.k8s.io/v1/storageclasses', allowed: false },
  // The controller manager: reads and cleans up anything, creates what controllers make.
  { user: controllers, method: 'GET', url: '/api/v1/namespaces/a/secrets', allowed: true },
  { user: controllers, method: 'POST', url: '/apis/apps/v1/namespaces/a/replicasets', allowed: true },
  { user: controllers, method: 'POST', url: '/api/v1/namespaces/a/pods', allowed: true },
  { user: controllers, method: 'PUT', url: '/apis/apps/v1/namespaces/a/deployments/d/status', allowed: true },
  { user: controllers, method: 'DELETE', url: '/api/v1/namespaces/a/configmaps', allowed: true },
  { user: controllers, method: 'POST', url: '/api/v1/namespaces/a/secrets', allowed: false },
  { user: controllers, method: 'POST', url: '/api/v1/namespaces/a/persistentvolumeclaims', allowed: true },
  { user: controllers, method: 'POST', url: '/api/v1/persistentvolumes', allowed: true },
  { user: controllers, method: 'PATCH', url: '/api/v1/persistentvolumes/pv1/status', allowed: true },
  { user: controllers, method: 'PATCH', url: '/apis/apps/v1/namespaces/a/statefulsets/s/status', allowed: true },
  { user: controllers, method: 'POST', url: '/apis/apps/v1/namespaces/a/statefulsets', allowed: false },
  { user: controllers, method: 'POST', url: '/apis/storage.k8s.io/v1/storageclasses', allowed: false },
  { user: controllers, method: 'GET', url: '/api/v1/namespaces/a/pods/p/exec?command=sh', allowed: false },
  { user: controllers, method: 'PUT', url: '/api/v1/namespaces/ns/finalize', allowed: true },
  { user: controllers, method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', allowed: true },
  { user: controllers, method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/gantry-scheduler', allowed: false },
  { user: controllers, method: 'PATCH', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', allowed: false },
  { user: controllers, method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', allowed: false },
  { user: controllers, method: 'DELETE', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', allowed: true },
  // Everyone else: discovery only.
  { user: nobody, method: 'GET', url: '/apis', allowed: true },
  { user: nobody, method: 'GET', url: '/api/v1/pods', allowed: false },
  // ... and questions about itself (Kubernetes' system:basic-user).
  { user: nobody, method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', allowed: true },
  { user: nobody, method: 'POST', url: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', allowed: true },
  { user: nobody, method: 'POST', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews', allowed: true },
  { user: nobody, method: 'POST', url: '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews', allowed: true },
  { user: nobody, method: 'POST', url: '/apis/authorization.k8s.io/v1/subjectaccessreviews', allowed: false },
  { user: nobody, method: 'GET', url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', allowed: false },
];

describe('RuleAuthorizer default rules', () => {
  const authorizer = new RuleAuthorizer();
  for (const tc of cases) {
    it(`${tc.allowed ? 'allows' : 'forbids'} ${tc.user.name}: ${tc.method} ${tc.url}`, () => {
      const u = new URL(tc.url, 'https://x');
      const info = resolveRequest(tc.method, u.pathname, u.searchParams);
      let err: unknown;
      try {
        authorizer.authorize(tc.user, withLabelSelector(info, u.searchParams));
      } catch (e) {
        err = e;
      }
      if (tc.allowed) expect(err).to.equal(undefined);
      else expect(err).to.be.instanceOf(ApiError).with.property('reason', 'Forbidden');
    });
  }
});

describe('isOwnVolumeSelector (a node\'s list and watch of PersistentVolumes)', () => {
  const cases: { selector: string | undefined; own: boolean }[] = [
    { selector: 'storage.gantry.dev/node=n1', own: true },
    { selector: 'storage.gantry.dev/node==n1', own: true },
    { selector: ' storage.gantry.dev/node = n1 ', own: true },
    { selector: undefined, own: false },
    { selector: '', own: false },
    { selector: 'storage.gantry.dev/node=n10', own: false },
    { selector: 'storage.gantry.dev/node=n', own: false },
    { selector: 'storage.gantry.dev/node!=n1', own: false },
    { selector: 'storage.gantry.dev/node', own: false },
    { selector: 'storage.gantry.dev/node=n1,app=x', own: false },
    { selector: 'storage.gantry.dev/node in (n1)', own: false },
    { selector: 'other/node=n1', own: false },
  ];
  for (const tc of cases) it(`${JSON.stringify(tc.selector)}: ${tc.own}`, () => expect(isOwnVolumeSelector(tc.selector, 'n1')).to.equal(tc.own));
});

describe('the node authorizer and volumes (pod -> claim -> volume)', () => {
  const graph = new NodeGraph();
  const authorizer = new RuleAuthorizer(undefined, { nodeGraph: graph });
  const allowed = (user: UserInfo, url: string): boolean => {
    const u = new URL(url, 'https://x');
    return authorizer.decide(user, withLabelSelector(resolveRequest('GET', u.pathname, u.searchParams), u.searchParams)).allowed;
  };
  const n2: UserInfo = { name: 'system:node:n2', uid: 'n2', groups: ['system:nodes'] };
  it('a node gets a volume while a pod bound to it uses a claim bound to that volume', () => {
    expect(allowed(node, '/api/v1/persistentvolumes/pv1'), 'nothing yet').to.equal(false);
    graph.setPod('k/p', { metadata: { name: 'p', namespace: 'a' }, spec: { nodeName: 'n1', volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }] } });
    expect(allowed(node, '/api/v1/namespaces/a/persistentvolumeclaims/c'), 'the claim').to.equal(true);
    expect(allowed(node, '/api/v1/persistentvolumes/pv1'), 'the claim is not bound yet').to.equal(false);
    graph.setClaim('k/c', { metadata: { name: 'c', namespace: 'a' }, spec: { volumeName: 'pv1' } });
    expect(allowed(node, '/api/v1/persistentvolumes/pv1')).to.equal(true);
    expect(allowed(n2, '/api/v1/persistentvolumes/pv1'), 'another node').to.equal(false);
    expect(allowed(node, '/api/v1/persistentvolumes/pv2'), 'another volume').to.equal(false);
    expect(allowed(node, '/api/v1/persistentvolumes'), 'still no list').to.equal(false);
    graph.setClaim('k/c', { metadata: { name: 'c', namespace: 'a' }, spec: { volumeName: 'pv2' } });
    expect(allowed(node, '/api/v1/persistentvolumes/pv1'), 'the claim moved').to.equal(false);
    expect(allowed(node, '/api/v1/persistentvolumes/pv2')).to.equal(true);
    graph.setPod('k/p', undefined);
    expect(allowed(node, '/api/v1/persistentvolumes/pv2'), 'the pod is gone').to.equal(false);
  });
});
