import { expect } from 'chai';
import { definitions } from '../../common/schemas/index.js';
import { openApiPatchMeta } from '../patch/patchMeta.js';
import { describePath, fieldsOf, hasPath, leaves, removeAt, valueAt, without, type FieldPath, type FieldSet } from './fieldSet.js';

const podMeta = openApiPatchMeta(definitions, 'io.k8s.api.core.v1.Pod');
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'd', uid: 'u', labels: { app: 'x' }, finalizers: ['a/b'] },
  spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'E', value: '1' }] }], nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k' }] },
};

describe('field sets (FieldsV1)', () => {
  const set = fieldsOf(pod, podMeta, true);

  it('leaves out server-owned fields and names list items by merge key', () => {
    expect(set).to.not.have.property('f:apiVersion');
    expect(set['f:metadata']).to.have.keys('f:labels', 'f:finalizers');
    expect(set['f:metadata']!['f:finalizers']).to.have.key('v:"a/b"');
    const containers = set['f:spec']!['f:containers']!;
    expect(containers).to.have.key('k:{"name":"c"}');
    expect(containers['k:{"name":"c"}']!['f:env']).to.have.key('k:{"name":"E"}');
    // tolerations are an atomic list, nodeSelector an atomic map: leaves.
    expect(set['f:spec']!['f:tolerations']).to.deep.equal({});
    expect(set['f:spec']!['f:nodeSelector']).to.deep.equal({});
  });

  const cases: { path: string[]; value?: unknown; printed: string }[] = [
    { path: ['f:spec', 'f:nodeSelector', 'f:disk'], value: 'ssd', printed: '.spec.nodeSelector.disk' },
    { path: ['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'], value: 'i', printed: '.spec.containers[name="c"].image' },
    { path: ['f:metadata', 'f:finalizers', 'v:"a/b"'], value: 'a/b', printed: '.metadata.finalizers[="a/b"]' },
    { path: ['f:spec', 'f:containers', 'k:{"name":"nope"}', 'f:image'], printed: '.spec.containers[name="nope"].image' },
  ];
  for (const tc of cases) {
    it(`finds ${tc.printed}`, () => {
      const got = valueAt(pod, tc.path);
      if (tc.value === undefined) expect(got.found).to.equal(false);
      else expect(got).to.deep.equal({ found: true, value: tc.value });
      expect(describePath(tc.path)).to.equal(tc.printed);
    });
  }

  it('lists every leaf and item, and removes paths', () => {
    const all = leaves(set);
    expect(all).to.deep.include(['f:spec', 'f:containers', 'k:{"name":"c"}']);
    expect(all).to.deep.include(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:env', 'k:{"name":"E"}', 'f:value']);
    const less = without(set, [['f:metadata', 'f:labels', 'f:app']]);
    expect(hasPath(less, ['f:metadata', 'f:labels', 'f:app'])).to.equal(false);
    expect(less['f:metadata']).to.not.have.property('f:labels');
    expect(hasPath(set, ['f:metadata', 'f:labels', 'f:app'])).to.equal(true);
  });

  it('removes fields, list items and set members from objects', () => {
    const copy = structuredClone(pod);
    removeAt(copy, ['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:env', 'k:{"name":"E"}']);
    removeAt(copy, ['f:metadata', 'f:finalizers', 'v:"a/b"']);
    removeAt(copy, ['f:metadata', 'f:labels', 'f:app']);
    expect(copy.spec.containers[0]!.env).to.deep.equal([]);
    expect(copy.metadata.finalizers).to.deep.equal([]);
    expect(copy.metadata.labels).to.deep.equal({});
  });
});

describe('without: copies only when a path changes the set', () => {
  // The reference: what `without` always did (copy, then remove each path).
  const reference = (s: FieldSet, paths: FieldPath[]): FieldSet => {
    const copy = structuredClone(s);
    const remove = (node: FieldSet, path: FieldPath): void => {
      if (path.length === 0) return;
      const [head, ...rest] = path;
      const child = node[head!];
      if (!child) return;
      if (rest.length === 0) {
        if ('.' in child && Object.keys(child).length > 1) delete child['.'];
        else delete node[head!];
        return;
      }
      remove(child, rest);
      if (Object.keys(child).length === 0) delete node[head!];
    };
    for (const p of paths) remove(copy, p);
    return copy;
  };
  const owned: FieldSet = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:data': {},
    'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
  };
  const cases: { name: string; paths: FieldPath[]; shared: boolean }[] = [
    { name: 'no paths', paths: [], shared: true },
    { name: 'paths elsewhere (a status write over a creator)', paths: [['f:status', 'f:phase'], ['f:status', 'f:podIP']], shared: true },
    { name: 'a sibling of an owned field', paths: [['f:metadata', 'f:labels', 'f:tier']], shared: true },
    { name: 'an owned leaf', paths: [['f:metadata', 'f:labels', 'f:app']], shared: false },
    { name: 'an owned item marker', paths: [['f:spec', 'f:containers', 'k:{"name":"c"}']], shared: false },
    { name: 'under an owned leaf (the leaf owns it: removed)', paths: [['f:data', 'f:x']], shared: false },
    { name: 'one path of several', paths: [['f:status', 'f:phase'], ['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']], shared: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const before = structuredClone(owned);
      const got = without(owned, tc.paths);
      expect(got).to.deep.equal(reference(owned, tc.paths));
      expect(got === owned).to.equal(tc.shared);
      expect(owned, 'the input is never changed').to.deep.equal(before);
    });
  }
});
