import { expect } from 'chai';
import { ForbiddenError } from '../../common/errors.js';
import { checkSchedulerPodPatch, isSchedulerPodPatch } from './schedulerRestriction.js';
import type { RequestInfo } from '../http/requestInfo.js';

const annotation = 'scheduler.gantry.dev/unschedulable-nodes';
const merge = 'application/merge-patch+json';

describe('scheduler restriction: the scheduler patches a pod only for its annotation', () => {
  const podPatch: RequestInfo = { kind: 'resource', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: 'p', verb: 'patch' };
  it('judges only the scheduler patching a pod itself', () => {
    const scheduler = { name: 'system:kube-scheduler', uid: '', groups: [] };
    expect(isSchedulerPodPatch(scheduler, podPatch)).to.equal(true);
    expect(isSchedulerPodPatch(scheduler, { ...podPatch, subresource: 'status' })).to.equal(false);
    expect(isSchedulerPodPatch(scheduler, { ...podPatch, verb: 'delete' })).to.equal(false);
    expect(isSchedulerPodPatch({ name: 'admin', uid: '', groups: ['system:masters'] }, podPatch)).to.equal(false);
  });

  const cases: { name: string; contentType?: string; body: unknown; allowed: boolean }[] = [
    { name: 'set the annotation', body: { metadata: { annotations: { [annotation]: '{"nodes":{}}' } } }, allowed: true },
    { name: 'remove it (null)', body: { metadata: { annotations: { [annotation]: null } } }, allowed: true },
    { name: 'with a charset', contentType: `${merge}; charset=utf-8`, body: { metadata: { annotations: { [annotation]: 'x' } } }, allowed: true },
    { name: 'a label', body: { metadata: { labels: { app: 'x' } } }, allowed: false },
    { name: 'another annotation beside it', body: { metadata: { annotations: { [annotation]: 'x', other: 'y' } } }, allowed: false },
    { name: 'the image', body: { spec: { containers: [{ name: 'c', image: 'evil' }] } }, allowed: false },
    { name: 'metadata and spec', body: { metadata: { annotations: { [annotation]: 'x' } }, spec: {} }, allowed: false },
    { name: 'a non-string value', body: { metadata: { annotations: { [annotation]: 1 } } }, allowed: false },
    { name: 'a JSON patch', contentType: 'application/json-patch+json', body: [{ op: 'add', path: `/metadata/annotations/${annotation.replace('/', '~1')}`, value: 'x' }], allowed: false },
    { name: 'a strategic merge patch', contentType: 'application/strategic-merge-patch+json', body: { metadata: { annotations: { [annotation]: 'x' } } }, allowed: false },
    { name: 'an undecodable body', body: undefined, allowed: false },
  ];
  for (const tc of cases) {
    it(`${tc.allowed ? 'allows' : 'refuses'} ${tc.name}`, () => {
      const run = (): void => checkSchedulerPodPatch(tc.contentType ?? merge, tc.body);
      if (tc.allowed) expect(run).to.not.throw();
      else expect(run).to.throw(ForbiddenError, /only to set or remove its scheduler\.gantry\.dev\/unschedulable-nodes annotation/);
    });
  }
});
