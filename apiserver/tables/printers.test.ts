import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { leasePrinter, namespacePrinter, priorityClassPrinter } from './cluster.js';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './config.js';
import { defaultTablePrinter, nameAgeTablePrinter } from './defaults.js';
import { eventPrinter } from './events.js';
import { DAY, HOUR, MINUTE, NOW, SECOND, ago, make } from './fixtures.js';
import { nodePrinter } from './nodes.js';
import { endpointsPrinter, servicePrinter } from './services.js';
import type { TablePrinter } from './types.js';
import { deploymentPrinter, replicaSetPrinter } from './workloads.js';

interface Case {
  name: string;
  obj: KubeObject;
  want: unknown[];
}

function table(printer: TablePrinter, cases: Case[]): void {
  for (const tc of cases) it(tc.name, () => expect(printer.cells(tc.obj, NOW)).to.deep.equal(tc.want));
}

function headers(printer: TablePrinter): string {
  return printer.columns
    .filter((c) => c.priority === 0)
    .map((c) => c.name.toUpperCase())
    .join(' ');
}

function wideHeaders(printer: TablePrinter): string {
  return printer.columns
    .filter((c) => c.priority === 1)
    .map((c) => c.name.toUpperCase())
    .join(' ');
}

describe('column sets', () => {
  const cases: { resource: string; printer: TablePrinter; normal: string; wide: string }[] = [
    { resource: 'nodes', printer: nodePrinter, normal: 'NAME STATUS ROLES AGE VERSION', wide: 'INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME' },
    { resource: 'namespaces', printer: namespacePrinter, normal: 'NAME STATUS AGE', wide: '' },
    { resource: 'services', printer: servicePrinter, normal: 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE', wide: 'SELECTOR' },
    { resource: 'endpoints', printer: endpointsPrinter, normal: 'NAME ENDPOINTS AGE', wide: '' },
    { resource: 'configmaps', printer: configMapPrinter, normal: 'NAME DATA AGE', wide: '' },
    { resource: 'secrets', printer: secretPrinter, normal: 'NAME TYPE DATA AGE', wide: '' },
    { resource: 'events', printer: eventPrinter, normal: 'LAST SEEN TYPE REASON OBJECT MESSAGE', wide: 'SUBOBJECT SOURCE FIRST SEEN COUNT NAME' },
    { resource: 'serviceaccounts', printer: serviceAccountPrinter, normal: 'NAME SECRETS AGE', wide: '' },
    { resource: 'deployments', printer: deploymentPrinter, normal: 'NAME READY UP-TO-DATE AVAILABLE AGE', wide: 'CONTAINERS IMAGES SELECTOR' },
    { resource: 'replicasets', printer: replicaSetPrinter, normal: 'NAME DESIRED CURRENT READY AGE', wide: 'CONTAINERS IMAGES SELECTOR' },
    { resource: 'leases', printer: leasePrinter, normal: 'NAME HOLDER AGE', wide: '' },
    { resource: 'priorityclasses', printer: priorityClassPrinter, normal: 'NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', wide: '' },
    { resource: 'default', printer: defaultTablePrinter, normal: 'NAME CREATED AT', wide: '' },
    { resource: 'name and age', printer: nameAgeTablePrinter, normal: 'NAME AGE', wide: '' },
  ];
  for (const tc of cases) {
    it(tc.resource, () => {
      expect(headers(tc.printer)).to.equal(tc.normal);
      expect(wideHeaders(tc.printer)).to.equal(tc.wide);
      for (const c of tc.printer.columns) expect(c.description.length, c.name).to.be.greaterThan(0);
    });
  }
});

describe('nodePrinter', () => {
  const info = { kubeletVersion: 'v1.30.0-gantry', osImage: 'Debian 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'runc://1.1' };
  const ready = (status: string) => ({ conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status }], nodeInfo: info });
  table(nodePrinter, [
    {
      name: 'ready worker with addresses',
      obj: make('Node', 'n1', { status: { ...ready('True'), addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '1.2.3.4' }] } }, { labels: { 'node-role.kubernetes.io/worker': '' } }),
      want: ['n1', 'Ready', 'worker', '10m', 'v1.30.0-gantry', '10.0.0.1', '1.2.3.4', 'Debian 12', '6.1.0', 'runc://1.1'],
    },
    {
      name: 'not ready and cordoned, several roles sorted',
      obj: make('Node', 'n2', { spec: { unschedulable: true }, status: ready('False') }, { labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': '' } }),
      want: ['n2', 'NotReady,SchedulingDisabled', 'control-plane,worker', '10m', 'v1.30.0-gantry', '<none>', '<none>', 'Debian 12', '6.1.0', 'runc://1.1'],
    },
    {
      name: 'ready condition unknown reads NotReady; legacy role label',
      obj: make('Node', 'n3', { status: ready('Unknown') }, { labels: { 'kubernetes.io/role': 'edge' } }),
      want: ['n3', 'NotReady', 'edge', '10m', 'v1.30.0-gantry', '<none>', '<none>', 'Debian 12', '6.1.0', 'runc://1.1'],
    },
    {
      name: 'no conditions yet',
      obj: make('Node', 'n4', {}, { creationTimestamp: ago(3 * DAY + 4 * HOUR) }),
      want: ['n4', 'Unknown', '<none>', '3d4h', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    },
    {
      name: 'unknown and cordoned',
      obj: make('Node', 'n5', { spec: { unschedulable: true } }),
      want: ['n5', 'Unknown,SchedulingDisabled', '<none>', '10m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    },
  ]);
});

describe('namespacePrinter, leasePrinter, priorityClassPrinter', () => {
  describe('namespaces', () =>
    table(namespacePrinter, [
      { name: 'active', obj: make('Namespace', 'default', { status: { phase: 'Active' } }), want: ['default', 'Active', '10m'] },
      { name: 'terminating', obj: make('Namespace', 'old', { status: { phase: 'Terminating' } }), want: ['old', 'Terminating', '10m'] },
      { name: 'no status', obj: make('Namespace', 'new'), want: ['new', '', '10m'] },
    ]));
  describe('leases', () =>
    table(leasePrinter, [
      { name: 'held', obj: make('Lease', 'gantry-scheduler', { spec: { holderIdentity: 'host-a_123' } }), want: ['gantry-scheduler', 'host-a_123', '10m'] },
      { name: 'free', obj: make('Lease', 'n1', { spec: {} }), want: ['n1', '', '10m'] },
    ]));
  describe('priorityclasses', () =>
    table(priorityClassPrinter, [
      {
        name: 'system class',
        obj: make('PriorityClass', 'system-node-critical', { value: 2000001000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }),
        want: ['system-node-critical', 2000001000, false, '10m', 'PreemptLowerPriority'],
      },
      { name: 'global default without policy', obj: make('PriorityClass', 'low', { value: -5, globalDefault: true }), want: ['low', -5, true, '10m', ''] },
    ]));
});

describe('servicePrinter', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => make('Service', 'web', { spec, status });
  table(servicePrinter, [
    {
      name: 'cluster ip',
      obj: svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { tier: 'fe', app: 'web' } }),
      want: ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '10m', 'app=web,tier=fe'],
    },
    {
      name: 'defaults: type, protocol, clusterIP field',
      obj: svc({ clusterIP: '10.96.0.11', ports: [{ port: 8080 }] }),
      want: ['web', 'ClusterIP', '10.96.0.11', '<none>', '8080/TCP', '10m', '<none>'],
    },
    {
      name: 'headless without ports',
      obj: svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }),
      want: ['web', 'ClusterIP', 'None', '<none>', '<none>', '10m', '<none>'],
    },
    {
      name: 'node port with external ips',
      obj: svc({ type: 'NodePort', clusterIPs: ['10.96.0.12'], externalIPs: ['1.1.1.1', '2.2.2.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }),
      want: ['web', 'NodePort', '10.96.0.12', '1.1.1.1,2.2.2.2', '80:30080/TCP', '10m', '<none>'],
    },
    {
      name: 'load balancer pending',
      obj: svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.13'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }),
      want: ['web', 'LoadBalancer', '10.96.0.13', '<pending>', '443:31443/TCP', '10m', '<none>'],
    },
    {
      name: 'load balancer with ingress and external ips',
      obj: svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.14'], externalIPs: ['9.9.9.9'] }, { loadBalancer: { ingress: [{ ip: '5.5.5.5' }, { hostname: 'lb.example.com' }, { ip: '5.5.5.5' }] } }),
      want: ['web', 'LoadBalancer', '10.96.0.14', '5.5.5.5,lb.example.com,9.9.9.9', '<none>', '10m', '<none>'],
    },
    {
      name: 'external name',
      obj: svc({ type: 'ExternalName', externalName: 'db.example.com' }),
      want: ['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '10m', '<none>'],
    },
  ]);
});

describe('endpointsPrinter', () => {
  const ep = (subsets: unknown[] | undefined) => make('Endpoints', 'web', subsets ? { subsets } : {});
  const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));
  table(endpointsPrinter, [
    { name: 'no subsets', obj: ep(undefined), want: ['web', '<none>', '10m'] },
    { name: 'one port', obj: ep([{ addresses: addrs('10.1.0.1', '10.1.0.2'), ports: [{ port: 8080 }] }]), want: ['web', '10.1.0.1:8080,10.1.0.2:8080', '10m'] },
    { name: 'exactly three', obj: ep([{ addresses: addrs('10.1.0.1', '10.1.0.2', '10.1.0.3'), ports: [{ port: 80 }] }]), want: ['web', '10.1.0.1:80,10.1.0.2:80,10.1.0.3:80', '10m'] },
    {
      name: 'more than three',
      obj: ep([{ addresses: addrs('10.1.0.1', '10.1.0.2', '10.1.0.3'), ports: [{ port: 80 }, { port: 443 }] }]),
      want: ['web', '10.1.0.1:80,10.1.0.2:80,10.1.0.3:80 + 3 more...', '10m'],
    },
    { name: 'headless without ports', obj: ep([{ addresses: addrs('10.1.0.1') }]), want: ['web', '10.1.0.1', '10m'] },
    { name: 'ipv6', obj: ep([{ addresses: addrs('fd00::1'), ports: [{ port: 80 }] }]), want: ['web', '[fd00::1]:80', '10m'] },
    { name: 'only not-ready addresses', obj: ep([{ notReadyAddresses: addrs('10.1.0.1'), ports: [{ port: 80 }] }]), want: ['web', '', '10m'] },
  ]);
});

describe('configMapPrinter, secretPrinter, serviceAccountPrinter', () => {
  describe('configmaps', () =>
    table(configMapPrinter, [
      { name: 'data and binary data', obj: make('ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), want: ['cfg', 3, '10m'] },
      { name: 'empty', obj: make('ConfigMap', 'empty'), want: ['empty', 0, '10m'] },
    ]));
  describe('secrets', () =>
    table(secretPrinter, [
      { name: 'opaque', obj: make('Secret', 's', { type: 'Opaque', data: { user: 'YQ==', pass: 'Yg==' } }), want: ['s', 'Opaque', 2, '10m'] },
      { name: 'token without data', obj: make('Secret', 't', { type: 'kubernetes.io/service-account-token' }), want: ['t', 'kubernetes.io/service-account-token', 0, '10m'] },
    ]));
  describe('serviceaccounts', () =>
    table(serviceAccountPrinter, [
      { name: 'default', obj: make('ServiceAccount', 'default'), want: ['default', 0, '10m'] },
      { name: 'with secrets', obj: make('ServiceAccount', 'bot', { secrets: [{ name: 'a' }, { name: 'b' }] }), want: ['bot', 2, '10m'] },
    ]));
});

describe('eventPrinter', () => {
  const involved = { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' };
  table(eventPrinter, [
    {
      name: 'legacy event with timestamps and count',
      obj: make('Event', 'web-1.17a', {
        involvedObject: involved,
        type: 'Normal',
        reason: 'Pulled',
        message: 'Successfully pulled image\n',
        source: { component: 'kubelet', host: 'n1' },
        firstTimestamp: ago(HOUR),
        lastTimestamp: ago(2 * MINUTE),
        count: 4,
      }),
      want: ['2m', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{app}', 'kubelet, n1', 'Successfully pulled image', '60m', 4, 'web-1.17a'],
    },
    {
      name: 'new-style event with eventTime and no count',
      obj: make('Event', 'e2', { involvedObject: { kind: 'Node', name: 'n1' }, type: 'Warning', reason: 'NodeNotReady', message: 'gone', eventTime: ago(45 * SECOND), reportingComponent: 'gantry-controller', reportingInstance: 'cm-1' }),
      want: ['45s', 'Warning', 'NodeNotReady', 'node/n1', '', 'gantry-controller, cm-1', 'gone', '45s', 1, 'e2'],
    },
    {
      name: 'series overrides last seen and count',
      obj: make('Event', 'e3', { involvedObject: { kind: 'Pod', name: 'p' }, type: 'Warning', reason: 'BackOff', eventTime: ago(HOUR), series: { count: 12, lastObservedTime: ago(10 * SECOND) }, source: { component: 'kubelet' } }),
      want: ['10s', 'Warning', 'BackOff', 'pod/p', '', 'kubelet', '', '60m', 12, 'e3'],
    },
    {
      name: 'object without name, no times',
      obj: make('Event', 'e4', { involvedObject: { kind: 'Namespace' }, type: 'Normal', reason: 'X' }),
      want: ['<unknown>', 'Normal', 'X', 'namespace', '', '', '', '<unknown>', 1, 'e4'],
    },
  ]);
});

describe('deploymentPrinter, replicaSetPrinter', () => {
  const template = { spec: { containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } };
  describe('deployments', () =>
    table(deploymentPrinter, [
      {
        name: 'rolling',
        obj: make('Deployment', 'web', { spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 1, availableReplicas: 2 } }),
        want: ['web', '2/3', 1, 2, '10m', 'app,log', 'nginx:1.25,busybox', 'app=web'],
      },
      { name: 'fresh with defaulted replicas', obj: make('Deployment', 'new', { spec: { selector: { matchLabels: { app: 'new' } } } }), want: ['new', '0/1', 0, 0, '10m', '', '', 'app=new'] },
      { name: 'scaled to zero', obj: make('Deployment', 'off', { spec: { replicas: 0, selector: {} } }), want: ['off', '0/0', 0, 0, '10m', '', '', ''] },
      {
        name: 'invalid selector',
        obj: make('Deployment', 'bad', { spec: { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] } } }),
        want: ['bad', '0/1', 0, 0, '10m', '', '', '<invalid>'],
      },
    ]));
  describe('replicasets', () =>
    table(replicaSetPrinter, [
      {
        name: 'running',
        obj: make('ReplicaSet', 'web-5d8', { spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8' } }, template }, status: { replicas: 3, readyReplicas: 2 } }),
        want: ['web-5d8', 3, 3, 2, '10m', 'app,log', 'nginx:1.25,busybox', 'app=web,pod-template-hash=5d8'],
      },
      { name: 'empty selector', obj: make('ReplicaSet', 'rs', { spec: { replicas: 0, selector: {} } }), want: ['rs', 0, 0, 0, '10m', '', '', '<none>'] },
      { name: 'no selector', obj: make('ReplicaSet', 'rs'), want: ['rs', 1, 0, 0, '10m', '', '', '<none>'] },
    ]));
});

describe('default printers', () => {
  it('prints name and RFC3339 creation time', () => {
    expect(defaultTablePrinter.cells(make('ClusterRole', 'admin', {}, { creationTimestamp: '2024-04-30T08:15:30.123Z' }), NOW)).to.deep.equal(['admin', '2024-04-30T08:15:30Z']);
    expect(defaultTablePrinter.cells({ metadata: { name: 'x' } }, NOW)).to.deep.equal(['x', '0001-01-01T00:00:00Z']);
    expect(defaultTablePrinter.columns[1]?.type).to.equal('date');
  });

  it('prints name and age', () => {
    expect(nameAgeTablePrinter.cells(make('Widget', 'w'), NOW)).to.deep.equal(['w', '10m']);
  });
});
