import { expect } from 'chai';
import type { PodSandboxConfig } from '../cri/types.js';
import { PodSpecError } from './errors.js';
import { dotSeparatedSysctl, podHostname, sandboxConfig, type SandboxOptions } from './sandboxConfig.js';
import { testContainer, testPod, type TestPodOptions } from './testPods.js';

const opts: SandboxOptions = {
  attempt: 2,
  logDirectory: '/var/log/pods/default_web_uid-1',
  dns: { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', host: { servers: ['1.1.1.1'], searches: [], options: [] } },
  nodeHostname: 'node-1.example',
};

describe('podspec/sandboxConfig', () => {
  it('builds the whole config of an ordinary pod', () => {
    const pod = testPod({
      labels: { app: 'web', [`io.kubernetes.pod.name`]: 'spoofed' },
      annotations: { note: 'x' },
      containers: [
        testContainer('app', { ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }, { containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.0.1' }] }),
        testContainer('side', { ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }),
      ],
      securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }, { name: 'kernel/shm_rmid_forced', value: '1' }] },
    });
    const want: PodSandboxConfig = {
      metadata: { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 2 },
      hostname: 'web',
      logDirectory: '/var/log/pods/default_web_uid-1',
      dnsConfig: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] },
      portMappings: [
        { protocol: 'TCP', containerPort: 80, hostPort: 8080 },
        { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' },
      ],
      labels: { app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': 'uid-1' },
      annotations: { note: 'x' },
      linux: {
        cgroupParent: 'besteffort/poduid-1',
        securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' }, privileged: false },
        sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0', 'kernel.shm_rmid_forced': '1' },
      },
    };
    expect(sandboxConfig(pod, opts)).to.deep.equal(want);
  });

  const cases: { name: string; pod: TestPodOptions; check: (c: PodSandboxConfig) => void }[] = [
    {
      name: 'node namespaces, no port mappings and the node hostname on the node network',
      pod: { hostNetwork: true, hostPID: true, hostIPC: true, containers: [testContainer('a', { ports: [{ containerPort: 80, hostPort: 80 }] })] },
      check: (c) => {
        expect(c.linux?.securityContext?.namespaceOptions).to.deep.equal({ network: 'NODE', pid: 'NODE', ipc: 'NODE' });
        expect(c.portMappings).to.deep.equal([]);
        expect(c.hostname).to.equal('node-1.example');
        expect(c.dnsConfig).to.deep.equal({ servers: ['1.1.1.1'], searches: [], options: [] });
      },
    },
    { name: 'shared process namespace', pod: { shareProcessNamespace: true }, check: (c) => expect(c.linux?.securityContext?.namespaceOptions?.pid).to.equal('POD') },
    { name: 'spec.hostname wins over the name', pod: { hostname: 'db-0' }, check: (c) => expect(c.hostname).to.equal('db-0') },
    { name: 'a subdomain gives the pod its DNS name in /etc/hosts (a StatefulSet pod under its headless Service)', pod: { hostname: 'db-0', subdomain: 'db' }, check: (c) => expect(c.hosts).to.deep.equal({ fqdn: 'db-0.db.default.svc.cluster.local' }) },
    { name: 'no DNS name of its own on the node network', pod: { hostname: 'db-0', subdomain: 'db', hostNetwork: true }, check: (c) => expect(c.hosts).to.equal(undefined) },
    {
      name: 'hostAliases in order, empty names dropped',
      pod: { hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.4', hostnames: ['', 'baz'] }] },
      check: (c) => expect(c.hosts).to.deep.equal({ aliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.4', hostnames: ['baz'] }] }),
    },
    { name: 'privileged when a container is', pod: { initContainers: [testContainer('init', { securityContext: { privileged: true } })] }, check: (c) => expect(c.linux?.securityContext?.privileged).to.equal(true) },
    { name: 'cgroup parent defaults to the QoS path', pod: {}, check: (c) => expect(c.linux?.cgroupParent).to.equal('besteffort/poduid-1') },
  ];
  for (const tc of cases) it(tc.name, () => tc.check(sandboxConfig(testPod(tc.pod), opts)));

  it('takes the cgroup parent it is given', () => {
    expect(sandboxConfig(testPod(), { ...opts, cgroupParent: 'custom/pod' }).linux?.cgroupParent).to.equal('custom/pod');
  });

  const hostnames: { name: string; podName: string; want: string }[] = [
    { name: 'short', podName: 'web', want: 'web' },
    { name: 'exactly 63', podName: 'a'.repeat(63), want: 'a'.repeat(63) },
    { name: 'long, cut at 63', podName: 'b'.repeat(70), want: 'b'.repeat(63) },
    { name: 'cut leaves no trailing dash or dot', podName: `${'c'.repeat(61)}-.d`, want: 'c'.repeat(61) },
  ];
  for (const tc of hostnames) it(`hostname: ${tc.name}`, () => expect(podHostname(testPod({ name: tc.podName }))).to.equal(tc.want));

  const sysctlNames: [string, string][] = [['net.core.somaxconn', 'net.core.somaxconn'], ['net/core/somaxconn', 'net.core.somaxconn'], ['net/ipv4/conf/eno2.100/rp_filter', 'net.ipv4.conf.eno2/100.rp_filter'], ['kernel', 'kernel']];
  for (const [input, want] of sysctlNames) it(`sysctl ${input}`, () => expect(dotSeparatedSysctl(input)).to.equal(want));

  const failures: { name: string; pod: TestPodOptions; field: string }[] = [
    { name: 'host port out of range', pod: { containers: [testContainer('a', { ports: [{ containerPort: 80, hostPort: 70000 }] })] }, field: 'spec.containers[0].ports[0].hostPort' },
    { name: 'missing container port', pod: { containers: [testContainer('a', { ports: [{ hostPort: 80 } as never] })] }, field: 'spec.containers[0].ports[0].containerPort' },
    { name: 'unknown protocol', pod: { containers: [testContainer('a', { ports: [{ containerPort: 80, hostPort: 80, protocol: 'ICMP' }] })] }, field: 'spec.containers[0].ports[0].protocol' },
    { name: 'host alias without an IP', pod: { hostAliases: [{ hostnames: ['x'] }] }, field: 'spec.hostAliases[0].ip' },
    { name: 'sysctl without value', pod: { securityContext: { sysctls: [{ name: 'kernel.x' } as never] } }, field: 'spec.securityContext.sysctls[0].value' },
  ];
  for (const tc of failures) {
    it(`fails: ${tc.name}`, () => expect(() => sandboxConfig(testPod(tc.pod), opts)).to.throw(PodSpecError).with.property('field', tc.field));
  }
});
