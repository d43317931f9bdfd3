import { expect } from 'chai';
import { selectorFromSet } from '../../common/selectors/labels.js';
import { claimObjects } from './claim.js';
import { isMemberOf, newClaim, newPod, parentAndOrdinal } from './identity.js';
import { makeStatefulSet } from './testing.js';
import type { Pod } from './types.js';

describe('statefulset identity', () => {
  const names: { name: string; want: { parent: string; ordinal: number } }[] = [
    { name: 'web-0', want: { parent: 'web', ordinal: 0 } },
    { name: 'my-db-12', want: { parent: 'my-db', ordinal: 12 } },
    { name: 'web', want: { parent: '', ordinal: -1 } },
    { name: 'web-01', want: { parent: '', ordinal: -1 } },
    { name: 'web-x', want: { parent: '', ordinal: -1 } },
    { name: 'web-99999999999999999999', want: { parent: '', ordinal: -1 } },
  ];
  for (const tc of names) it(`parentAndOrdinal(${tc.name})`, () => expect(parentAndOrdinal(tc.name)).to.deep.equal(tc.want));

  it('the pod: name, hostname, subdomain, labels, owner, a volume per claim template in place of a same-named one', () => {
    const set = makeStatefulSet().claim('data').obj();
    set.spec!.template!.metadata!.annotations = { note: 'x' };
    (set.spec!.template!.spec as Record<string, unknown>).volumes = [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }];
    const p = newPod(set, set.spec!.template!, 4, 'web-abc');
    expect(p.metadata).to.deep.include({ name: 'web-4', namespace: 'default', annotations: { note: 'x' } });
    expect(p.metadata.labels).to.deep.equal({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-4', 'apps.kubernetes.io/pod-index': '4', 'controller-revision-hash': 'web-abc' });
    expect(p.metadata.ownerReferences).to.deep.equal([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'web-uid', controller: true, blockOwnerDeletion: true }]);
    expect(p.spec).to.deep.include({ hostname: 'web-4', subdomain: 'web' });
    expect(p.spec?.volumes).to.deep.equal([
      { name: 'cfg', configMap: { name: 'c' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-4' } },
    ]);
    expect(set.spec!.template!.spec!.volumes, 'the template is not changed').to.have.length(2);
  });

  it('no serviceName: no subdomain', () => {
    const set = makeStatefulSet().obj();
    delete set.spec!.serviceName;
    expect(newPod(set, set.spec!.template!, 0, 'r').spec).to.not.have.property('subdomain');
  });

  it('the claim: <template>-<set>-<ordinal>, the template labels plus the selector matchLabels, the template spec', () => {
    const set = makeStatefulSet().obj();
    const c = newClaim(set, { metadata: { name: 'www', labels: { tier: 'db' }, annotations: { a: 'b' } }, spec: { resources: { requests: { storage: '1Gi' } } } }, 2);
    expect(c).to.deep.equal({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'www-web-2', namespace: 'default', labels: { tier: 'db', app: 'web' }, annotations: { a: 'b' } },
      spec: { resources: { requests: { storage: '1Gi' } } },
    });
  });
});

describe('statefulset claiming', () => {
  const set = makeStatefulSet().obj();
  const pod = (name: string, labels: Record<string, string>, owner?: string, deleting = false): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: owner, controller: true }] } : {}),
      ...(deleting ? { deletionTimestamp: '2026-12-07T09:00:00Z' } : {}),
    },
  });
  const sel = selectorFromSet({ app: 'web' });
  const cases: { name: string; pod: Pod; want: 'owned' | 'adopt' | 'release' | 'none'; deleting?: boolean }[] = [
    { name: 'ours and matching', pod: pod('web-0', { app: 'web' }, 'web-uid'), want: 'owned' },
    { name: 'ours, labels changed: released', pod: pod('web-0', { app: 'other' }, 'web-uid'), want: 'release' },
    { name: 'ours, name not ours: released', pod: pod('db-0', { app: 'web' }, 'web-uid'), want: 'release' },
    { name: 'an orphan matching: adopted', pod: pod('web-1', { app: 'web' }), want: 'adopt' },
    { name: 'an orphan with another name: left', pod: pod('web-x', { app: 'web' }), want: 'none' },
    { name: 'an orphan terminating: left', pod: pod('web-1', { app: 'web' }, undefined, true), want: 'none' },
    { name: "someone else's: left", pod: pod('web-1', { app: 'web' }, 'other-uid'), want: 'none' },
    { name: 'the set is being deleted: no adoption', pod: pod('web-1', { app: 'web' }), want: 'none', deleting: true },
    { name: 'the set is being deleted: no release', pod: pod('web-0', { app: 'other' }, 'web-uid'), want: 'none', deleting: true },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = tc.deleting ? makeStatefulSet().deleting().obj() : set;
      const c = claimObjects(s, sel, [tc.pod], (p) => isMemberOf(s, p));
      const got = c.owned.length ? 'owned' : c.adopt.length ? 'adopt' : c.release.length ? 'release' : 'none';
      expect(got).to.equal(tc.want);
    });
  }
});
