import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { clusterIPNodePortCauses, prepareServiceUpdate, validateServiceUpdate } from './serviceUpdate.js';

type Spec = Record<string, unknown>;
const svc = (spec: Spec): KubeObject => ({ metadata: { name: 's', namespace: 'default' }, spec: structuredClone(spec) });
const tcp = (port: number, extra: Spec = {}): Spec => ({ port, protocol: 'TCP', targetPort: port, ...extra });

const clusterIP: Spec = { type: 'ClusterIP', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [tcp(80)] };
const nodePort: Spec = { ...clusterIP, type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [tcp(80, { nodePort: 30080 }), tcp(53, { name: 'dns', nodePort: 30053 }), tcp(53, { name: 'dns-udp', protocol: 'UDP', nodePort: 30053 })] };

describe('Service updates', () => {
  describe('prepareServiceUpdate', () => {
    const cases: { name: string; old: Spec; next: Spec; want: Spec }[] = [
      {
        name: 'a replace without the cluster IP keeps it',
        old: clusterIP,
        next: { type: 'ClusterIP', ports: [tcp(80)] },
        want: { type: 'ClusterIP', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [tcp(80)] },
      },
      {
        name: 'only clusterIP given: clusterIPs follow the old ones',
        old: clusterIP,
        next: { type: 'ClusterIP', clusterIP: '10.96.0.5', ports: [tcp(80)] },
        want: { type: 'ClusterIP', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [tcp(80)] },
      },
      {
        name: 'node ports left out are kept, matched by port and protocol',
        old: nodePort,
        next: { type: 'NodePort', ports: [tcp(53, { name: 'dns-udp', protocol: 'UDP' }), tcp(80), tcp(8080)] },
        want: { type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [tcp(53, { name: 'dns-udp', protocol: 'UDP', nodePort: 30053 }), tcp(80, { nodePort: 30080 }), tcp(8080)] },
      },
      {
        name: 'NodePort -> ClusterIP drops the node ports and traffic policy it did not change',
        old: nodePort,
        next: { ...nodePort, type: 'ClusterIP', ports: [tcp(80, { nodePort: 30080 }), tcp(81, { nodePort: 30081 })] },
        want: { ...clusterIP, ports: [tcp(80), tcp(81, { nodePort: 30081 })] },
      },
      {
        name: 'ClusterIP -> ExternalName drops the cluster IP and family fields',
        old: clusterIP,
        next: { ...clusterIP, type: 'ExternalName', externalName: 'db.example.com' },
        want: { type: 'ExternalName', externalName: 'db.example.com', ports: [tcp(80)] },
      },
      {
        name: 'LoadBalancer Local -> Cluster drops the health-check port',
        old: { ...nodePort, type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30099, allocateLoadBalancerNodePorts: true },
        next: { ...nodePort, type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', healthCheckNodePort: 30099, allocateLoadBalancerNodePorts: true },
        want: { ...nodePort, type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true },
      },
      {
        name: 'LoadBalancer -> NodePort drops allocateLoadBalancerNodePorts',
        old: { ...nodePort, type: 'LoadBalancer', allocateLoadBalancerNodePorts: true },
        next: { ...nodePort, allocateLoadBalancerNodePorts: true },
        want: nodePort,
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const next = svc(tc.next);
        prepareServiceUpdate(next, svc(tc.old));
        expect(next.spec).to.deep.equal(tc.want);
      });
    }
  });

  describe('validateServiceUpdate and the ClusterIP node-port check', () => {
    const cases: { name: string; old: Spec; next: Spec; causes: string[] }[] = [
      { name: 'the same cluster IP', old: clusterIP, next: clusterIP, causes: [] },
      { name: 'a changed cluster IP', old: clusterIP, next: { ...clusterIP, clusterIP: '10.96.0.6', clusterIPs: ['10.96.0.6'] }, causes: ['spec.clusterIP: Invalid value: "10.96.0.6": field is immutable'] },
      { name: 'headless from a cluster IP', old: clusterIP, next: { ...clusterIP, clusterIP: 'None', clusterIPs: ['None'] }, causes: ['spec.clusterIP: Invalid value: "None": field is immutable'] },
      { name: 'ExternalName -> ClusterIP may pick any IP', old: { type: 'ExternalName', externalName: 'a.example.com' }, next: clusterIP, causes: [] },
      { name: 'a service without an IP yet may get one', old: { type: 'ClusterIP', ports: [tcp(80)] }, next: clusterIP, causes: [] },
      { name: 'a node port on a ClusterIP service', old: clusterIP, next: { ...clusterIP, ports: [tcp(80), tcp(81, { nodePort: 30081 })] }, causes: ["spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"] },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const next = svc(tc.next);
        const causes = [...validateServiceUpdate(next, svc(tc.old)), ...clusterIPNodePortCauses(next)];
        expect(causes.map((c) => `${c.field}: ${c.message}`)).to.deep.equal(tc.causes);
      });
    }
  });
});
