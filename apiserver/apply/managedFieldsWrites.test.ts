// Writes that set metadata.managedFields, over HTTPS against a real API server: patches
// and updates replace them (after validation), `[{}]` clears them, apply may not set them.

import { expect } from 'chai';
import type { KubeObject, ManagedFieldsEntry, Status } from '../../common/api/meta.js';
import { suiteTestCluster } from '../testing/suiteCluster.js';

const path = (name: string): string => `/api/v1/namespaces/default/configmaps/${name}`;
const owned = (manager: string, operation: 'Apply' | 'Update', keys: string[]): ManagedFieldsEntry => ({
  manager,
  operation,
  apiVersion: 'v1',
  time: '2026-01-01T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:data': Object.fromEntries(keys.map((k) => [`f:${k}`, {}])) },
});

describe('writes of metadata.managedFields (real etcd)', function () {
  this.timeout(60_000);
  const c = suiteTestCluster();

  const create = async (name: string): Promise<KubeObject> => {
    const r = await c.client.request<KubeObject>('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { x: '1', z: '2' } }, query: { fieldManager: 'creator' } });
    expect(r.status).to.equal(201);
    return r.body;
  };

  const cases: { name: string; contentType: string; body: (cur: KubeObject) => unknown; status: number; managers?: string[]; field?: string }[] = [
    {
      name: 'a JSON patch replaces them (kubectl\'s migration patch, with its resourceVersion precondition)',
      contentType: 'application/json-patch+json',
      body: (cur) => [
        { op: 'replace', path: '/metadata/managedFields', value: [owned('kubectl', 'Apply', ['x', 'z'])] },
        { op: 'replace', path: '/metadata/resourceVersion', value: cur.metadata.resourceVersion },
      ],
      status: 200,
      managers: ['kubectl/Apply'],
    },
    {
      name: 'a stale resourceVersion in that patch is a 409',
      contentType: 'application/json-patch+json',
      body: () => [
        { op: 'replace', path: '/metadata/managedFields', value: [owned('kubectl', 'Apply', ['x', 'z'])] },
        { op: 'replace', path: '/metadata/resourceVersion', value: '1' },
      ],
      status: 409,
    },
    { name: 'a merge patch of [{}] clears them', contentType: 'application/merge-patch+json', body: () => ({ metadata: { managedFields: [{}] } }), status: 200, managers: [] },
    {
      name: 'a merge patch of [] keeps them',
      contentType: 'application/merge-patch+json',
      body: () => ({ metadata: { managedFields: [] }, data: { z: '3' } }),
      status: 200,
      managers: ['creator/Update', 'kubectl-test/Update'],
    },
    {
      name: 'an invalid operation is a 422 naming the field',
      contentType: 'application/merge-patch+json',
      body: () => ({ metadata: { managedFields: [{ ...owned('m', 'Update', ['x']), operation: 'Merge' }] } }),
      status: 422,
      field: 'metadata.managedFields[0].operation',
    },
    {
      name: 'a malformed field set is a 422 naming the field',
      contentType: 'application/merge-patch+json',
      body: () => ({ metadata: { managedFields: [{ ...owned('m', 'Update', []), fieldsV1: { 'spec': {} } }] } }),
      status: 422,
      field: 'metadata.managedFields[0].fieldsV1',
    },
    {
      name: 'apply may not set them',
      contentType: 'application/apply-patch+yaml',
      body: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', managedFields: [owned('m', 'Apply', ['x'])] }, data: { x: '1' } }),
      status: 400,
    },
  ];
  cases.forEach((tc, i) => {
    it(tc.name, async () => {
      const name = `mf-${i}`;
      const cur = await create(name);
      const r = await c.client.request<KubeObject & Status>('PATCH', path(name), { contentType: tc.contentType, body: tc.body(cur), query: { fieldManager: tc.contentType.includes('apply') ? 'kubectl' : 'kubectl-test' } });
      expect(r.status, JSON.stringify(r.body)).to.equal(tc.status);
      if (tc.managers) expect((r.body.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`)).to.deep.equal(tc.managers);
      if (tc.field) expect(r.body.details?.causes?.map((x) => x.field)).to.deep.equal([tc.field]);
      if (tc.status >= 400) expect((await c.client.get<KubeObject>(path(name))).body.metadata.resourceVersion).to.equal(cur.metadata.resourceVersion);
    });
  });

  it('an update (PUT) carrying the managedFields it read keeps them and records its own change', async () => {
    const cur = await create('mf-put');
    const r = await c.client.request<KubeObject>('PUT', path('mf-put'), { body: { ...cur, data: { x: '1', z: '9' } }, query: { fieldManager: 'editor' } });
    expect(r.status).to.equal(200);
    expect(r.body.metadata.managedFields!.map((e) => [e.manager, Object.keys((e.fieldsV1 as { 'f:data': object })['f:data'])])).to.deep.equal([
      ['creator', ['f:x']],
      ['editor', ['f:z']],
    ]);
  });
});
