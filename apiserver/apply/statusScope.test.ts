import { expect } from 'chai';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import { FakeClock } from '../../common/clock.js';
import { definitions } from '../../common/schemas/index.js';
import { FieldManager } from './fieldManagerApply.js';

// A status write's ownership is computed from status alone (the rest of the object is not
// walked): these cases pin what it records, and that nothing outside status can change it.

const def = 'io.k8s.api.core.v1.Pod';
const t0 = '2026-01-01T00:00:00Z';
const t1 = '2026-01-01T00:01:00Z';

function pod(status: Record<string, unknown> | undefined, managedFields?: ManagedFieldsEntry[], image = 'web:1'): KubeObject {
  const p: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'd', labels: { app: 'web' }, ...(managedFields ? { managedFields } : {}) },
    spec: { containers: [{ name: 'web', image }] },
  };
  if (status) p.status = status;
  return p;
}

const creator: ManagedFieldsEntry = {
  manager: 'kubectl-create',
  operation: 'Update',
  apiVersion: 'v1',
  time: t0,
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
};

function statusOwner(manager: string, fields: Record<string, unknown>, time = t0): ManagedFieldsEntry {
  return { manager, operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:status': fields }, subresource: 'status' };
}

const conditions = (status: string): unknown[] => [{ type: 'Ready', status, lastTransitionTime: t0 }];

describe('field tracking of status writes', () => {
  const cases: { name: string; old: KubeObject; next: KubeObject; want: ManagedFieldsEntry[] | undefined }[] = [
    {
      name: 'the writer owns the status fields it set; the creator keeps spec and metadata',
      old: pod({ phase: 'Pending' }, [creator]),
      next: pod({ phase: 'Running', podIP: '10.0.0.1' }, [creator]),
      want: [creator, statusOwner('agent', { 'f:phase': {}, 'f:podIP': {} }, t1)],
    },
    {
      name: 'a field another status writer owned moves to this one; its other fields stay its own',
      old: pod({ phase: 'Pending', qosClass: 'Burstable' }, [creator, statusOwner('other', { 'f:phase': {}, 'f:qosClass': {} })]),
      next: pod({ phase: 'Running', qosClass: 'Burstable' }, [creator, statusOwner('other', { 'f:phase': {}, 'f:qosClass': {} })]),
      want: [creator, statusOwner('other', { 'f:qosClass': {} }), statusOwner('agent', { 'f:phase': {} }, t1)],
    },
    {
      name: 'list items by key: a changed condition is owned item by item',
      old: pod({ phase: 'Running', conditions: conditions('False') }, [creator]),
      next: pod({ phase: 'Running', conditions: conditions('True') }, [creator]),
      want: [creator, statusOwner('agent', { 'f:conditions': { 'k:{"type":"Ready"}': { 'f:status': {} } } }, t1)],
    },
    {
      name: 'status removed: its owner loses the fields',
      old: pod({ phase: 'Running' }, [creator, statusOwner('other', { 'f:phase': {} })]),
      next: pod(undefined, [creator, statusOwner('other', { 'f:phase': {} })]),
      want: [creator],
    },
    {
      name: 'an unchanged status changes no ownership',
      old: pod({ phase: 'Running' }, [creator, statusOwner('other', { 'f:phase': {} })]),
      next: pod({ phase: 'Running' }, [creator, statusOwner('other', { 'f:phase': {} })]),
      want: [creator, statusOwner('other', { 'f:phase': {} })],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const fm = new FieldManager(definitions, new FakeClock(Date.parse(t1)));
      const got = fm.track(def, 'v1', tc.old, tc.next, 'agent', 'status', 'status');
      expect(got).to.deep.equal(tc.want);
      // Spec and metadata (other than managedFields) never move a status write's ownership.
      const elsewhere = structuredClone(tc.next);
      elsewhere.metadata.labels = { app: 'other', extra: 'x' };
      (elsewhere.spec as { containers: { image: string }[] }).containers[0]!.image = 'web:2';
      expect(fm.track(def, 'v1', tc.old, elsewhere, 'agent', 'status', 'status')).to.deep.equal(tc.want);
    });
  }
});
