import { expect } from 'chai';
import type { ContainerConfig } from '../cri/types.js';
import { containerConfig, type ContainerOptions } from './containerConfig.js';
import { containerHash } from './containerHash.js';
import { PodSpecError } from './errors.js';
import { testContainer, testPod } from './testPods.js';
import type { Container } from './types.js';

const opts: ContainerOptions = {
  attempt: 3,
  envs: [{ key: 'NAME', value: 'world' }],
  mounts: [{ containerPath: '/data', hostPath: '/pods/x/volumes/empty-dir/data', readonly: false, propagation: 'PROPAGATION_PRIVATE' }],
  resources: { cpuShares: 2, oomScoreAdj: 1000 },
  imageRef: 'sha256:abc',
};

function configFor(c: Partial<Container>, o: Partial<ContainerOptions> = {}): ContainerConfig {
  const pod = testPod({ labels: { app: 'web' }, terminationGracePeriodSeconds: 5, hostPID: true, containers: [testContainer('app', c)] });
  return containerConfig(pod, pod.spec.containers[0]!, { ...opts, ...o });
}

describe('podspec/containerConfig', () => {
  it('builds the whole config', () => {
    const c: Partial<Container> = {
      command: ['sh', '-c'],
      args: ['echo hello $(NAME) $$(NAME) $(MISSING)'],
      workingDir: '/work',
      stdin: true,
      tty: true,
      terminationMessagePolicy: 'FallbackToLogsOnError',
      securityContext: { runAsUser: 1000, allowPrivilegeEscalation: false },
    };
    const want: ContainerConfig = {
      metadata: { name: 'app', attempt: 3 },
      image: { image: 'sha256:abc' },
      command: ['sh', '-c'],
      args: ['echo hello world $(NAME) $(MISSING)'],
      workingDir: '/work',
      envs: opts.envs,
      mounts: opts.mounts,
      labels: { 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'app' },
      annotations: {
        'io.kubernetes.container.hash': containerHash({ name: 'app', image: 'busybox:1', ...c }),
        'io.kubernetes.container.restartCount': '3',
        'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
        'io.kubernetes.container.terminationMessagePolicy': 'FallbackToLogsOnError',
        'io.kubernetes.pod.terminationGracePeriod': '5',
      },
      logPath: 'app/3.log',
      stdin: true,
      stdinOnce: false,
      tty: true,
      linux: {
        resources: opts.resources,
        securityContext: { namespaceOptions: { network: 'POD', pid: 'NODE', ipc: 'POD' }, runAsUser: 1000, noNewPrivs: true },
      },
    };
    expect(configFor(c)).to.deep.equal(want);
  });

  const cases: { name: string; c: Partial<Container>; o?: Partial<ContainerOptions>; check: (cfg: ContainerConfig) => void }[] = [
    { name: 'no command leaves the image entrypoint', c: {}, check: (cfg) => expect(cfg).to.not.have.any.keys('command', 'args', 'workingDir') },
    { name: 'args alone', c: { args: ['$(NAME)'] }, check: (cfg) => expect([cfg.command, cfg.args]).to.deep.equal([undefined, ['world']]) },
    { name: 'restart count apart from attempt', c: {}, o: { restartCount: 7 }, check: (cfg) => expect(cfg.annotations?.['io.kubernetes.container.restartCount']).to.equal('7') },
    { name: 'custom termination message path', c: { terminationMessagePath: '/tmp/msg' }, check: (cfg) => expect(cfg.annotations?.['io.kubernetes.container.terminationMessagePath']).to.equal('/tmp/msg') },
  ];
  for (const tc of cases) it(tc.name, () => tc.check(configFor(tc.c, tc.o)));

  it('hashes differently when the spec changes', () => {
    const a = configFor({ image: 'busybox:1' }).annotations!['io.kubernetes.container.hash'];
    const b = configFor({ image: 'busybox:2' }).annotations!['io.kubernetes.container.hash'];
    expect(a).to.not.equal(b);
  });

  const failures: { name: string; c: Partial<Container>; field: string }[] = [
    { name: 'relative workingDir', c: { workingDir: 'work' }, field: 'spec.containers[0].workingDir' },
    { name: 'command not a list', c: { command: 'sh' as never }, field: 'spec.containers[0].command' },
    { name: 'unknown termination policy', c: { terminationMessagePolicy: 'Never' }, field: 'spec.containers[0].terminationMessagePolicy' },
  ];
  for (const tc of failures) it(`fails: ${tc.name}`, () => expect(() => configFor(tc.c)).to.throw(PodSpecError).with.property('field', tc.field));

  it('refuses a container name that cannot name a log directory', () => {
    const pod = testPod({ containers: [testContainer('../x')] });
    expect(() => containerConfig(pod, pod.spec.containers[0]!, opts)).to.throw(PodSpecError).with.property('field', 'spec.containers[0].name');
  });
});
