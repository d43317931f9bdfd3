import { expect } from 'chai';
import { controllerRevisionPrinter, daemonSetPrinter } from './daemonSets.js';
import { NOW, make } from './fixtures.js';
import type { TablePrinter } from './types.js';

const headers = (p: TablePrinter, priority: number): string =>
  p.columns
    .filter((c) => c.priority === priority)
    .map((c) => c.name.toUpperCase())
    .join(' ');

describe('daemonset and controllerrevision columns', () => {
  it('daemonsets: kubectl\'s columns', () => {
    expect(headers(daemonSetPrinter, 0)).to.equal('NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE');
    expect(headers(daemonSetPrinter, 1)).to.equal('CONTAINERS IMAGES SELECTOR');
  });
  it('controllerrevisions: kubectl\'s columns', () => {
    expect(headers(controllerRevisionPrinter, 0)).to.equal('NAME CONTROLLER REVISION AGE');
  });
});

describe('daemonSetPrinter', () => {
  const template = (nodeSelector?: Record<string, string>) => ({ spec: { nodeSelector, containers: [{ name: 'agent', image: 'busybox' }, { name: 'side', image: 'alpine:3' }] } });
  const selector = { matchLabels: { app: 'agent' } };
  const cases: { name: string; spec: object; status?: object; want: unknown[] }[] = [
    { name: 'new: no status counters yet', spec: { template: template(), selector }, want: ['ds', 0, 0, 0, 0, 0, '<none>', '10m', 'agent,side', 'busybox,alpine:3', 'app=agent'] },
    {
      name: 'counters and a node selector, keys sorted',
      spec: { template: template({ zone: 'a', 'kubernetes.io/os': 'linux' }), selector },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2 },
      want: ['ds', 3, 3, 2, 1, 2, 'kubernetes.io/os=linux,zone=a', '10m', 'agent,side', 'busybox,alpine:3', 'app=agent'],
    },
    { name: 'no selector', spec: {}, want: ['ds', 0, 0, 0, 0, 0, '<none>', '10m', '', '', '<none>'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(daemonSetPrinter.cells(make('DaemonSet', 'ds', { spec: tc.spec, status: tc.status }), NOW)).to.deep.equal(tc.want));
  }
});

describe('controllerRevisionPrinter', () => {
  const owner = (apiVersion: string, kind: string, controller?: boolean) => [{ apiVersion, kind, name: 'web', uid: 'u', controller }];
  const cases: { name: string; meta?: Record<string, unknown>; revision?: number; want: unknown[] }[] = [
    { name: 'owned by a DaemonSet', meta: { ownerReferences: owner('apps/v1', 'DaemonSet', true) }, revision: 3, want: ['web-5d4c', 'daemonset.apps/web', 3, '10m'] },
    { name: 'a core-group owner has no group', meta: { ownerReferences: owner('v1', 'Pod', true) }, revision: 1, want: ['web-5d4c', 'pod/web', 1, '10m'] },
    { name: 'an owner that is not the controller', meta: { ownerReferences: owner('apps/v1', 'StatefulSet') }, revision: 2, want: ['web-5d4c', '<none>', 2, '10m'] },
    { name: 'no owner, no revision', want: ['web-5d4c', '<none>', 0, '10m'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(controllerRevisionPrinter.cells(make('ControllerRevision', 'web-5d4c', { revision: tc.revision }, tc.meta), NOW)).to.deep.equal(tc.want));
  }
});
