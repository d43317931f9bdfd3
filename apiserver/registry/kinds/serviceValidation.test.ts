import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { serviceStrategy } from './core.js';
import { validateService } from './serviceValidation.js';

type Spec = Record<string, unknown>;

/** A Service as kubectl would send it, defaulted the way the API server defaults it. */
function service(spec: Spec): KubeObject {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: structuredClone(spec) };
  serviceStrategy.defaults!(obj);
  return obj;
}

const tcp = (port: number, extra: Spec = {}): Spec => ({ port, ...extra });

interface Case {
  name: string;
  spec: Spec;
  /** Expected causes as `reason field`, in order. */
  causes: string[];
  /** The message of the first cause, when it matters what users read. */
  message?: string;
}

const cases: Case[] = [
  { name: 'ClusterIP with one unnamed port', spec: { selector: { app: 'web' }, ports: [tcp(80, { targetPort: 8080 })] }, causes: [] },
  { name: 'headless ClusterIP', spec: { clusterIP: 'None', ports: [tcp(5432)] }, causes: [] },
  { name: 'headless without ports', spec: { clusterIP: 'None' }, causes: [] },
  { name: 'NodePort at both ends of the range', spec: { type: 'NodePort', ports: [tcp(80, { name: 'a', nodePort: 30000 }), tcp(81, { name: 'b', nodePort: 32767 })] }, causes: [] },
  { name: 'LoadBalancer with a named target port', spec: { type: 'LoadBalancer', ports: [tcp(443, { targetPort: 'https' })] }, causes: [] },
  { name: 'ExternalName with a trailing dot', spec: { type: 'ExternalName', externalName: 'db.example.com.' }, causes: [] },
  { name: 'the same port over TCP and UDP', spec: { ports: [tcp(53, { name: 'dns' }), tcp(53, { name: 'dns-udp', protocol: 'UDP' })] }, causes: [] },
  { name: 'ClientIP affinity gets its default timeout', spec: { sessionAffinity: 'ClientIP', ports: [tcp(80)] }, causes: [] },
  { name: 'dual-stack cluster IPs', spec: { clusterIP: '10.0.0.10', clusterIPs: ['10.0.0.10', 'fd00::10'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack', ports: [tcp(80)] }, causes: [] },
  // The configured node-port range is the allocator's check (allocators/serviceAllocator.test.ts).
  { name: 'node port outside the default range is not a validation error', spec: { type: 'NodePort', ports: [tcp(80, { nodePort: 39999 })] }, causes: [] },
  {
    name: 'node port above 65535',
    spec: { type: 'LoadBalancer', ports: [tcp(80, { nodePort: 70000 })] },
    causes: ['FieldValueInvalid spec.ports[0].nodePort'],
    message: 'Invalid value: 70000: must be between 1 and 65535, inclusive',
  },
  {
    name: 'duplicate node port on one protocol',
    spec: { type: 'NodePort', ports: [tcp(80, { name: 'a', nodePort: 30080 }), tcp(81, { name: 'b', nodePort: 30080 })] },
    causes: ['FieldValueDuplicate spec.ports[1].nodePort'],
    message: 'Duplicate value: 30080',
  },
  { name: 'port 0', spec: { ports: [tcp(0, { targetPort: 80 })] }, causes: ['FieldValueInvalid spec.ports[0].port'], message: 'Invalid value: 0: must be between 1 and 65535, inclusive' },
  { name: 'port above 65535', spec: { ports: [tcp(70000, { targetPort: 80 })] }, causes: ['FieldValueInvalid spec.ports[0].port'] },
  { name: 'unset target port defaults to the port', spec: { ports: [tcp(8080, { targetPort: 0 })] }, causes: [] },
  { name: 'target port out of range', spec: { ports: [tcp(80, { targetPort: 65536 })] }, causes: ['FieldValueInvalid spec.ports[0].targetPort'] },
  {
    name: 'target port name that is not an IANA service name',
    spec: { ports: [tcp(80, { targetPort: 'Http--' })] },
    causes: ['FieldValueInvalid spec.ports[0].targetPort', 'FieldValueInvalid spec.ports[0].targetPort', 'FieldValueInvalid spec.ports[0].targetPort'],
    message: 'Invalid value: "Http--": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
  },
  { name: 'target port name of digits only', spec: { ports: [tcp(80, { targetPort: '8080' })] }, causes: ['FieldValueInvalid spec.ports[0].targetPort'], message: 'Invalid value: "8080": must contain at least one letter (a-z)' },
  { name: 'several ports need names', spec: { ports: [tcp(80), tcp(443, { name: 'https' })] }, causes: ['FieldValueRequired spec.ports[0].name'] },
  { name: 'duplicate port names', spec: { ports: [tcp(80, { name: 'web' }), tcp(443, { name: 'web' })] }, causes: ['FieldValueDuplicate spec.ports[1].name'], message: 'Duplicate value: "web"' },
  { name: 'port name that is not a DNS label', spec: { ports: [tcp(80, { name: 'Web_1' })] }, causes: ['FieldValueInvalid spec.ports[0].name'] },
  { name: 'duplicate port and protocol', spec: { ports: [tcp(80, { name: 'a' }), tcp(80, { name: 'b' })] }, causes: ['FieldValueDuplicate spec.ports[1]'] },
  {
    name: 'unknown protocol',
    spec: { ports: [tcp(80, { protocol: 'HTTP' })] },
    causes: ['FieldValueNotSupported spec.ports[0].protocol'],
    message: 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
  },
  { name: 'no ports', spec: { selector: { app: 'web' } }, causes: ['FieldValueRequired spec.ports'] },
  {
    name: 'unknown type',
    spec: { type: 'Internal', ports: [tcp(80)] },
    causes: ['FieldValueNotSupported spec.type'],
    message: 'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  },
  { name: 'ExternalName without externalName', spec: { type: 'ExternalName' }, causes: ['FieldValueRequired spec.externalName'], message: 'Required value' },
  { name: 'ExternalName that is not a DNS name', spec: { type: 'ExternalName', externalName: 'db_main' }, causes: ['FieldValueInvalid spec.externalName'] },
  { name: 'ExternalName with a cluster IP', spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.0.0.1' }, causes: ['FieldValueForbidden spec.clusterIPs'] },
  {
    name: 'headless NodePort',
    spec: { type: 'NodePort', clusterIP: 'None', ports: [tcp(80)] },
    causes: ['FieldValueInvalid spec.clusterIPs[0]'],
    message: 'Invalid value: "None": may not be set to \'None\' for NodePort services',
  },
  { name: 'headless LoadBalancer', spec: { type: 'LoadBalancer', clusterIP: 'None', ports: [tcp(80)] }, causes: ['FieldValueInvalid spec.clusterIPs[0]'] },
  { name: 'LoadBalancer exposing the kubelet port', spec: { type: 'LoadBalancer', ports: [tcp(10250)] }, causes: ['FieldValueInvalid spec.ports[0]'] },
  { name: 'a cluster IP that is not an IP', spec: { clusterIP: '10.0.0.300', ports: [tcp(80)] }, causes: ['FieldValueInvalid spec.clusterIPs[0]'] },
  { name: "'None' among other cluster IPs", spec: { clusterIP: 'None', clusterIPs: ['None', '10.0.0.1'], ports: [tcp(80)] }, causes: ['FieldValueInvalid spec.clusterIPs'] },
  { name: 'clusterIPs not starting with clusterIP', spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'], ports: [tcp(80)] }, causes: ['FieldValueInvalid spec.clusterIPs'] },
  { name: 'unknown IP family, twice', spec: { ipFamilies: ['IPv5', 'IPv5'], ports: [tcp(80)] }, causes: ['FieldValueNotSupported spec.ipFamilies[0]', 'FieldValueNotSupported spec.ipFamilies[1]', 'FieldValueDuplicate spec.ipFamilies[1]'] },
  { name: 'an external IP that is not an IP', spec: { externalIPs: ['1.2.3'], ports: [tcp(80)] }, causes: ['FieldValueInvalid spec.externalIPs[0]'] },
  { name: 'unknown session affinity', spec: { sessionAffinity: 'Cookie', ports: [tcp(80)] }, causes: ['FieldValueNotSupported spec.sessionAffinity'] },
  { name: 'ClientIP timeout above a day', spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } }, ports: [tcp(80)] }, causes: ['FieldValueInvalid spec.sessionAffinityConfig.clientIP.timeoutSeconds'] },
  { name: 'affinity config without ClientIP affinity', spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [tcp(80)] }, causes: ['FieldValueForbidden spec.sessionAffinityConfig'] },
  { name: 'unknown traffic policy', spec: { type: 'NodePort', externalTrafficPolicy: 'Nearest', ports: [tcp(80)] }, causes: ['FieldValueNotSupported spec.externalTrafficPolicy'] },
  { name: 'selector with a bad label value', spec: { selector: { app: 'web site' }, ports: [tcp(80)] }, causes: ['FieldValueInvalid spec.selector[app]'] },
];

describe('validateService', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const causes = validateService(service(tc.spec));
      expect(causes.map((c) => `${c.reason} ${c.field}`), JSON.stringify(causes, null, 1)).to.deep.equal(tc.causes);
      if (tc.message !== undefined) expect(causes[0]?.message).to.equal(tc.message);
    });
  }
});

describe('serviceStrategy.defaults', () => {
  const cases: { name: string; spec: Spec; want: Spec }[] = [
    {
      name: 'ClusterIP: type, affinity, internal policy, protocol and target port',
      spec: { ports: [tcp(80)] },
      want: { type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] },
    },
    {
      name: 'NodePort also gets an external traffic policy',
      spec: { type: 'NodePort', ports: [tcp(80, { targetPort: 'http' })] },
      want: { type: 'NodePort', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', targetPort: 'http' }] },
    },
    {
      name: 'LoadBalancer allocates node ports unless told not to',
      spec: { type: 'LoadBalancer', ports: [tcp(443, { targetPort: '' })] },
      want: { type: 'LoadBalancer', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, ports: [{ port: 443, protocol: 'TCP', targetPort: 443 }] },
    },
    { name: 'ExternalName has no traffic policies', spec: { type: 'ExternalName', externalName: 'db.example.com' }, want: { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' } },
    {
      name: 'a singular cluster IP fills the plural',
      spec: { clusterIP: 'None', ports: [tcp(5432)] },
      want: { clusterIP: 'None', clusterIPs: ['None'], type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ports: [{ port: 5432, protocol: 'TCP', targetPort: 5432 }] },
    },
    {
      name: 'ClientIP affinity gets three hours',
      spec: { sessionAffinity: 'ClientIP', ports: [tcp(80)] },
      want: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, type: 'ClusterIP', internalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(service(tc.spec).spec).to.deep.equal(tc.want);
    });
  }
});
