import { expect } from 'chai';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import { FakeClock } from '../../common/clock.js';
import { InvalidError } from '../../common/errors.js';
import { definitions } from '../../common/schemas/index.js';
import { FieldManager } from './fieldManagerApply.js';

const def = 'io.k8s.api.core.v1.ConfigMap';
const t0 = '2026-01-01T00:00:00Z';
const t1 = '2026-01-01T00:01:00Z';

function cm(data: Record<string, string>, managedFields?: ManagedFieldsEntry[]): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', ...(managedFields ? { managedFields } : {}) }, data };
}

function owns(manager: string, operation: 'Apply' | 'Update', keys: string[], time = t0): ManagedFieldsEntry {
  return { manager, operation, apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': Object.fromEntries(keys.map((k) => [`f:${k}`, {}])) } };
}

const csa = owns('kubectl-client-side-apply', 'Update', ['x', 'z']);

describe('field tracking on writes other than apply', () => {
  const cases: {
    name: string;
    old?: KubeObject;
    next: KubeObject;
    manager: string;
    subresource?: string;
    want: ManagedFieldsEntry[] | undefined;
  }[] = [
    { name: 'a create records the creator as owner of every field', next: cm({ x: '1' }), manager: 'kubectl-create', want: [owns('kubectl-create', 'Update', ['x'], t1)] },
    {
      name: 'a write takes the fields it changes from their owner',
      old: cm({ x: '1', z: '2' }, [csa]),
      next: cm({ x: '9', z: '2' }),
      manager: 'kubectl-edit',
      want: [owns('kubectl-client-side-apply', 'Update', ['z']), owns('kubectl-edit', 'Update', ['x'], t1)],
    },
    {
      name: 'managedFields set by the writer replace the stored ones (the CSA -> SSA migration patch)',
      old: cm({ x: '1', z: '2' }, [csa]),
      next: cm({ x: '1', z: '2' }, [owns('kubectl', 'Apply', ['x', 'z'])]),
      manager: 'kubectl',
      want: [owns('kubectl', 'Apply', ['x', 'z'])],
    },
    {
      name: 'the writer takes what it changes on top of the managedFields it set',
      old: cm({ x: '1', z: '2' }, [csa]),
      next: cm({ x: '1', z: '3' }, [owns('kubectl', 'Apply', ['x', 'z'])]),
      manager: 'kubectl-patch',
      want: [owns('kubectl', 'Apply', ['x']), owns('kubectl-patch', 'Update', ['z'], t1)],
    },
    { name: '[{}] clears them', old: cm({ x: '1' }, [csa]), next: cm({ x: '1' }, [{}]), manager: 'kubectl-patch', want: undefined },
    { name: 'an empty list keeps the stored ones', old: cm({ x: '1', z: '2' }, [csa]), next: cm({ x: '1', z: '2' }, []), manager: 'kubectl-patch', want: [csa] },
    {
      name: 'a status write cannot set them',
      old: cm({ x: '1', z: '2' }, [csa]),
      next: cm({ x: '1', z: '2' }, [owns('someone', 'Apply', ['x'])]),
      manager: 'kubectl',
      subresource: 'status',
      want: [csa],
    },
    {
      name: 'a write that only removes fields keeps its own entry and time',
      old: cm({ x: '1', z: '2' }, [owns('kubectl-edit', 'Update', ['x', 'z'])]),
      next: cm({ x: '1' }),
      manager: 'kubectl-edit',
      want: [owns('kubectl-edit', 'Update', ['x'])],
    },
    {
      name: 'managedFields given on create are kept, minus what the creator sets',
      next: cm({ x: '1' }, [owns('restored', 'Apply', ['x', 'gone'])]),
      manager: 'kubectl-create',
      want: [owns('restored', 'Apply', ['gone']), owns('kubectl-create', 'Update', ['x'], t1)],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const fm = new FieldManager(definitions, new FakeClock(Date.parse(t1)));
      const got = fm.track(def, 'v1', tc.old, tc.next, tc.manager, tc.subresource);
      expect(got).to.deep.equal(tc.want);
    });
  }

  it('answers 422 with the field path for invalid managedFields', () => {
    const fm = new FieldManager(definitions, new FakeClock(Date.parse(t1)));
    const bad = cm({ x: '1' }, [{ ...owns('m', 'Update', ['x']), operation: 'Merge' as 'Apply' }]);
    expect(() => fm.track(def, 'v1', cm({ x: '1' }, [csa]), bad, 'kubectl-patch'))
      .to.throw(InvalidError)
      .with.property('causes')
      .that.deep.equals([{ reason: 'FieldValueInvalid', message: 'Invalid value: "Merge": must be `Apply` or `Update`', field: 'metadata.managedFields[0].operation' }]);
  });
});

describe('field tracking inside list items', () => {
  const deployDef = 'io.k8s.api.apps.v1.Deployment';
  const deploy = (image: string, env: { name: string; value: string }[]): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'ns' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image, imagePullPolicy: 'IfNotPresent', env }] } } },
  });
  const item = 'k:{"name":"c"}';
  const csaFields = {
    'f:spec': {
      'f:replicas': {},
      'f:template': { 'f:spec': { 'f:containers': { [item]: { '.': {}, 'f:name': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } },
    },
  };
  const csaEntry: ManagedFieldsEntry = { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', time: t0, fieldsType: 'FieldsV1', fieldsV1: csaFields };
  const containers = (fields: Record<string, unknown>) => ({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { [item]: fields } } } } });
  const withFields = (obj: KubeObject): KubeObject => ({ ...obj, metadata: { ...obj.metadata, managedFields: [csaEntry] } });

  const cases: { name: string; next: KubeObject; want: ManagedFieldsEntry[] }[] = [
    {
      name: 'a changed field of an item moves alone; the item stays with its owner',
      next: deploy('web:2', [{ name: 'A', value: '1' }]),
      want: [
        { ...csaEntry, fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { [item]: { '.': {}, 'f:name': {}, 'f:imagePullPolicy': {}, 'f:env': csaFields['f:spec']['f:template']['f:spec']['f:containers'][item]['f:env'] } } } } } } },
        { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', time: t1, fieldsType: 'FieldsV1', fieldsV1: containers({ 'f:image': {} }) },
      ],
    },
    {
      name: 'a new item is taken whole, its siblings stay',
      next: deploy('web:1', [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]),
      want: [csaEntry, { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', time: t1, fieldsType: 'FieldsV1', fieldsV1: containers({ 'f:env': { 'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} } } }) }],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const fm = new FieldManager(definitions, new FakeClock(Date.parse(t1)));
      expect(fm.track(deployDef, 'apps/v1', withFields(deploy('web:1', [{ name: 'A', value: '1' }])), tc.next, 'kubectl-edit')).to.deep.equal(tc.want);
    });
  }
});
