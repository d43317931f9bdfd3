import { expect } from 'chai';
import type { LinuxContainerSecurityContext } from '../cri/types.js';
import { ContainerConfigError, PodSpecError } from './errors.js';
import { containerSecurityContext, type SecurityOptions } from './securityContext.js';
import { testContainer, testPod, type TestPodOptions } from './testPods.js';
import type { SecurityContext } from './types.js';

const podNs = { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } as const;

function contextFor(sc: SecurityContext | undefined, pod: TestPodOptions = {}, opts: SecurityOptions = {}): LinuxContainerSecurityContext {
  const p = testPod({ ...pod, containers: [testContainer('app', sc ? { securityContext: sc } : {})] });
  return containerSecurityContext(p, p.spec.containers[0]!, opts);
}

describe('podspec/securityContext', () => {
  const cases: { name: string; sc?: SecurityContext; pod?: TestPodOptions; opts?: SecurityOptions; want: LinuxContainerSecurityContext }[] = [
    { name: 'nothing set leaves the runtime defaults', want: { namespaceOptions: podNs } },
    {
      name: 'pod-level users, groups and fsGroup',
      pod: { securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000 } },
      want: { namespaceOptions: podNs, runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000, 2000] },
    },
    {
      name: 'the container overrides the pod',
      sc: { runAsUser: 1, runAsGroup: 2, seccompProfile: { type: 'Unconfined' } },
      pod: { securityContext: { runAsUser: 1000, runAsGroup: 3000, seccompProfile: { type: 'RuntimeDefault' } } },
      want: { namespaceOptions: podNs, runAsUser: 1, runAsGroup: 2, seccompProfile: 'unconfined' },
    },
    { name: 'pod seccomp profile applies', pod: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, want: { namespaceOptions: podNs, seccompProfile: 'runtime/default' } },
    {
      name: 'localhost seccomp profile under the node directory',
      sc: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } },
      opts: { seccompProfileRoot: '/var/lib/gantry/seccomp' },
      want: { namespaceOptions: podNs, seccompProfile: 'localhost//var/lib/gantry/seccomp/profiles/audit.json' },
    },
    {
      name: 'privileges and capabilities',
      sc: { privileged: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: true },
      want: { namespaceOptions: podNs, privileged: true, capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] }, readonlyRootfs: true, noNewPrivs: false },
    },
    { name: 'no privilege escalation', sc: { allowPrivilegeEscalation: false }, want: { namespaceOptions: podNs, noNewPrivs: true } },
    { name: 'unmasked /proc', sc: { procMount: 'Unmasked' }, want: { namespaceOptions: podNs, maskedPaths: [], readonlyPaths: [] } },
    { name: 'node namespaces', pod: { hostNetwork: true, hostPID: true }, want: { namespaceOptions: { network: 'NODE', pid: 'NODE', ipc: 'POD' } } },
    { name: 'non-root with a non-root uid', sc: { runAsNonRoot: true, runAsUser: 1000 }, want: { namespaceOptions: podNs, runAsUser: 1000 } },
    { name: 'non-root with a numeric image user', pod: { securityContext: { runAsNonRoot: true } }, opts: { imageUser: '65534:65534' }, want: { namespaceOptions: podNs } },
  ];
  for (const tc of cases) it(tc.name, () => expect(contextFor(tc.sc, tc.pod, tc.opts)).to.deep.equal(tc.want));

  const failures: { name: string; sc?: SecurityContext; pod?: TestPodOptions; opts?: SecurityOptions; type: typeof PodSpecError; message: RegExp; field: string }[] = [
    { name: 'runAsNonRoot with uid 0', sc: { runAsNonRoot: true, runAsUser: 0 }, type: ContainerConfigError, message: /^container's runAsUser breaks non-root policy/, field: 'spec.containers[0].securityContext.runAsUser' },
    { name: 'runAsNonRoot with a root image', sc: { runAsNonRoot: true }, opts: { imageUser: '' }, type: ContainerConfigError, message: /^container has runAsNonRoot and image will run as root/, field: 'spec.containers[0].securityContext.runAsNonRoot' },
    { name: 'runAsNonRoot with a named image user', pod: { securityContext: { runAsNonRoot: true } }, opts: { imageUser: 'app' }, type: ContainerConfigError, message: /non-numeric user \(app\)/, field: 'spec.containers[0].securityContext.runAsNonRoot' },
    { name: 'negative uid', sc: { runAsUser: -1 }, type: PodSpecError, message: /integer/, field: 'spec.containers[0].securityContext.runAsUser' },
    { name: 'localhost profile escaping', sc: { seccompProfile: { type: 'Localhost', localhostProfile: '../x' } }, opts: { seccompProfileRoot: '/s' }, type: PodSpecError, message: /relative/, field: 'spec.containers[0].securityContext.seccompProfile.localhostProfile' },
    { name: 'localhost profile without a root', sc: { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } }, type: ContainerConfigError, message: /no seccomp profile directory/, field: 'spec.containers[0].securityContext.seccompProfile' },
    { name: 'unknown seccomp type', pod: { securityContext: { seccompProfile: { type: 'Strict' } } }, type: PodSpecError, message: /not supported/, field: 'spec.securityContext.seccompProfile.type' },
    { name: 'bad capability list', sc: { capabilities: { add: [''] } }, type: PodSpecError, message: /non-empty/, field: 'spec.containers[0].securityContext.capabilities.add[0]' },
  ];
  for (const tc of failures) {
    it(`fails: ${tc.name}`, () => {
      let err: unknown;
      try {
        contextFor(tc.sc, tc.pod, tc.opts);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(tc.type);
      expect((err as PodSpecError).message).to.match(tc.message);
      expect((err as PodSpecError).field).to.equal(tc.field);
    });
  }
});
