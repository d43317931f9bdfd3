import { expect } from 'chai';
import { openApiPatchMeta, parsePatchStrategy, unknownPatchMeta } from './patchMeta.js';
import { DEPLOYMENT, POD, testDefinitions } from './testSchemas.js';

describe('openApiPatchMeta', () => {
  const pod = openApiPatchMeta(testDefinitions, POD);
  const deployment = openApiPatchMeta(testDefinitions, DEPLOYMENT);

  const cases = [
    { name: 'containers merge by name (allOf-wrapped $ref chain)', meta: pod.field('spec').field('containers'), want: { merge: true, mergeKey: 'name' } },
    { name: 'env inside a container item', meta: pod.field('spec').field('containers').items().field('env'), want: { merge: true, mergeKey: 'name' } },
    { name: 'ports merge by containerPort', meta: pod.field('spec').field('containers').items().field('ports'), want: { merge: true, mergeKey: 'containerPort' } },
    { name: 'volumeMounts merge by mountPath', meta: pod.field('spec').field('containers').items().field('volumeMounts'), want: { merge: true, mergeKey: 'mountPath' } },
    { name: 'volumes: merge,retainKeys', meta: pod.field('spec').field('volumes'), want: { merge: true, mergeKey: 'name', retainKeys: true } },
    { name: 'conditions merge by type', meta: pod.field('status').field('conditions'), want: { merge: true, mergeKey: 'type' } },
    { name: 'finalizers are a set of scalars', meta: pod.field('metadata').field('finalizers'), want: { merge: true } },
    { name: 'ownerReferences merge by uid', meta: pod.field('metadata').field('ownerReferences'), want: { merge: true, mergeKey: 'uid' } },
    { name: 'args are atomic', meta: pod.field('spec').field('containers').items().field('args'), want: { merge: false } },
    { name: 'tolerations are atomic', meta: pod.field('spec').field('tolerations'), want: { merge: false } },
    { name: 'Deployment template reaches the pod spec', meta: deployment.field('spec').field('template').field('spec').field('containers'), want: { merge: true, mergeKey: 'name' } },
    { name: 'Deployment strategy: retainKeys on a map', meta: deployment.field('spec').field('strategy'), want: { merge: false, retainKeys: true } },
    { name: 'an unknown field is atomic', meta: pod.field('spec').field('nope'), want: { merge: false } },
    { name: 'below an unknown field everything is atomic', meta: pod.field('nope').field('containers').items().field('env'), want: { merge: false } },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(tc.meta.strategy()).to.deep.equal(tc.want));
  }

  it('follows additionalProperties for map values', () => {
    const limits = pod.field('spec').field('containers').items().field('resources').field('limits');
    expect(limits.field('cpu')).to.not.equal(unknownPatchMeta);
    expect(limits.field('cpu').strategy()).to.deep.equal({ merge: false });
  });

  it('returns the same meta for the same schema (cheap repeated lookups)', () => {
    expect(pod.field('spec').field('containers')).to.equal(pod.field('spec').field('containers'));
  });

  it('handles recursive schemas and plain $ref without looping', () => {
    const defs = {
      Props: {
        type: 'object',
        properties: {
          items: { $ref: '#/components/schemas/Props' },
          allOf: { type: 'array', items: { $ref: '#/components/schemas/Props' } },
          tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
        },
      },
      Loop: { $ref: '#/components/schemas/Loop' },
    };
    const meta = openApiPatchMeta(defs, 'Props');
    expect(meta.field('items').field('items').field('allOf').items().field('tags').strategy()).to.deep.equal({ merge: true });
    expect(openApiPatchMeta(defs, 'Loop').field('x').strategy()).to.deep.equal({ merge: false });
  });

  it('accepts swagger 2.0 style #/definitions references', () => {
    const defs = { A: { properties: { b: { $ref: '#/definitions/B' } } }, B: { properties: { l: { type: 'array', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'k' } } } };
    expect(openApiPatchMeta(defs, 'A').field('b').field('l').strategy()).to.deep.equal({ merge: true, mergeKey: 'k' });
  });

  it('fails fast on an unknown root definition', () => {
    expect(() => openApiPatchMeta(testDefinitions, 'io.k8s.api.core.v1.Nope')).to.throw(/no schema named/);
  });
});

describe('parsePatchStrategy', () => {
  const cases = [
    { strategy: 'merge', key: 'name', want: { merge: true, mergeKey: 'name' } },
    { strategy: 'merge,retainKeys', key: 'name', want: { merge: true, mergeKey: 'name', retainKeys: true } },
    { strategy: 'retainKeys', key: undefined, want: { merge: false, retainKeys: true } },
    { strategy: 'replace', key: 'name', want: { merge: false } },
    { strategy: undefined, key: 'name', want: { merge: false } },
    { strategy: 'merge', key: '', want: { merge: true } },
  ];
  for (const tc of cases) {
    it(`${String(tc.strategy)} / ${String(tc.key)}`, () => expect(parsePatchStrategy(tc.strategy, tc.key)).to.deep.equal(tc.want));
  }
});
