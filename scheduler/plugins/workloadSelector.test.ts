import { expect } from 'chai';
import { makePod } from '../../common/testing/builders.js';
import { staticWorkloads } from '../framework/listers.js';
import { makeReplicaSet, makeService, ownedBy } from '../testing/workloads.js';
import { workloadSelector } from './workloadSelector.js';

const web = makePod().name('w').labels({ app: 'web', tier: 'fe', 'pod-template-hash': 'v2' }).obj();

describe('workloadSelector (the selector of the Services and ReplicaSet selecting a pod)', () => {
  const cases = [
    { name: 'nothing selects the pod: none', pod: web, services: [], replicaSets: [], want: undefined },
    { name: 'one Service selecting it', pod: web, services: [makeService('web', { app: 'web' })], replicaSets: [], want: 'app=web' },
    {
      name: 'Services selecting it are merged; others, selectorless ones and other namespaces are not',
      pod: web,
      services: [
        makeService('web', { app: 'web' }),
        makeService('fe', { tier: 'fe' }),
        makeService('db', { app: 'db' }),
        makeService('external', undefined),
        makeService('empty', {}),
        makeService('elsewhere', { 'pod-template-hash': 'v2' }, 'other'),
      ],
      replicaSets: [],
      want: 'app=web,tier=fe',
    },
    {
      name: 'the controlling ReplicaSet adds its selector, expressions included',
      pod: ownedBy(web, { name: 'web-v2' }),
      services: [makeService('web', { app: 'web' })],
      replicaSets: [makeReplicaSet('web-v2', { matchLabels: { 'pod-template-hash': 'v2' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] })],
      want: 'app=web,pod-template-hash=v2,tier in (be,fe)',
    },
    { name: 'a ReplicaSet alone', pod: ownedBy(web, { name: 'web-v2' }), services: [], replicaSets: [makeReplicaSet('web-v2', { matchLabels: { app: 'web' } })], want: 'app=web' },
    { name: 'an owner that is not the controller is not used', pod: ownedBy(web, { name: 'web-v2', controller: false }), services: [], replicaSets: [makeReplicaSet('web-v2', { matchLabels: { app: 'web' } })], want: undefined },
    { name: 'a controller of another kind is not used', pod: ownedBy(web, { name: 'web-v2', kind: 'Job', apiVersion: 'batch/v1' }), services: [], replicaSets: [makeReplicaSet('web-v2', { matchLabels: { app: 'web' } })], want: undefined },
    { name: 'a ReplicaSet not (yet) in the cache adds nothing', pod: ownedBy(web, { name: 'gone' }), services: [makeService('web', { app: 'web' })], replicaSets: [], want: 'app=web' },
    { name: 'a ReplicaSet with a null selector adds nothing', pod: ownedBy(web, { name: 'web-v2' }), services: [], replicaSets: [makeReplicaSet('web-v2', null)], want: undefined },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(workloadSelector(tc.pod, staticWorkloads({ services: tc.services, replicaSets: tc.replicaSets }))?.toString()).to.equal(tc.want));
  }
});
