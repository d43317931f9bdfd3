import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { HOUR, MINUTE, NOW, SECOND, makePod } from './fixtures.js';
import { podPrinter } from './pods.js';

describe('podPrinter', () => {
  it('has the kubectl columns, wide ones at priority 1', () => {
    expect(podPrinter.columns.map((c) => c.name)).to.deep.equal(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(podPrinter.columns.map((c) => c.priority)).to.deep.equal([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(podPrinter.columns[0]?.format).to.equal('name');
  });

  // [NAME, READY, STATUS, RESTARTS, AGE]
  const cases: { name: string; pod: KubeObject; want: unknown[] }[] = [
    { name: 'running and ready', pod: makePod().phase('Running').container('app', { ready: true, running: true }).obj(), want: ['web', '1/1', 'Running', '0', '5m'] },
    { name: 'pending without statuses', pod: makePod().phase('Pending').container('app').obj(), want: ['web', '0/1', 'Pending', '0', '5m'] },
    { name: 'no phase yet', pod: makePod().container('app').created(30 * SECOND).obj(), want: ['web', '0/1', '', '0', '30s'] },
    { name: 'creating containers', pod: makePod().phase('Pending').container('app', { waiting: 'ContainerCreating' }).obj(), want: ['web', '0/1', 'ContainerCreating', '0', '5m'] },
    {
      name: 'crash looping with last restart',
      pod: makePod().phase('Running').container('app', { waiting: 'CrashLoopBackOff', restarts: 3, lastTerminatedAgo: 2 * MINUTE }).obj(),
      want: ['web', '0/1', 'CrashLoopBackOff', '3 (2m ago)', '5m'],
    },
    {
      name: 'restarts summed, most recent restart wins',
      pod: makePod()
        .phase('Running')
        .container('a', { ready: true, running: true, restarts: 1, lastTerminatedAgo: HOUR })
        .container('b', { ready: true, running: true, restarts: 2, lastTerminatedAgo: 90 * SECOND })
        .obj(),
      want: ['web', '2/2', 'Running', '3 (90s ago)', '5m'],
    },
    { name: 'restarts without a termination time', pod: makePod().phase('Running').container('app', { ready: true, running: true, restarts: 4 }).obj(), want: ['web', '1/1', 'Running', '4', '5m'] },
    { name: 'completed', pod: makePod().phase('Succeeded').container('app', { terminated: { reason: 'Completed' } }).obj(), want: ['web', '0/1', 'Completed', '0', '5m'] },
    { name: 'out of memory', pod: makePod().phase('Running').container('app', { terminated: { reason: 'OOMKilled', exitCode: 137 } }).obj(), want: ['web', '0/1', 'OOMKilled', '0', '5m'] },
    { name: 'exit code without reason', pod: makePod().phase('Failed').container('app', { terminated: { exitCode: 2 } }).obj(), want: ['web', '0/1', 'ExitCode:2', '0', '5m'] },
    { name: 'signal without reason', pod: makePod().phase('Failed').container('app', { terminated: { exitCode: 137, signal: 9 } }).obj(), want: ['web', '0/1', 'Signal:9', '0', '5m'] },
    { name: 'pod-level reason', pod: makePod().phase('Failed', 'Evicted').container('app').obj(), want: ['web', '0/1', 'Evicted', '0', '5m'] },
    { name: 'first container has the last word', pod: makePod().phase('Running').container('a', { waiting: 'ImagePullBackOff' }).container('b', { waiting: 'ContainerCreating' }).obj(), want: ['web', '0/2', 'ImagePullBackOff', '0', '5m'] },
    {
      name: 'completed sidecar-less container while another runs and pod is ready',
      pod: makePod().phase('Running').condition('Ready', 'True').container('a', { ready: true, running: true }).container('b', { terminated: { reason: 'Completed' } }).obj(),
      want: ['web', '1/2', 'Running', '0', '5m'],
    },
    {
      name: 'completed container while another runs and pod is not ready',
      pod: makePod().phase('Running').condition('Ready', 'False').container('a', { ready: true, running: true }).container('b', { terminated: { reason: 'Completed' } }).obj(),
      want: ['web', '1/2', 'NotReady', '0', '5m'],
    },
    { name: 'init waiting to start', pod: makePod().phase('Pending').init('setup', { waiting: 'PodInitializing' }).container('app', { waiting: 'PodInitializing' }).obj(), want: ['web', '0/1', 'Init:0/1', '0', '5m'] },
    {
      name: 'second init container running',
      pod: makePod().phase('Pending').init('one', { terminated: { reason: 'Completed' } }).init('two', { running: true }).container('app').obj(),
      want: ['web', '0/1', 'Init:1/2', '0', '5m'],
    },
    {
      name: 'init crash looping counts init restarts',
      pod: makePod().phase('Pending').init('setup', { waiting: 'CrashLoopBackOff', restarts: 2, lastTerminatedAgo: 30 * SECOND }).container('app').obj(),
      want: ['web', '0/1', 'Init:CrashLoopBackOff', '2 (30s ago)', '5m'],
    },
    { name: 'init failed with reason', pod: makePod().phase('Pending').init('setup', { terminated: { reason: 'Error', exitCode: 1 } }).container('app').obj(), want: ['web', '0/1', 'Init:Error', '0', '5m'] },
    { name: 'init failed with exit code', pod: makePod().phase('Pending').init('setup', { terminated: { exitCode: 3 } }).container('app').obj(), want: ['web', '0/1', 'Init:ExitCode:3', '0', '5m'] },
    { name: 'init killed by signal', pod: makePod().phase('Pending').init('setup', { terminated: { exitCode: 137, signal: 9 } }).container('app').obj(), want: ['web', '0/1', 'Init:Signal:9', '0', '5m'] },
    {
      name: 'started sidecar counts as ready container',
      pod: makePod().phase('Running').init('proxy', { started: true, ready: true, running: true, restarts: 1, lastTerminatedAgo: 3 * MINUTE }, true).container('app', { ready: true, running: true }).obj(),
      want: ['web', '2/2', 'Running', '1 (3m ago)', '5m'],
    },
    {
      name: 'sidecar not started yet blocks initialization',
      pod: makePod().phase('Pending').init('proxy', { started: false, running: true }, true).container('app').obj(),
      want: ['web', '0/2', 'Init:0/1', '0', '5m'],
    },
    {
      name: 'scheduling gated',
      pod: makePod().phase('Pending').condition('PodScheduled', 'False', 'SchedulingGated').container('app').obj(),
      want: ['web', '0/1', 'SchedulingGated', '0', '5m'],
    },
    { name: 'terminating', pod: makePod().phase('Running').deleting().container('app', { ready: true, running: true }).obj(), want: ['web', '1/1', 'Terminating', '0', '5m'] },
    { name: 'deleted after completion stays completed', pod: makePod().phase('Succeeded').deleting().container('app', { terminated: { reason: 'Completed' } }).obj(), want: ['web', '0/1', 'Completed', '0', '5m'] },
    { name: 'node lost while deleting', pod: makePod().phase('Running', 'NodeLost').deleting().container('app', { ready: true, running: true }).obj(), want: ['web', '1/1', 'Unknown', '0', '5m'] },
    { name: 'no creation time', pod: { metadata: { name: 'bare' } }, want: ['bare', '0/0', '', '0', '<unknown>'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(podPrinter.cells(tc.pod, NOW).slice(0, 5)).to.deep.equal(tc.want));
  }

  // [IP, NODE, NOMINATED NODE, READINESS GATES]
  const wide: { name: string; pod: KubeObject; want: unknown[] }[] = [
    { name: 'unscheduled', pod: makePod().container('app').obj(), want: ['<none>', '<none>', '<none>', '<none>'] },
    { name: 'scheduled with ip', pod: makePod().node('n1').ip('10.1.0.7').container('app').obj(), want: ['10.1.0.7', 'n1', '<none>', '<none>'] },
    { name: 'nominated', pod: makePod().nominated('n2').container('app').obj(), want: ['<none>', '<none>', 'n2', '<none>'] },
    {
      name: 'readiness gates',
      pod: makePod().readinessGate('lb.ready').readinessGate('dns.ready').condition('lb.ready', 'True').condition('dns.ready', 'False').container('app').obj(),
      want: ['<none>', '<none>', '<none>', '1/2'],
    },
  ];
  for (const tc of wide) {
    it(`wide: ${tc.name}`, () => expect(podPrinter.cells(tc.pod, NOW).slice(5)).to.deep.equal(tc.want));
  }

  const conditions: { phase: string; want: string | undefined }[] = [
    { phase: 'Succeeded', want: 'Succeeded' },
    { phase: 'Failed', want: 'Failed' },
    { phase: 'Running', want: undefined },
  ];
  for (const tc of conditions) {
    it(`row condition for ${tc.phase}`, () => {
      const got = podPrinter.conditions?.(makePod().phase(tc.phase).obj());
      expect(got?.[0]?.reason).to.equal(tc.want);
      if (tc.want) expect(got?.[0]).to.include({ type: 'Completed', status: 'True' });
    });
  }
});
