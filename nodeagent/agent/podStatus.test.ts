import { expect } from 'chai';
import type { ContainerStatus, PodSandboxStatus } from '../cri/types.js';
import { computePodStatus, type Waiting } from './podStatus.js';
import type { Pod } from './podTypes.js';
import type { ProbeOutcome } from './probes/probeManager.js';

const t0 = Date.parse('2026-11-23T10:00:00Z');

function pod(spec: Partial<Pod['spec']> = {}, status: Pod['status'] = undefined): Pod {
  return { metadata: { name: 'p', namespace: 'd', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec }, ...(status ? { status } : {}) };
}

let seq = 0;
function ctr(name: string, attempt: number, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  seq++;
  return {
    id: `id-${name}-${attempt}`,
    podSandboxId: 's1',
    metadata: { name, attempt },
    image: { image: 'busybox' },
    imageRef: 'sha256:img',
    state,
    createdAt: t0 + seq,
    labels: {},
    annotations: {},
    startedAt: t0 + 1000,
    finishedAt: state === 'CONTAINER_EXITED' ? t0 + 2000 : 0,
    exitCode: 0,
    reason: '',
    message: '',
    mounts: [],
    logPath: '/x',
    ...extra,
  };
}

const sandbox: PodSandboxStatus = { id: 's1', metadata: { name: 'p', namespace: 'd', uid: 'u1', attempt: 0 }, state: 'SANDBOX_READY', createdAt: t0, labels: {}, annotations: {}, network: { ip: '10.88.0.5', additionalIps: [] } };

interface Case {
  name: string;
  pod: Pod;
  containers: ContainerStatus[];
  waiting?: Record<string, Waiting>;
  probes?: Record<string, ProbeOutcome>;
  sandbox?: PodSandboxStatus;
  check: (s: ReturnType<typeof computePodStatus>) => void;
}

const cond = (s: ReturnType<typeof computePodStatus>, type: string): string | undefined => s.conditions?.find((c) => c.type === type)?.status;

const cases: Case[] = [
  {
    name: 'nothing started yet: Pending, ContainerCreating, no IP without a sandbox',
    pod: pod(),
    containers: [],
    sandbox: undefined,
    check: (s) => {
      expect(s.phase).to.equal('Pending');
      expect(s.containerStatuses![0]!.state.waiting!.reason).to.equal('ContainerCreating');
      expect(s.podIP).to.equal(undefined);
      expect(cond(s, 'Ready')).to.equal('False');
    },
  },
  {
    name: 'running without probes: Running and Ready, with the pod IP',
    pod: pod(),
    containers: [ctr('c', 0, 'CONTAINER_RUNNING')],
    check: (s) => {
      expect(s.phase).to.equal('Running');
      expect(s.podIP).to.equal('10.88.0.5');
      expect(s.containerStatuses![0]!.ready).to.equal(true);
      expect(s.containerStatuses![0]!.containerID).to.equal('runc://id-c-0');
      expect(cond(s, 'Ready')).to.equal('True');
      expect(cond(s, 'ContainersReady')).to.equal('True');
    },
  },
  {
    name: 'readiness probe not yet passed: Running but not Ready',
    pod: pod({ containers: [{ name: 'c', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } }] }),
    containers: [ctr('c', 0, 'CONTAINER_RUNNING')],
    probes: { 'id-c-0/readiness': { result: false, failed: false, message: '' } },
    check: (s) => {
      expect(s.phase).to.equal('Running');
      expect(s.containerStatuses![0]!.ready).to.equal(false);
      expect(s.conditions!.find((c) => c.type === 'Ready')!.message).to.equal('containers with unready status: [c]');
    },
  },
  {
    name: 'crash loop: waiting CrashLoopBackOff, lastState terminated, restartCount from the attempt',
    pod: pod(),
    containers: [ctr('c', 2, 'CONTAINER_EXITED', { exitCode: 1 }), ctr('c', 1, 'CONTAINER_EXITED', { exitCode: 1 })],
    waiting: { c: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } },
    check: (s) => {
      const c = s.containerStatuses![0]!;
      expect(s.phase).to.equal('Running');
      expect(c.restartCount).to.equal(2);
      expect(c.state.waiting).to.deep.equal({ reason: 'CrashLoopBackOff', message: 'back-off 20s' });
      expect(c.lastState.terminated!.exitCode).to.equal(1);
      expect(c.lastState.terminated!.reason).to.equal('Error');
    },
  },
  {
    name: "hostNetwork: the node's address as podIP/podIPs, even before the sandbox",
    pod: pod({ hostNetwork: true }),
    containers: [],
    sandbox: undefined,
    check: (s) => {
      expect(s.podIP).to.equal('127.0.0.1');
      expect(s.podIPs).to.deep.equal([{ ip: '127.0.0.1' }]);
    },
  },
  {
    name: "hostNetwork, running: the node's address, not a sandbox address",
    pod: pod({ hostNetwork: true }),
    containers: [ctr('c', 0, 'CONTAINER_RUNNING')],
    sandbox: { ...sandbox, network: { ip: '10.88.0.9', additionalIps: ['fd00::9'] } },
    check: (s) => {
      expect(s.podIP).to.equal('127.0.0.1');
      expect(s.podIPs).to.deep.equal([{ ip: '127.0.0.1' }]);
    },
  },
  {
    name: 'pod network with a second address: both in podIPs',
    pod: pod(),
    containers: [ctr('c', 0, 'CONTAINER_RUNNING')],
    sandbox: { ...sandbox, network: { ip: '10.88.0.9', additionalIps: ['fd00::9'] } },
    check: (s) => {
      expect(s.podIP).to.equal('10.88.0.9');
      expect(s.podIPs).to.deep.equal([{ ip: '10.88.0.9' }, { ip: 'fd00::9' }]);
    },
  },
  {
    name: 'OOMKilled shows in lastState after a restart',
    pod: pod(),
    containers: [ctr('c', 0, 'CONTAINER_EXITED', { exitCode: 137, reason: 'OOMKilled' }), ctr('c', 1, 'CONTAINER_RUNNING')],
    check: (s) => {
      const c = s.containerStatuses![0]!;
      expect(c.state.running).to.not.equal(undefined);
      expect(c.lastState.terminated).to.include({ exitCode: 137, reason: 'OOMKilled' });
      expect(c.restartCount).to.equal(1);
    },
  },
  {
    name: 'Never policy, exit 0: Succeeded, not Ready (PodCompleted)',
    pod: pod({ restartPolicy: 'Never' }),
    containers: [ctr('c', 0, 'CONTAINER_EXITED')],
    check: (s) => {
      expect(s.phase).to.equal('Succeeded');
      expect(s.containerStatuses![0]!.state.terminated!.reason).to.equal('Completed');
      expect(s.conditions!.find((c) => c.type === 'Ready')!.reason).to.equal('PodCompleted');
    },
  },
  {
    name: 'Never policy, exit 3: Failed',
    pod: pod({ restartPolicy: 'Never' }),
    containers: [ctr('c', 0, 'CONTAINER_EXITED', { exitCode: 3 })],
    check: (s) => expect(s.phase).to.equal('Failed'),
  },
  {
    name: 'OnFailure policy, exit 0: Succeeded',
    pod: pod({ restartPolicy: 'OnFailure' }),
    containers: [ctr('c', 0, 'CONTAINER_EXITED')],
    check: (s) => expect(s.phase).to.equal('Succeeded'),
  },
  {
    name: 'init container running: Pending, Initialized False, app container PodInitializing',
    pod: pod({ initContainers: [{ name: 'init', image: 'busybox' }] }),
    containers: [ctr('init', 0, 'CONTAINER_RUNNING')],
    check: (s) => {
      expect(s.phase).to.equal('Pending');
      expect(cond(s, 'Initialized')).to.equal('False');
      expect(s.containerStatuses![0]!.state.waiting!.reason).to.equal('PodInitializing');
      expect(s.initContainerStatuses![0]!.state.running).to.not.equal(undefined);
    },
  },
  {
    name: 'init container failed with Never: Failed',
    pod: pod({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'busybox' }] }),
    containers: [ctr('init', 0, 'CONTAINER_EXITED', { exitCode: 1 })],
    check: (s) => expect(s.phase).to.equal('Failed'),
  },
  {
    name: 'a terminal phase already reported is kept',
    pod: pod({ restartPolicy: 'Always' }, { phase: 'Failed' }),
    containers: [ctr('c', 0, 'CONTAINER_EXITED', { exitCode: 1 })],
    check: (s) => expect(s.phase).to.equal('Failed'),
  },
  {
    name: 'the scheduler condition survives and transition times carry over',
    pod: pod({}, { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] }),
    containers: [ctr('c', 0, 'CONTAINER_RUNNING')],
    check: (s) => {
      expect(cond(s, 'PodScheduled')).to.equal('True');
      expect(s.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).to.equal('2026-01-01T00:00:00Z');
    },
  },
];

describe('computePodStatus', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const s = computePodStatus({
        pod: tc.pod,
        runtime: { uid: 'u1', sandboxes: [sandbox], containers: tc.containers },
        sandbox: 'sandbox' in tc ? tc.sandbox : sandbox,
        probe: (id, type) => tc.probes?.[`${id}/${type}`],
        waiting: new Map(Object.entries(tc.waiting ?? {})),
        hostIP: '127.0.0.1',
        qosClass: 'BestEffort',
        nowMs: t0 + 5000,
      });
      expect(s.hostIP).to.equal('127.0.0.1');
      expect(s.qosClass).to.equal('BestEffort');
      tc.check(s);
    });
  }
});
