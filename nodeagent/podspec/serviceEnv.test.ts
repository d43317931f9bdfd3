import { expect } from 'chai';
import { envFromServices, serviceEnvForPod, serviceEnvName, type ServiceForEnv } from './serviceEnv.js';

type Port = NonNullable<NonNullable<ServiceForEnv['spec']>['ports']>[number];

function svc(namespace: string, name: string, clusterIP: string | undefined, ports: Port[] = [{ port: 80, protocol: 'TCP' }]): ServiceForEnv {
  return { metadata: { name, namespace }, spec: { ...(clusterIP !== undefined ? { clusterIP } : {}), ports } };
}

/** The variables of one Service with one port, as the kubelet writes them. */
function onePort(prefix: string, ip: string, port: number, proto = 'tcp'): Record<string, string> {
  const p = `${prefix}_PORT_${port}_${proto.toUpperCase()}`;
  return {
    [`${prefix}_SERVICE_HOST`]: ip,
    [`${prefix}_SERVICE_PORT`]: String(port),
    [`${prefix}_PORT`]: `${proto}://${ip}:${port}`,
    [p]: `${proto}://${ip}:${port}`,
    [`${p}_PROTO`]: proto,
    [`${p}_PORT`]: String(port),
    [`${p}_ADDR`]: ip,
  };
}

const master = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);
const masterEnv = { ...onePort('KUBERNETES', '10.96.0.1', 443), KUBERNETES_SERVICE_PORT_HTTPS: '443' };

describe('podspec/serviceEnv', () => {
  describe('envFromServices', () => {
    const cases: { name: string; services: ServiceForEnv[]; want: Record<string, string> }[] = [
      { name: 'one unnamed TCP port', services: [svc('ns', 'web', '10.96.0.20')], want: onePort('WEB', '10.96.0.20', 80) },
      { name: 'dashes become underscores, letters upper case', services: [svc('ns', 'my-db-2', '10.96.0.21', [{ port: 5432 }])], want: onePort('MY_DB_2', '10.96.0.21', 5432) },
      {
        name: 'several ports: the first is the service port, named ones get their own variable',
        services: [
          svc('ns', 'app', '10.96.0.30', [
            { name: 'http', port: 80, protocol: 'TCP' },
            { name: 'metrics-port', port: 9090, protocol: 'TCP' },
          ]),
        ],
        want: {
          APP_SERVICE_HOST: '10.96.0.30',
          APP_SERVICE_PORT: '80',
          APP_SERVICE_PORT_HTTP: '80',
          APP_SERVICE_PORT_METRICS_PORT: '9090',
          APP_PORT: 'tcp://10.96.0.30:80',
          APP_PORT_80_TCP: 'tcp://10.96.0.30:80',
          APP_PORT_80_TCP_PROTO: 'tcp',
          APP_PORT_80_TCP_PORT: '80',
          APP_PORT_80_TCP_ADDR: '10.96.0.30',
          APP_PORT_9090_TCP: 'tcp://10.96.0.30:9090',
          APP_PORT_9090_TCP_PROTO: 'tcp',
          APP_PORT_9090_TCP_PORT: '9090',
          APP_PORT_9090_TCP_ADDR: '10.96.0.30',
        },
      },
      {
        name: 'UDP and TCP on one port number; a missing protocol is TCP',
        services: [
          svc('ns', 'dns', '10.96.0.10', [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53 },
          ]),
        ],
        want: {
          DNS_SERVICE_HOST: '10.96.0.10',
          DNS_SERVICE_PORT: '53',
          DNS_SERVICE_PORT_DNS: '53',
          DNS_SERVICE_PORT_DNS_TCP: '53',
          DNS_PORT: 'udp://10.96.0.10:53',
          DNS_PORT_53_UDP: 'udp://10.96.0.10:53',
          DNS_PORT_53_UDP_PROTO: 'udp',
          DNS_PORT_53_UDP_PORT: '53',
          DNS_PORT_53_UDP_ADDR: '10.96.0.10',
          DNS_PORT_53_TCP: 'tcp://10.96.0.10:53',
          DNS_PORT_53_TCP_PROTO: 'tcp',
          DNS_PORT_53_TCP_PORT: '53',
          DNS_PORT_53_TCP_ADDR: '10.96.0.10',
        },
      },
      { name: 'IPv6 cluster IP: brackets in the URLs only', services: [svc('ns', 'v6', 'fd00::10', [{ port: 8080 }])], want: {
        V6_SERVICE_HOST: 'fd00::10',
        V6_SERVICE_PORT: '8080',
        V6_PORT: 'tcp://[fd00::10]:8080',
        V6_PORT_8080_TCP: 'tcp://[fd00::10]:8080',
        V6_PORT_8080_TCP_PROTO: 'tcp',
        V6_PORT_8080_TCP_PORT: '8080',
        V6_PORT_8080_TCP_ADDR: 'fd00::10',
      } },
      { name: 'headless (None) skipped', services: [svc('ns', 'headless', 'None'), svc('ns', 'web', '10.96.0.20')], want: onePort('WEB', '10.96.0.20', 80) },
      { name: 'no cluster IP (ExternalName) skipped', services: [svc('ns', 'ext', undefined), svc('ns', 'empty', '')], want: {} },
      { name: 'a Service without ports is skipped, not half written', services: [svc('ns', 'noports', '10.96.0.40', [])], want: {} },
      { name: 'null ports', services: [{ metadata: { name: 'n', namespace: 'ns' }, spec: { clusterIP: '10.96.0.41', ports: null } }], want: {} },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(envFromServices(tc.services)).to.deep.equal(tc.want);
      });
    }
  });

  describe('serviceEnvForPod', () => {
    const inApp = [svc('app', 'web', '10.96.0.20'), svc('app', 'db', '10.96.0.21', [{ port: 5432 }]), svc('app', 'headless', 'None')];
    const elsewhere = [svc('other', 'cache', '10.96.0.50', [{ port: 6379 }]), svc('default', 'front', '10.96.0.60')];
    const cases: { name: string; namespace: string; links: boolean | undefined; services: ServiceForEnv[]; want: Record<string, string> }[] = [
      {
        name: 'links on (unset): own namespace plus the master service, nothing from other namespaces',
        namespace: 'app',
        links: undefined,
        services: [...inApp, ...elsewhere, master],
        want: { ...onePort('WEB', '10.96.0.20', 80), ...onePort('DB', '10.96.0.21', 5432), ...masterEnv },
      },
      { name: 'links explicitly on', namespace: 'app', links: true, services: [...inApp, master], want: { ...onePort('WEB', '10.96.0.20', 80), ...onePort('DB', '10.96.0.21', 5432), ...masterEnv } },
      { name: 'links off: only the master service', namespace: 'app', links: false, services: [...inApp, ...elsewhere, master], want: masterEnv },
      { name: 'links off in default: still the master service, not the others of default', namespace: 'default', links: false, services: [...elsewhere, master], want: masterEnv },
      { name: 'links on in default: every Service of default', namespace: 'default', links: true, services: [...elsewhere, master], want: { ...onePort('FRONT', '10.96.0.60', 80), ...masterEnv } },
      { name: 'no master service known', namespace: 'app', links: false, services: inApp, want: {} },
      { name: 'a headless master service gives nothing', namespace: 'app', links: false, services: [svc('default', 'kubernetes', 'None')], want: {} },
      { name: 'kubernetes in another namespace is not the master', namespace: 'app', links: false, services: [svc('other', 'kubernetes', '10.96.0.99')], want: {} },
      ...[
        { order: 'master first', services: [master, svc('app', 'kubernetes', '10.96.0.77', [{ port: 8443 }])] },
        { order: 'master last', services: [svc('app', 'kubernetes', '10.96.0.77', [{ port: 8443 }]), master] },
      ].map((c) => ({
        name: `the pod's own "kubernetes" Service replaces the master one (${c.order})`,
        namespace: 'app',
        links: true,
        services: c.services,
        want: onePort('KUBERNETES', '10.96.0.77', 8443),
      })),
      { name: "...but not when links are off", namespace: 'app', links: false, services: [svc('app', 'kubernetes', '10.96.0.77', [{ port: 8443 }]), master], want: masterEnv },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(serviceEnvForPod(tc.namespace, tc.links, tc.services)).to.deep.equal(tc.want);
      });
    }

    it('does not depend on the order of the Services', () => {
      const services = [...inApp, ...elsewhere, master];
      const a = Object.entries(serviceEnvForPod('app', true, services));
      const b = Object.entries(serviceEnvForPod('app', true, [...services].reverse()));
      expect(a).to.deep.equal(b);
    });
  });

  it('serviceEnvName', () => {
    expect(['a', 'my-svc', 'x-1-y'].map(serviceEnvName)).to.deep.equal(['A', 'MY_SVC', 'X_1_Y']);
  });
});
