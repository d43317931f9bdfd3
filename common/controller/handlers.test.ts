import { expect } from 'chai';
import type { KubeObject, OwnerReference } from '../api/meta.js';
import { resourceFor } from '../api/resources.js';
import { controllerKey, enqueueMapped, enqueueObject, enqueueOwner } from './handlers.js';
import { keyString, type ObjectKey } from './types.js';

const rsResource = resourceFor('ReplicaSet');
const nodeResource = resourceFor('Node');

function obj(name: string, namespace: string | undefined, owners: OwnerReference[] = []): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(namespace ? { namespace } : {}), ownerReferences: owners } };
}
const rsRef = (name: string, controller = true, apiVersion = 'apps/v1'): OwnerReference => ({ apiVersion, kind: 'ReplicaSet', name, uid: `uid-${name}`, controller });

function recorder(): { keys: string[]; enqueue: (k: ObjectKey) => void } {
  const keys: string[] = [];
  return { keys, enqueue: (k) => keys.push(keyString(k)) };
}

describe('controllerKey', () => {
  const cases: { name: string; obj: KubeObject; owner?: typeof rsResource; want: string | undefined }[] = [
    { name: 'the controlling owner of the kind, in the dependent namespace', obj: obj('p', 'ns1', [rsRef('web')]), want: 'ns1/web' },
    { name: 'no owner', obj: obj('p', 'ns1'), want: undefined },
    { name: 'an owner that is not the controller', obj: obj('p', 'ns1', [rsRef('web', false)]), want: undefined },
    { name: 'a controller of another kind', obj: obj('p', 'ns1', [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's', uid: 'u', controller: true }]), want: undefined },
    { name: 'same kind in another group', obj: obj('p', 'ns1', [rsRef('web', true, 'example.com/v1')]), want: undefined },
    { name: 'another version of the same group', obj: obj('p', 'ns1', [rsRef('web', true, 'apps/v1beta2')]), want: 'ns1/web' },
    { name: 'the controller among several owners', obj: obj('p', 'ns1', [rsRef('other', false), rsRef('web')]), want: 'ns1/web' },
    {
      name: 'a cluster-scoped owner has no namespace',
      obj: obj('p', 'ns1', [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u', controller: true }]),
      owner: nodeResource,
      want: 'n1',
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const k = controllerKey(tc.obj, tc.owner ?? rsResource);
      expect(k ? keyString(k) : undefined).to.equal(tc.want);
    });
  }
});

describe('event handler builders', () => {
  it('enqueueObject enqueues the object on add, update and delete', () => {
    const r = recorder();
    const h = enqueueObject<KubeObject>(r.enqueue);
    h.onAdd!(obj('a', 'ns'), true);
    h.onUpdate!(obj('b', 'ns'), obj('b', 'ns'));
    h.onDelete!(obj('c', undefined));
    expect(r.keys).to.deep.equal(['ns/a', 'ns/b', 'c']);
  });

  it('enqueueOwner enqueues the old and the new controller when the controller changes', () => {
    const r = recorder();
    const h = enqueueOwner<KubeObject>(r.enqueue, rsResource);
    h.onAdd!(obj('p', 'ns', [rsRef('one')]), false);
    h.onUpdate!(obj('p', 'ns', [rsRef('one')]), obj('p', 'ns', [rsRef('one')]));
    h.onUpdate!(obj('p', 'ns', [rsRef('one')]), obj('p', 'ns', [rsRef('two')]));
    h.onUpdate!(obj('p', 'ns', [rsRef('two')]), obj('p', 'ns'));
    h.onDelete!(obj('p', 'ns', [rsRef('three')]));
    h.onAdd!(obj('orphan', 'ns'), false);
    expect(r.keys).to.deep.equal(['ns/one', 'ns/one', 'ns/one', 'ns/two', 'ns/two', 'ns/three']);
  });

  it('enqueueMapped enqueues each mapped key once per event, old and new', () => {
    const r = recorder();
    const byLabel = (o: KubeObject): ObjectKey[] => Object.values(o.metadata.labels ?? {}).map((v) => ({ namespace: 'ns', name: v }));
    const h = enqueueMapped<KubeObject>(r.enqueue, byLabel);
    const labelled = (labels: Record<string, string>): KubeObject => ({ metadata: { name: 'x', namespace: 'ns', labels } });
    h.onAdd!(labelled({ a: 's1', b: 's1', c: 's2' }), false);
    h.onUpdate!(labelled({ a: 's1' }), labelled({ a: 's1', b: 's3' }));
    h.onDelete!(labelled({}));
    expect(r.keys).to.deep.equal(['ns/s1', 'ns/s2', 'ns/s1', 'ns/s3']);
  });
});
