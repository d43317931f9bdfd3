// Who may do what, walked against a real API server with each built-in identity's own
// credentials (tokens in the server's token file, a bootstrap token from its Secret, no
// credentials at all for anonymous). Two tables: the requests each identity makes (and the
// attacks it might try) with the exact answer, then a sweep of list/create/deletecollection
// over every kind, where everything not in that identity's row of the README's
// "who may do what" table must be refused.

import { expect } from 'chai';
import { builtinResources, type ResourceDescriptor } from '../../common/api/resources.js';
import { bootstrapTokenSecret, formatBootstrapToken, generateBootstrapToken } from '../../common/pki/bootstrapToken.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';
import type { UserInfo } from './tokens.js';

type Identity = 'admin' | 'n1' | 'n2' | 'scheduler' | 'controllers' | 'dns' | 'bootstrapper' | 'anonymous' | 'nobody';

const users: Record<string, UserInfo> = {
  n1: { name: 'system:node:n1', uid: 'n1', groups: ['system:nodes'] },
  n2: { name: 'system:node:n2', uid: 'n2', groups: ['system:nodes'] },
  scheduler: { name: 'system:kube-scheduler', uid: 's', groups: [] },
  controllers: { name: 'system:kube-controller-manager', uid: 'c', groups: [] },
  dns: { name: 'system:gantry-dns', uid: 'd', groups: [] },
};
const tokenOf = (id: string): string => `identities-test-${id}-token`;

const ns = 'app';
const leases = '/apis/coordination.k8s.io/v1/namespaces';
const lease = (namespace: string, name: string): object => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { holderIdentity: 'x' } });
const mergePatch = 'application/merge-patch+json';
const jsonPatch = 'application/json-patch+json';
const pvs = '/api/v1/persistentvolumes';
const pvcs = `/api/v1/namespaces/app/persistentvolumeclaims`;
const cleanup = 'storage.gantry.dev/local-path-cleanup';
const selectedNode = 'volume.kubernetes.io/selected-node';
const ownVolumes = (node: string): string => `labelSelector=${encodeURIComponent(`storage.gantry.dev/node=${node}`)}`;

interface Row {
  who: Identity;
  method: string;
  path: string;
  body?: object;
  contentType?: string;
  status: number;
  why: string;
}

const rows: Row[] = [
  // An administrator may do anything.
  { who: 'admin', method: 'GET', path: '/api/v1/secrets', status: 200, why: 'lists every Secret' },
  { who: 'admin', method: 'POST', path: `${leases}/default/leases`, body: lease('default', 'admin-lease'), status: 201, why: 'creates a Lease anywhere' },

  // A node: the Secrets, ConfigMaps and ServiceAccounts its pods use, nothing else of those kinds.
  { who: 'n1', method: 'GET', path: '/api/v1/secrets', status: 403, why: 'no cluster-wide list of Secrets' },
  { who: 'n1', method: 'GET', path: '/api/v1/secrets?watch=true', status: 403, why: 'no cluster-wide watch of Secrets' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets`, status: 403, why: 'no list of Secrets in a namespace' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets?fieldSelector=metadata.name%3Dvol-secret`, status: 403, why: 'no list even by name (the agent gets single objects)' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/unused`, status: 403, why: 'a Secret no pod of it uses' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/n2-secret`, status: 403, why: 'a Secret only another node\'s pod uses' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/kube-system/secrets/vol-secret`, status: 403, why: 'the same name in another namespace' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/vol-secret`, status: 200, why: 'a secret volume of its pod' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/env-secret`, status: 200, why: 'an env secretKeyRef of its pod' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/from-secret`, status: 200, why: 'an envFrom secretRef of its pod\'s init container' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/pull-secret`, status: 200, why: 'an imagePullSecret of its pod' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/projected-secret`, status: 200, why: 'a projected Secret of its pod' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/missing-secret`, status: 404, why: 'a Secret its pod names that does not exist (the agent reports it)' },
  { who: 'n1', method: 'PUT', path: `/api/v1/namespaces/${ns}/secrets/vol-secret`, body: { metadata: { name: 'vol-secret' } }, status: 403, why: 'no writes of a Secret it may read' },
  { who: 'n1', method: 'DELETE', path: `/api/v1/namespaces/${ns}/secrets/vol-secret`, status: 403, why: 'no deletes either' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/vol-config`, status: 200, why: 'a configMap volume of its pod' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/env-config`, status: 200, why: 'an env configMapKeyRef of its pod' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/unused`, status: 403, why: 'a ConfigMap no pod of it uses' },
  { who: 'n1', method: 'GET', path: '/api/v1/configmaps', status: 403, why: 'no cluster-wide list of ConfigMaps' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/serviceaccounts/runner`, status: 200, why: 'its pod\'s ServiceAccount' },
  { who: 'n1', method: 'GET', path: `/api/v1/namespaces/${ns}/serviceaccounts/default`, status: 403, why: 'a ServiceAccount no pod of it runs as' },
  { who: 'n1', method: 'GET', path: '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1', status: 200, why: 'its pods (the agent\'s watch)' },
  { who: 'n1', method: 'GET', path: '/api/v1/nodes', status: 200, why: 'Nodes (the overlay routes)' },
  { who: 'n1', method: 'GET', path: '/apis/discovery.k8s.io/v1/endpointslices', status: 200, why: 'EndpointSlices (the service proxy)' },
  { who: 'n1', method: 'GET', path: '/apis/apps/v1/deployments', status: 403, why: 'nothing a node agent does not use' },
  // ... and its own Node and Lease only.
  { who: 'n1', method: 'POST', path: '/api/v1/nodes', body: { metadata: { generateName: 'n1-' } }, status: 403, why: 'a Node by generateName (not its own)' },
  { who: 'n1', method: 'POST', path: '/api/v1/nodes', body: { metadata: { name: 'n3' } }, status: 403, why: 'another Node' },
  { who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n2', body: { metadata: { labels: { a: 'b' } } }, contentType: mergePatch, status: 403, why: 'another node\'s labels' },
  { who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1', body: { metadata: { labels: { 'node-restriction.kubernetes.io/x': 'y' } } }, contentType: mergePatch, status: 403, why: 'a node-restriction.kubernetes.io/ label on itself' },
  { who: 'n1', method: 'PATCH', path: '/api/v1/nodes/n1', body: { metadata: { labels: { 'example.com/zone': 'a' } } }, contentType: mergePatch, status: 200, why: 'an ordinary label on itself' },
  { who: 'n1', method: 'POST', path: `${leases}/kube-system/leases`, body: lease('kube-system', 'n1'), status: 403, why: 'a Lease in kube-system' },
  { who: 'n1', method: 'PUT', path: `${leases}/kube-system/leases/gantry-scheduler`, body: lease('kube-system', 'gantry-scheduler'), status: 403, why: 'the scheduler\'s leader Lease' },
  { who: 'n1', method: 'POST', path: `${leases}/kube-node-lease/leases`, body: lease('kube-node-lease', 'n2'), status: 403, why: 'another node\'s Lease' },
  { who: 'n1', method: 'POST', path: `${leases}/kube-node-lease/leases`, body: { ...lease('kube-node-lease', ''), metadata: { generateName: 'n1', namespace: 'kube-node-lease' } }, status: 403, why: 'a node Lease by generateName' },
  { who: 'n1', method: 'POST', path: `${leases}/kube-node-lease/leases`, body: lease('kube-node-lease', 'n1'), status: 201, why: 'its own Lease' },
  { who: 'n1', method: 'GET', path: `${leases}/kube-node-lease/leases/n1`, status: 200, why: 'reads its own Lease' },
  { who: 'n2', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/n2-secret`, status: 200, why: 'the Secret its own pod uses' },
  { who: 'n2', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/vol-secret`, status: 403, why: 'a Secret only n1\'s pod uses' },
  { who: 'n2', method: 'PUT', path: `${leases}/kube-node-lease/leases/n1`, body: lease('kube-node-lease', 'n1'), status: 403, why: 'n1\'s Lease' },

  // The scheduler: its informers, its leader Lease and nobody else's.
  { who: 'scheduler', method: 'GET', path: '/api/v1/pods', status: 200, why: 'pods' },
  { who: 'scheduler', method: 'PATCH', path: `/api/v1/namespaces/${ns}/pods/uses-everything`, body: { metadata: { annotations: { 'scheduler.gantry.dev/unschedulable-nodes': '{"nodes":{}}' } } }, contentType: mergePatch, status: 200, why: 'annotates a pod with why nodes refused it' },
  { who: 'scheduler', method: 'PUT', path: `/api/v1/namespaces/${ns}/pods/uses-everything`, body: { metadata: { name: 'uses-everything' } }, status: 403, why: 'no update of a pod' },
  { who: 'scheduler', method: 'PATCH', path: `/api/v1/namespaces/${ns}/pods/uses-everything`, body: { metadata: { labels: { app: 'moved' } } }, contentType: mergePatch, status: 403, why: 'relabels a pod (only its annotation may change)' },
  { who: 'scheduler', method: 'PATCH', path: `/api/v1/namespaces/${ns}/pods/uses-everything`, body: { spec: { containers: [{ name: 'c', image: 'evil' }] } }, contentType: mergePatch, status: 403, why: 'changes a pod\'s image' },
  { who: 'scheduler', method: 'POST', path: `${leases}/kube-system/leases`, body: lease('kube-system', 'gantry-scheduler'), status: 201, why: 'creates its leader Lease' },
  { who: 'scheduler', method: 'GET', path: `${leases}/kube-system/leases/gantry-scheduler`, status: 200, why: 'reads its leader Lease' },
  { who: 'scheduler', method: 'PATCH', path: `${leases}/kube-system/leases/gantry-scheduler`, body: { spec: { holderIdentity: 's' } }, contentType: mergePatch, status: 200, why: 'renews its leader Lease' },
  { who: 'scheduler', method: 'POST', path: `${leases}/kube-node-lease/leases`, body: lease('kube-node-lease', 'n2'), status: 403, why: 'a node\'s Lease' },
  { who: 'scheduler', method: 'PUT', path: `${leases}/kube-node-lease/leases/n1`, body: lease('kube-node-lease', 'n1'), status: 403, why: 'overwrites a node\'s Lease' },
  { who: 'scheduler', method: 'GET', path: `${leases}/kube-system/leases/kube-controller-manager`, status: 403, why: 'the controller manager\'s Lease' },
  { who: 'scheduler', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/vol-secret`, status: 403, why: 'Secrets' },

  // The controller manager: reads everything, writes its own leader Lease and no other.
  { who: 'controllers', method: 'GET', path: '/api/v1/secrets', status: 200, why: 'lists Secrets (its controllers need them)' },
  { who: 'controllers', method: 'POST', path: `${leases}/kube-system/leases`, body: lease('kube-system', 'kube-controller-manager'), status: 201, why: 'creates its leader Lease' },
  { who: 'controllers', method: 'PATCH', path: `${leases}/kube-system/leases/kube-controller-manager`, body: { spec: { holderIdentity: 'c' } }, contentType: mergePatch, status: 200, why: 'renews its leader Lease' },
  { who: 'controllers', method: 'PATCH', path: `${leases}/kube-system/leases/gantry-scheduler`, body: { spec: { holderIdentity: 'c' } }, contentType: mergePatch, status: 403, why: 'takes the scheduler\'s Lease' },
  { who: 'controllers', method: 'PATCH', path: `${leases}/kube-node-lease/leases/n1`, body: { spec: { holderIdentity: 'c' } }, contentType: mergePatch, status: 403, why: 'renews a node\'s Lease (a dead node would look alive)' },
  { who: 'controllers', method: 'POST', path: `${leases}/kube-node-lease/leases`, body: lease('kube-node-lease', 'n9'), status: 403, why: 'creates a node Lease' },
  { who: 'controllers', method: 'POST', path: `/api/v1/namespaces/${ns}/secrets`, body: { metadata: { name: 'cm-made' } }, status: 403, why: 'creates Secrets' },
  // The Job controller writes a job's status and its pods' finalizers; the CronJob controller creates Jobs and writes a CronJob's status; no controller creates CronJobs.
  { who: 'controllers', method: 'PATCH', path: `/apis/batch/v1/namespaces/${ns}/jobs/missing/status`, body: { status: { active: 1 } }, contentType: mergePatch, status: 404, why: 'patches a Job\'s status (allowed: the Job is simply not there)' },
  { who: 'controllers', method: 'POST', path: `/apis/batch/v1/namespaces/${ns}/jobs?dryRun=All`, body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'cm-job' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, status: 201, why: 'creates Jobs (a CronJob\'s runs)' },
  { who: 'controllers', method: 'PATCH', path: `/apis/batch/v1/namespaces/${ns}/cronjobs/missing/status`, body: { status: { lastScheduleTime: '2026-01-01T00:00:00Z' } }, contentType: mergePatch, status: 404, why: 'patches a CronJob\'s status (allowed: the CronJob is simply not there)' },
  { who: 'controllers', method: 'POST', path: `/apis/batch/v1/namespaces/${ns}/cronjobs`, body: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cm-cronjob' } }, status: 403, why: 'creates CronJobs' },
  // The DaemonSet controller writes a DaemonSet's status and its ControllerRevisions; no controller creates DaemonSets.
  { who: 'controllers', method: 'POST', path: `/apis/apps/v1/namespaces/${ns}/controllerrevisions?dryRun=All`, body: { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'cm-rev' }, revision: 1 }, status: 201, why: 'creates ControllerRevisions (DaemonSet history)' },
  { who: 'controllers', method: 'PATCH', path: `/apis/apps/v1/namespaces/${ns}/daemonsets/missing/status`, body: { status: { numberReady: 1 } }, contentType: mergePatch, status: 404, why: 'patches a DaemonSet\'s status (allowed: the DaemonSet is simply not there)' },
  { who: 'controllers', method: 'POST', path: `/apis/apps/v1/namespaces/${ns}/daemonsets`, body: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cm-ds' } }, status: 403, why: 'creates DaemonSets' },

  // The DNS server: what it answers from, and its own Service and EndpointSlice.
  { who: 'dns', method: 'GET', path: '/api/v1/services', status: 200, why: 'Services' },
  { who: 'dns', method: 'GET', path: '/apis/discovery.k8s.io/v1/endpointslices', status: 200, why: 'EndpointSlices' },
  { who: 'dns', method: 'GET', path: '/api/v1/secrets', status: 403, why: 'Secrets' },
  { who: 'dns', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/vol-config`, status: 403, why: 'ConfigMaps' },
  { who: 'dns', method: 'POST', path: `${leases}/kube-system/leases`, body: lease('kube-system', 'dns'), status: 403, why: 'Leases' },
  { who: 'dns', method: 'PATCH', path: '/api/v1/nodes/n1', body: { metadata: { labels: { a: 'b' } } }, contentType: mergePatch, status: 403, why: 'Nodes' },

  // A node and volumes: a claim and a volume only through its pods (pod -> claim -> volume);
  // a list or watch of volumes only of its own local-path volumes; a write only to drop the
  // cleanup finalizer of one of its own.
  { who: 'n1', method: 'GET', path: pvs, status: 403, why: 'no list of every PersistentVolume' },
  { who: 'n1', method: 'GET', path: `${pvs}?watch=true`, status: 403, why: 'no watch of every PersistentVolume' },
  { who: 'n1', method: 'GET', path: `${pvs}?${ownVolumes('n2')}`, status: 403, why: 'no list of another node\'s volumes' },
  { who: 'n1', method: 'GET', path: `${pvs}?${ownVolumes('n1')},x%3Dy`, status: 403, why: 'no list by a selector that is not exactly its own (even a narrower one)' },
  { who: 'n1', method: 'GET', path: `${pvs}?labelSelector=storage.gantry.dev%2Fnode`, status: 403, why: 'no list by the label\'s mere existence' },
  { who: 'n1', method: 'GET', path: `${pvs}?labelSelector=storage.gantry.dev%2Fnode!%3Dn2`, status: 403, why: 'no list by "not the other node"' },
  { who: 'n1', method: 'GET', path: `${pvs}?${ownVolumes('n1')}`, status: 200, why: 'lists its own local-path volumes' },
  { who: 'n1', method: 'GET', path: `${pvs}?${ownVolumes('n1')}&watch=true&timeoutSeconds=1`, status: 200, why: 'watches its own local-path volumes' },
  { who: 'n1', method: 'GET', path: `${pvs}/n1-pv?${ownVolumes('n1')}`, status: 200, why: 'gets the volume bound to its pod\'s claim (the graph)' },
  { who: 'n1', method: 'GET', path: `${pvs}/n2-pv`, status: 403, why: 'a volume only another node\'s pod uses' },
  { who: 'n1', method: 'GET', path: `${pvs}/unused-pv`, status: 403, why: 'a volume no pod uses' },
  { who: 'n1', method: 'GET', path: `${pvcs}/n1-claim`, status: 200, why: 'its pod\'s claim' },
  { who: 'n1', method: 'GET', path: `${pvcs}/n2-claim`, status: 403, why: 'another node\'s pod\'s claim' },
  { who: 'n1', method: 'GET', path: pvcs, status: 403, why: 'no list of claims' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/n2-pv`, body: [{ op: 'remove', path: '/metadata/finalizers/0' }], contentType: jsonPatch, status: 403, why: 'another node\'s volume, even to drop its cleanup finalizer' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/unused-pv`, body: { metadata: { finalizers: null } }, contentType: mergePatch, status: 403, why: 'a volume without its label' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/n1-pv`, body: { metadata: { labels: { 'storage.gantry.dev/node': 'n2' } } }, contentType: mergePatch, status: 403, why: 'relabelling its volume' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/n1-pv`, body: { spec: { persistentVolumeReclaimPolicy: 'Retain' } }, contentType: mergePatch, status: 403, why: 'changing its volume\'s spec' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/n1-pv`, body: { metadata: { finalizers: [cleanup] } }, contentType: mergePatch, status: 403, why: 'dropping the protection finalizer instead' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/n1-pv`, body: { metadata: { finalizers: null }, spec: { persistentVolumeReclaimPolicy: 'Retain' } }, contentType: mergePatch, status: 403, why: 'dropping its finalizer together with another change' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/n1-pv/status`, body: { status: { phase: 'Failed' } }, contentType: mergePatch, status: 403, why: 'a volume\'s status' },
  { who: 'n1', method: 'DELETE', path: `${pvs}/n1-pv`, status: 403, why: 'deleting its volume' },
  { who: 'n1', method: 'POST', path: pvs, body: { metadata: { name: 'n1-made' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/' } } }, status: 403, why: 'creating a volume (a hostPath of /)' },
  { who: 'n1', method: 'PATCH', path: `${pvs}/n1-pv`, body: { metadata: { finalizers: ['kubernetes.io/pv-protection'] } }, contentType: mergePatch, status: 200, why: 'drops the cleanup finalizer of its own volume' },

  // The scheduler and claims: reads claims, volumes and classes; writes only the selected-node annotation.
  { who: 'scheduler', method: 'GET', path: '/api/v1/persistentvolumeclaims', status: 200, why: 'lists claims' },
  { who: 'scheduler', method: 'GET', path: pvs, status: 200, why: 'lists volumes' },
  { who: 'scheduler', method: 'GET', path: '/apis/storage.k8s.io/v1/storageclasses?watch=true&timeoutSeconds=1', status: 200, why: 'watches classes' },
  { who: 'scheduler', method: 'PATCH', path: `${pvcs}/free-claim`, body: { spec: { volumeName: 'n2-pv' } }, contentType: mergePatch, status: 403, why: 'binding a claim to a volume of its choice (a valid spec change)' },
  { who: 'scheduler', method: 'PATCH', path: `${pvcs}/n1-claim`, body: { metadata: { labels: { a: 'b' }, annotations: { [selectedNode]: 'n1' } } }, contentType: mergePatch, status: 403, why: 'the annotation together with a label' },
  { who: 'scheduler', method: 'PATCH', path: `${pvcs}/n1-claim`, body: { metadata: { annotations: { 'volume.kubernetes.io/storage-provisioner': 'x' } } }, contentType: mergePatch, status: 403, why: 'another annotation' },
  { who: 'scheduler', method: 'PATCH', path: `${pvcs}/n1-claim/status`, body: { status: { phase: 'Bound' } }, contentType: mergePatch, status: 403, why: 'a claim\'s status' },
  { who: 'scheduler', method: 'PUT', path: `${pvcs}/n1-claim`, body: { metadata: { name: 'n1-claim' } }, status: 403, why: 'replacing a claim' },
  { who: 'scheduler', method: 'DELETE', path: `${pvcs}/n1-claim`, status: 403, why: 'deleting a claim' },
  { who: 'scheduler', method: 'POST', path: pvs, body: { metadata: { name: 's-pv' } }, status: 403, why: 'creating volumes' },
  { who: 'scheduler', method: 'PATCH', path: `${pvcs}/n1-claim`, body: { metadata: { annotations: { [selectedNode]: 'n1' } } }, contentType: mergePatch, status: 200, why: 'sets the selected-node annotation' },
  { who: 'scheduler', method: 'PATCH', path: `${pvcs}/n1-claim`, body: [{ op: 'remove', path: `/metadata/annotations/${selectedNode.replace('/', '~1')}` }], contentType: jsonPatch, status: 200, why: 'removes it again (any patch type)' },

  // The controller manager makes claims (StatefulSets) and volumes (the provisioner); not classes.
  { who: 'controllers', method: 'POST', path: `${pvcs}?dryRun=All`, body: { metadata: { name: 'cm-claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }, status: 201, why: 'creates claims' },
  { who: 'controllers', method: 'POST', path: `${pvs}?dryRun=All`, body: { metadata: { name: 'cm-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' } } }, status: 201, why: 'creates volumes' },
  { who: 'controllers', method: 'PATCH', path: `${pvs}/missing/status`, body: { status: { phase: 'Available' } }, contentType: mergePatch, status: 404, why: 'writes a volume\'s status (allowed: the volume is simply not there)' },
  { who: 'controllers', method: 'PATCH', path: `${pvcs}/n2-claim`, body: { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } } }, contentType: mergePatch, status: 200, why: 'annotates claims (the binder)' },
  { who: 'controllers', method: 'POST', path: '/apis/storage.k8s.io/v1/storageclasses', body: { metadata: { name: 'cm-sc' }, provisioner: 'x' }, status: 403, why: 'creates StorageClasses' },
  { who: 'controllers', method: 'POST', path: '/apis/apps/v1/namespaces/app/statefulsets', body: { metadata: { name: 'cm-sts' } }, status: 403, why: 'creates StatefulSets' },
  { who: 'dns', method: 'GET', path: pvs, status: 403, why: 'PersistentVolumes' },

  // A joining node's bootstrap token: its own CSR and the public cluster-info.
  { who: 'bootstrapper', method: 'GET', path: '/api/v1/namespaces/kube-public/configmaps/cluster-info', status: 200, why: 'cluster-info' },
  { who: 'bootstrapper', method: 'GET', path: '/apis/certificates.k8s.io/v1/certificatesigningrequests', status: 403, why: 'everyone\'s CSRs' },
  { who: 'bootstrapper', method: 'GET', path: '/api/v1/secrets', status: 403, why: 'Secrets' },
  { who: 'bootstrapper', method: 'GET', path: '/api/v1/nodes', status: 403, why: 'Nodes' },
  { who: 'bootstrapper', method: 'POST', path: `${leases}/kube-node-lease/leases`, body: lease('kube-node-lease', 'n9'), status: 403, why: 'a node Lease' },

  // No credentials: cluster-info, and 401 for everything else.
  { who: 'anonymous', method: 'GET', path: '/api/v1/namespaces/kube-public/configmaps/cluster-info', status: 200, why: 'cluster-info' },
  { who: 'anonymous', method: 'GET', path: '/api/v1/secrets', status: 401, why: 'Secrets' },
  { who: 'anonymous', method: 'GET', path: '/version', status: 401, why: 'the version' },
  { who: 'anonymous', method: 'POST', path: `${leases}/kube-node-lease/leases`, body: lease('kube-node-lease', 'n9'), status: 401, why: 'a Lease' },

  // Authenticated but bound to nothing: discovery and questions about itself.
  { who: 'nobody', method: 'GET', path: '/api', status: 200, why: 'discovery' },
  { who: 'nobody', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/vol-secret`, status: 403, why: 'a Secret' },
];

/**
 * The sweep: per identity, the kinds (`group/plural`) it may list cluster-wide, create and
 * delete as a collection in a namespace; every other kind must be refused. Written out by
 * hand from the README table, not computed from the rules.
 */
const all = builtinResources.map((r) => `${r.group}/${r.plural}`);
const namespaced = builtinResources.filter((r) => r.namespaced).map((r) => `${r.group}/${r.plural}`);
const sweep: Record<Identity, { list: string[]; create: string[]; deletecollection: string[] }> = {
  admin: { list: all, create: all, deletecollection: namespaced },
  n1: { list: ['/pods', '/nodes', '/services', '/endpoints', 'discovery.k8s.io/endpointslices'], create: ['/events', 'certificates.k8s.io/certificatesigningrequests'], deletecollection: [] },
  n2: { list: ['/pods', '/nodes', '/services', '/endpoints', 'discovery.k8s.io/endpointslices'], create: ['/events', 'certificates.k8s.io/certificatesigningrequests'], deletecollection: [] },
  scheduler: {
    list: ['/pods', '/nodes', '/namespaces', '/services', 'apps/replicasets', 'apps/statefulsets', 'scheduling.k8s.io/priorityclasses', '/persistentvolumeclaims', '/persistentvolumes', 'storage.k8s.io/storageclasses', 'policy/poddisruptionbudgets'],
    create: ['/events'],
    deletecollection: [],
  },
  controllers: {
    list: all,
    create: ['/namespaces', '/pods', '/services', '/endpoints', '/configmaps', '/serviceaccounts', '/events', 'apps/deployments', 'apps/replicasets', 'discovery.k8s.io/endpointslices', 'batch/jobs', 'apps/controllerrevisions', '/persistentvolumeclaims', '/persistentvolumes'],
    deletecollection: namespaced,
  },
  dns: { list: ['/namespaces', '/pods', '/services', '/endpoints', 'discovery.k8s.io/endpointslices'], create: ['/services', '/endpoints', 'discovery.k8s.io/endpointslices'], deletecollection: [] },
  bootstrapper: { list: [], create: ['certificates.k8s.io/certificatesigningrequests'], deletecollection: [] },
  anonymous: { list: [], create: [], deletecollection: [] },
  nobody: { list: [], create: [], deletecollection: [] },
};

const collectionPath = (r: ResourceDescriptor, namespace?: string): string => {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${namespace}/${r.plural}` : `${base}/${r.plural}`;
};

describe('every built-in identity against a real API server (who may do what)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let bootstrapToken = '';
  const tokens = (): Record<Identity, string> => ({
    admin: cluster.access.token!,
    n1: tokenOf('n1'),
    n2: tokenOf('n2'),
    scheduler: tokenOf('scheduler'),
    controllers: tokenOf('controllers'),
    dns: tokenOf('dns'),
    bootstrapper: bootstrapToken,
    anonymous: '',
    nobody: cluster.nobodyToken,
  });
  const create = async (path: string, body: object): Promise<void> => {
    const r = await cluster.client.request('POST', path, { body });
    expect(r.status, `${path}: ${r.text}`).to.equal(201);
  };
  const pod = (name: string, spec: object): object => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1' }], ...spec } });

  before(async () => {
    cluster = await startTestCluster({ users: Object.entries(users).map(([id, user]) => ({ token: tokenOf(id), user })) });
    const t = generateBootstrapToken();
    bootstrapToken = formatBootstrapToken(t);
    await create('/api/v1/namespaces/kube-system/secrets', bootstrapTokenSecret(t, { ttlMs: 3_600_000, now: Date.now() }));
    await create('/api/v1/namespaces/kube-public/configmaps', { metadata: { name: 'cluster-info' }, data: { kubeconfig: 'x' } });
    for (const n of ['app', 'sweep']) await create('/api/v1/namespaces', { metadata: { name: n } });
    for (const n of ['n1', 'n2']) await create('/api/v1/nodes', { metadata: { name: n } });
    for (const s of ['vol-secret', 'env-secret', 'from-secret', 'pull-secret', 'projected-secret', 'unused', 'n2-secret', 'late-secret']) await create(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: s }, data: { k: 'dg==' } });
    await create('/api/v1/namespaces/kube-system/secrets', { metadata: { name: 'vol-secret' }, data: { k: 'dg==' } });
    for (const c of ['vol-config', 'env-config', 'unused']) await create(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: c }, data: { k: 'v' } });
    for (const s of ['runner', 'default']) await create(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: s } });
    await create(`/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'uses-everything' },
      spec: {
        nodeName: 'n1',
        serviceAccountName: 'runner',
        imagePullSecrets: [{ name: 'pull-secret' }],
        volumes: [
          { name: 'a', secret: { secretName: 'vol-secret' } },
          { name: 'b', configMap: { name: 'vol-config' } },
          { name: 'c', projected: { sources: [{ secret: { name: 'projected-secret' } }] } },
          { name: 'd', secret: { secretName: 'missing-secret' } },
        ],
        initContainers: [{ name: 'init', image: 'busybox:1', envFrom: [{ secretRef: { name: 'from-secret' } }] }],
        containers: [
          {
            name: 'c',
            image: 'busybox:1',
            env: [
              { name: 'S', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } },
              { name: 'C', valueFrom: { configMapKeyRef: { name: 'env-config', key: 'k' } } },
            ],
          },
        ],
      },
    });
    await create(`/api/v1/namespaces/${ns}/pods`, pod('on-n2', { nodeName: 'n2', volumes: [{ name: 'a', secret: { secretName: 'n2-secret' } }] }));
    // Claims bound to volumes, each node's volume labelled for it and held by its cleanup finalizer.
    const volume = (name: string, labels: Record<string, string>): object => ({
      metadata: { name, labels, finalizers: [cleanup] },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` } },
    });
    await create(pvs, volume('n1-pv', { 'storage.gantry.dev/node': 'n1' }));
    await create(pvs, volume('n2-pv', { 'storage.gantry.dev/node': 'n2' }));
    await create(pvs, volume('unused-pv', {}));
    for (const n of ['n1', 'n2']) {
      await create(pvcs, { metadata: { name: `${n}-claim` }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: `${n}-pv`, storageClassName: '' } });
      await create(`/api/v1/namespaces/${ns}/pods`, pod(`${n}-with-claim`, { nodeName: n, serviceAccountName: 'runner', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `${n}-claim` } }] }));
    }
    await create(pvcs, { metadata: { name: 'free-claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' } });
    // The graph follows the watch cache: wait (briefly) until the cache holds the last pod.
    for (let i = 0; i < 100 && !cluster.server.cache.get(`/registry/pods/${ns}/n2-with-claim`); i++) await new Promise((r) => setTimeout(r, 10));
  });
  after(async () => cluster?.close());

  for (const row of rows) {
    it(`${row.who}: ${row.method} ${row.path} -> ${row.status} (${row.why})`, async () => {
      const token = tokens()[row.who];
      const r = await cluster.client.request(row.method, row.path, { token, ...(row.body ? { body: row.body } : {}), ...(row.contentType ? { contentType: row.contentType } : {}) });
      expect(r.status, r.text).to.equal(row.status);
    });
  }

  for (const who of Object.keys(sweep) as Identity[]) {
    it(`${who}: every kind it may not list, create or delete as a collection is refused`, async () => {
      const token = tokens()[who];
      const refused = who === 'anonymous' ? 401 : 403;
      const wrong: string[] = [];
      for (const r of builtinResources) {
        const kind = `${r.group}/${r.plural}`;
        const checks: [string, string, boolean, object?][] = [
          ['GET', collectionPath(r), sweep[who].list.includes(kind)],
          ['POST', `${collectionPath(r, 'sweep')}?dryRun=All`, sweep[who].create.includes(kind), {}],
        ];
        // A cluster-wide deletecollection of Nodes or Namespaces is not something to try even once.
        if (r.namespaced) checks.push(['DELETE', collectionPath(r, 'sweep'), sweep[who].deletecollection.includes(kind)]);
        for (const [method, path, allowed, body] of checks) {
          const res = await cluster.client.request(method, path, { token, ...(body ? { body } : {}) });
          const denied = res.status === refused;
          if (allowed === denied) wrong.push(`${method} ${path}: ${res.status} (expected ${allowed ? 'allowed' : refused})`);
        }
      }
      expect(wrong).to.deep.equal([]);
    });
  }

  it('a pod bound a moment ago lets its node read its Secret at once; deleting the pod takes it away', async () => {
    const get = () => cluster.client.request('GET', `/api/v1/namespaces/${ns}/secrets/late-secret`, { token: tokenOf('n1') });
    await create(`/api/v1/namespaces/${ns}/pods`, pod('late', { volumes: [{ name: 'a', secret: { secretName: 'late-secret' } }] }));
    expect((await get()).status, 'an unbound pod grants nothing').to.equal(403);
    const bound = await cluster.client.request('POST', `/api/v1/namespaces/${ns}/pods/late/binding`, { body: { metadata: { name: 'late' }, target: { kind: 'Node', name: 'n1' } } });
    expect(bound.status, bound.text).to.equal(201);
    // The binding's revision reaches the watch cache (and so the graph) within milliseconds;
    // the agent learns of the binding only from that same cache, so it never asks earlier.
    const started = Date.now();
    let status = (await get()).status;
    while (status !== 200 && Date.now() - started < 1000) {
      await new Promise((r) => setTimeout(r, 10));
      status = (await get()).status;
    }
    expect(status, 'the Secret of a freshly bound pod').to.equal(200);
    process.stdout.write(`      measured: binding -> Secret readable by the node in ${Date.now() - started} ms\n`);
    const del = await cluster.client.request('DELETE', `/api/v1/namespaces/${ns}/pods/late`, { query: { gracePeriodSeconds: 0 } });
    expect(del.status, del.text).to.equal(200);
    const gone = Date.now();
    status = (await get()).status;
    while (status !== 403 && Date.now() - gone < 1000) {
      await new Promise((r) => setTimeout(r, 10));
      status = (await get()).status;
    }
    expect(status, 'the Secret of a deleted pod').to.equal(403);
  });
});
