import { expect } from 'chai';
import { generateNamePrefix, podFromTemplate } from './podTemplate.js';
import { makeReplicaSet } from './testing.js';

describe('pods from a ReplicaSet template', () => {
  it('carries the template and the controller reference', () => {
    const rs = makeReplicaSet('web', { namespace: 'shop' });
    rs.spec!.template!.metadata!.annotations = { note: 'x' };
    const pod = podFromTemplate(rs);
    expect(pod.metadata).to.deep.equal({
      generateName: 'web-',
      namespace: 'shop',
      labels: { app: 'web' },
      annotations: { note: 'x' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
    });
    expect(pod.spec).to.deep.equal(rs.spec!.template!.spec);
    expect(pod.spec).to.not.equal(rs.spec!.template!.spec);
  });

  const names = [
    { name: 'web', want: 'web-' },
    { name: 'a'.repeat(57), want: 'a'.repeat(57) + '-' },
    { name: 'a'.repeat(60), want: 'a'.repeat(58) },
  ];
  for (const tc of names) it(`generateName for a ${tc.name.length}-char name`, () => expect(generateNamePrefix(tc.name)).to.equal(tc.want));
});
