import { expect } from 'chai';
import { admitPodServiceAccount, defaultPodTemplate } from './podDefaults.js';

type Spec = Record<string, unknown>;

describe('pod ServiceAccount defaults', () => {
  describe('admitPodServiceAccount (new pods)', () => {
    const cases: { name: string; spec: Spec; want: { serviceAccountName?: string; serviceAccount?: string } }[] = [
      { name: 'no account: default', spec: {}, want: { serviceAccountName: 'default', serviceAccount: 'default' } },
      { name: 'empty names: default', spec: { serviceAccountName: '', serviceAccount: '' }, want: { serviceAccountName: 'default', serviceAccount: 'default' } },
      { name: 'serviceAccountName kept and mirrored', spec: { serviceAccountName: 'builder' }, want: { serviceAccountName: 'builder', serviceAccount: 'builder' } },
      { name: 'the deprecated serviceAccount alone is read', spec: { serviceAccount: 'old' }, want: { serviceAccountName: 'old', serviceAccount: 'old' } },
      { name: 'serviceAccountName wins over a different serviceAccount', spec: { serviceAccountName: 'new', serviceAccount: 'old' }, want: { serviceAccountName: 'new', serviceAccount: 'new' } },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const spec: Spec = { containers: [{ name: 'c', image: 'busybox' }], ...tc.spec };
        admitPodServiceAccount(spec);
        expect({ serviceAccountName: spec.serviceAccountName, serviceAccount: spec.serviceAccount }).to.deep.equal(tc.want);
      });
    }
    it('leaves a spec that is not an object alone (validation reports it)', () => {
      expect(() => admitPodServiceAccount(undefined)).to.not.throw();
      expect(() => admitPodServiceAccount('x')).to.not.throw();
    });
  });

  describe('defaultPodTemplate (Deployments, ReplicaSets)', () => {
    const cases: { name: string; spec: Spec; want: Spec }[] = [
      // Templates get no `default`: the pods made from them do, at their creation.
      { name: 'no account stays unset', spec: {}, want: {} },
      { name: 'serviceAccountName is mirrored', spec: { serviceAccountName: 'a' }, want: { serviceAccountName: 'a', serviceAccount: 'a' } },
      { name: 'serviceAccount alone is read', spec: { serviceAccount: 'b' }, want: { serviceAccountName: 'b', serviceAccount: 'b' } },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const template = { spec: { containers: [{ name: 'c', image: 'busybox' }], ...tc.spec } as Spec };
        defaultPodTemplate(template);
        const got: Spec = {};
        for (const k of ['serviceAccountName', 'serviceAccount']) if (template.spec[k] !== undefined) got[k] = template.spec[k];
        expect(got).to.deep.equal(tc.want);
      });
    }
  });
});
